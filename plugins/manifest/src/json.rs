//! A scanner over JSON text that is already known to be valid: object keys
//! with their nesting and byte offsets, for duplicate keys and for finding
//! the line of a top-level key. (serde_json keeps the last duplicate silently
//! and reports no positions for values.)

/// An object key: nesting depth (1 = top-level object), text, byte offset.
pub struct Key {
    /// 1 for the keys of the top-level object.
    pub depth: usize,
    /// The decoded key.
    pub text: String,
    /// Offset of the key's opening quote.
    pub offset: usize,
    /// Whether the same object already had this key.
    pub duplicate: bool,
}

enum Frame {
    Object {
        keys: std::collections::HashSet<String>,
        expect_key: bool,
    },
    Array,
}

/// Every object key of `bytes`, in order.
pub fn keys(bytes: &[u8]) -> Vec<Key> {
    let mut out = Vec::new();
    let mut stack: Vec<Frame> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'{' => {
                stack.push(Frame::Object {
                    keys: Default::default(),
                    expect_key: true,
                });
                i += 1;
            }
            b'[' => {
                stack.push(Frame::Array);
                i += 1;
            }
            b'}' | b']' => {
                stack.pop();
                i += 1;
            }
            b',' => {
                if let Some(Frame::Object { expect_key, .. }) = stack.last_mut() {
                    *expect_key = true;
                }
                i += 1;
            }
            b'"' => {
                let start = i;
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
                let depth = stack.len();
                if let Some(Frame::Object { keys, expect_key }) = stack.last_mut() {
                    if *expect_key {
                        let raw = std::str::from_utf8(&bytes[start..i.min(bytes.len())])
                            .unwrap_or("\"\"");
                        let text: String = serde_json::from_str(raw).unwrap_or_default();
                        let duplicate = !keys.insert(text.clone());
                        out.push(Key {
                            depth,
                            text,
                            offset: start,
                            duplicate,
                        });
                        *expect_key = false;
                    }
                }
            }
            _ => i += 1,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn finds_duplicates_per_object() {
        let text = br#"{"a": 1, "b": {"a": 2, "c": "x\"y", "c": 3}, "a": [{"a": 1}]}"#;
        let keys = super::keys(text);
        let dups: Vec<(usize, &str, usize)> = keys
            .iter()
            .filter(|k| k.duplicate)
            .map(|k| (k.depth, k.text.as_str(), k.offset))
            .collect();
        assert_eq!(dups, [(2, "c", 36), (1, "a", 45)]);
    }
}
