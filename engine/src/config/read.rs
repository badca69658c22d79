//! Reading what the checked tree names (configs, the files they extend,
//! rule packs, gitleaks configs, baselines): a regular file, opened without
//! blocking, read up to a limit. A FIFO would hang a read forever,
//! `/dev/zero` would fill memory, and a terminal is no config.

use std::io::Read;
use std::path::Path;

/// The most a config, preset, rule pack or gitleaks file may hold.
pub const CONFIG_LIMIT: u64 = 16 * 1024 * 1024;

/// The most a baseline may hold (about a million findings).
pub const BASELINE_LIMIT: u64 = 256 * 1024 * 1024;

/// Reads `path` as UTF-8 text if it is a regular file of at most `limit`
/// bytes (symlinks are followed: where they lead is the caller's check).
pub fn read_bounded(path: &Path, limit: u64) -> std::io::Result<String> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // Opening a FIFO for reading without O_NONBLOCK waits for a writer.
        options.custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY);
    }
    let file = options.open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "not a regular file",
        ));
    }
    if meta.len() > limit {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("larger than {limit} bytes"),
        ));
    }
    let mut text = String::new();
    // `/proc` files report a size of 0: the limit holds while reading too.
    file.take(limit + 1).read_to_string(&mut text)?;
    if text.len() as u64 > limit {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("larger than {limit} bytes"),
        ));
    }
    Ok(text)
}

/// `text` with every control character but line ends and tabs replaced by
/// `?`, byte for byte, so that an error that quotes a config or pack never
/// sends its escape sequences to a terminal, and the error's byte offsets
/// still point at the same places.
pub fn shown_source(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_control() && !matches!(c, '\n' | '\r' | '\t') {
                '?'
            } else {
                c
            }
        })
        .collect()
}

/// A string from a config or a file name, for a message: control
/// characters (escape sequences, bells) shown as `?`.
pub fn shown(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_regular_files_within_the_limit_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.toml");
        std::fs::write(&file, "x = 1\n").unwrap();
        assert_eq!(read_bounded(&file, 100).unwrap(), "x = 1\n");
        assert!(read_bounded(&file, 3).is_err());
        assert!(read_bounded(dir.path(), 100).is_err());
        #[cfg(unix)]
        {
            assert!(read_bounded(Path::new("/dev/zero"), 100).is_err());
            let fifo = dir.path().join("fifo");
            let name = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
            // SAFETY: mkfifo gets a valid NUL-terminated path.
            assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o600) }, 0);
            // Returns at once (no writer is waited for), with an error.
            assert!(read_bounded(&fifo, 100).is_err());
        }
    }
}
