//! BLAKE3 digests: of a file's content (the cache's key for a file), and of
//! everything a result depends on (the cache key, a pack's identity).

/// A file content's BLAKE3 hash: raw bytes, half the size of hex and no
/// allocation, since a cache file holds one per file of the tree.
pub type ContentHash = [u8; 32];

/// A BLAKE3 hash of `parts`, length-prefixed so they cannot run together.
fn digest_of(parts: &[&[u8]]) -> blake3::Hash {
    let mut hasher = blake3::Hasher::new();
    for part in parts {
        hasher.update(&(part.len() as u64).to_le_bytes());
        hasher.update(part);
    }
    hasher.finalize()
}

/// [`digest_of`] in hex.
pub fn key_of(parts: &[&[u8]]) -> String {
    digest_of(parts).to_hex().to_string()
}

/// The hash of a file's content.
pub fn content_hash(bytes: &[u8]) -> ContentHash {
    *digest_of(&[bytes]).as_bytes()
}

/// The [`content_hash`] of bytes fed piece by piece: the length comes
/// first, so it must be known before the bytes are.
pub struct ContentHasher {
    hasher: blake3::Hasher,
    expected: u64,
    seen: u64,
}

impl ContentHasher {
    /// A hash of content that should be `len` bytes long.
    pub fn new(len: u64) -> Self {
        let mut hasher = blake3::Hasher::new();
        hasher.update(&len.to_le_bytes());
        ContentHasher {
            hasher,
            expected: len,
            seen: 0,
        }
    }

    /// Adds the next bytes.
    pub fn update(&mut self, bytes: &[u8]) {
        self.hasher.update(bytes);
        self.seen += bytes.len() as u64;
    }

    /// The hash, or `None` if the content was not as long as announced (the
    /// file changed while it was read).
    pub fn finish(self) -> Option<ContentHash> {
        (self.seen == self.expected).then(|| *self.hasher.finalize().as_bytes())
    }
}
