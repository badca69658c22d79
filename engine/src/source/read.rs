//! Reading what the walk saw, safely: never through a symlink, never
//! blocking on a FIFO, never more than the size limit.

use std::io::Read;
use std::path::Path;
use std::time::SystemTime;

/// Reads at most `limit + 1` bytes, so a file that grew past the limit is noticed
/// without reading it whole.
pub fn read_limited(path: &Path, expected: u64, limit: u64) -> std::io::Result<Vec<u8>> {
    let (file, size) = open_regular(path)?;
    // Sized from the walk's stat (or the open file's, when the caller has
    // none), plus one byte to notice growth: `Take` hides the size hint, and
    // read_to_end would otherwise grow the buffer by doubling, with a read
    // call per step. A file that grew since is still read whole, up to the
    // limit.
    let expected = expected.max(size).min(limit);
    let capacity = usize::try_from(expected).unwrap_or(0).saturating_add(1);
    let mut bytes = Vec::with_capacity(capacity);
    file.take(limit.saturating_add(1)).read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// Opens a file the walk saw as regular, refusing whatever replaced it since:
/// a FIFO would block `open` until a writer came, a symlink could point
/// anywhere. `O_NONBLOCK` makes opening a FIFO return at once (it changes
/// nothing for reads of a regular file); `O_NOFOLLOW` refuses a symlink.
pub fn open_regular(path: &Path) -> std::io::Result<(std::fs::File, u64)> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK | libc::O_NOFOLLOW | libc::O_NOCTTY);
    }
    let file = options.open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "no longer a regular file",
        ));
    }
    Ok((file, meta.len()))
}

/// What a file looked like when it was read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stamp {
    len: u64,
    modified: Option<SystemTime>,
    hash: u64,
}

fn hash(bytes: &[u8]) -> u64 {
    // FNV-1a: a stable hash; a collision needs a same-size edit made within
    // the run and with the same modification time as well.
    bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

impl Stamp {
    /// The stamp of a file with metadata `meta` and content `bytes`.
    pub fn from_metadata(meta: &std::fs::Metadata, bytes: &[u8]) -> Stamp {
        Stamp {
            len: meta.len(),
            modified: meta.modified().ok(),
            hash: hash(bytes),
        }
    }

    /// The stamp of `path` whose content `bytes` was just read.
    pub fn of(path: &Path, bytes: &[u8]) -> Option<Stamp> {
        let meta = std::fs::metadata(path).ok()?;
        // A file that changed while it was read: no stamp, so never fixed.
        (meta.len() == bytes.len() as u64).then(|| Stamp {
            len: meta.len(),
            modified: meta.modified().ok(),
            hash: hash(bytes),
        })
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::read_limited;

    /// The walk saw a regular file; by the time it is read, something else
    /// stands there. Each must fail at once, never block or be followed.
    #[test]
    fn what_replaced_a_file_since_the_walk_is_refused_not_opened() {
        let dir = tempfile::TempDir::new().unwrap();
        let fifo = dir.path().join("fifo");
        let name = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        // SAFETY: `name` is a valid NUL-terminated path that outlives the call.
        assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o644) }, 0);
        let error = read_limited(&fifo, 10, 100).unwrap_err();
        assert_eq!(error.to_string(), "no longer a regular file");

        std::fs::write(dir.path().join("target"), b"secret").unwrap();
        let link = dir.path().join("link");
        std::os::unix::fs::symlink("target", &link).unwrap();
        assert!(read_limited(&link, 6, 100).is_err());
        assert!(read_limited(dir.path(), 0, 100).is_err());

        assert_eq!(
            read_limited(&dir.path().join("target"), 6, 100).unwrap(),
            b"secret"
        );
    }
}
