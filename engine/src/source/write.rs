//! Writing reports, baselines and caches: whole or not at all.

use std::io::Write;
use std::path::Path;

/// Writes `bytes` to `path` through a temporary file in the same directory
/// and a rename, so a reader never sees half a report.
///
/// A symbolic link is never written through to a file: a link to a file or
/// to nothing is replaced by the new file (a checked-out tree may plant
/// `ward.sarif -> ~/.bashrc` where CI writes its report). Only a device or
/// a pipe is written through (`-o /dev/stdout`, `-o /dev/null`, a FIFO,
/// directly or by a link), opened without blocking so that a FIFO with no
/// reader within five seconds is an error, not a hang.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut replaces_link = false;
    if let Ok(meta) = std::fs::symlink_metadata(path) {
        let special =
            |m: &std::fs::Metadata| !m.is_file() && !m.is_dir() && !m.file_type().is_symlink();
        if meta.file_type().is_symlink() {
            match std::fs::metadata(path) {
                Ok(target) if special(&target) => return write_through(path, bytes),
                _ => replaces_link = true,
            }
        } else if special(&meta) {
            return write_through(path, bytes);
        }
    }
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let mut file = tempfile::NamedTempFile::new_in(dir)?;
    file.write_all(bytes)?;
    // The temporary file is private (0600); the report replacing a file
    // keeps that file's mode, a new one gets the usual 0644.
    let kept = if replaces_link {
        None
    } else {
        std::fs::symlink_metadata(path).ok()
    };
    let permissions = match kept {
        Some(meta) => meta.permissions(),
        None => {
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                std::fs::Permissions::from_mode(0o644)
            }
            #[cfg(not(unix))]
            {
                file.as_file().metadata()?.permissions()
            }
        }
    };
    file.as_file().set_permissions(permissions)?;
    file.as_file().sync_all()?;
    file.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Writes to a device or a pipe in place.
fn write_through(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY);
    }
    // A FIFO whose reader has not opened it yet refuses a non-blocking
    // writer (ENXIO): give a reader five seconds, then fail rather than hang.
    let mut tries = 0;
    let mut file = loop {
        match options.open(path) {
            Ok(file) => break file,
            Err(e) if e.raw_os_error() == Some(libc::ENXIO) && tries < 50 => {
                tries += 1;
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
            Err(e) => return Err(e),
        }
    };
    #[cfg(unix)]
    {
        use std::os::unix::io::AsRawFd;
        // Blocking again for the write itself: a full pipe waits for its
        // reader rather than failing half-way.
        let fd = file.as_raw_fd();
        // SAFETY: fcntl on a descriptor this function owns, with flags it read.
        unsafe {
            let flags = libc::fcntl(fd, libc::F_GETFL);
            if flags >= 0 {
                libc::fcntl(fd, libc::F_SETFL, flags & !libc::O_NONBLOCK);
            }
        }
    }
    file.write_all(bytes)?;
    file.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A link to a file is replaced, never followed; a link to a device is
    /// written through.
    #[test]
    fn links_are_replaced_unless_they_lead_to_a_device() {
        let dir = tempfile::tempdir().unwrap();
        let outside = dir.path().join("outside.txt");
        std::fs::write(&outside, "precious\n").unwrap();
        let report = dir.path().join("ward.sarif");
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(&outside, &report).unwrap();
            write_atomically(&report, b"report").unwrap();
            assert_eq!(std::fs::read(&outside).unwrap(), b"precious\n");
            assert!(!std::fs::symlink_metadata(&report)
                .unwrap()
                .file_type()
                .is_symlink());
            assert_eq!(std::fs::read(&report).unwrap(), b"report");
            let null = dir.path().join("null");
            std::os::unix::fs::symlink("/dev/null", &null).unwrap();
            write_atomically(&null, b"gone").unwrap();
            assert!(std::fs::symlink_metadata(&null)
                .unwrap()
                .file_type()
                .is_symlink());
            // A FIFO nobody reads is an error at once, not a hang.
            let fifo = dir.path().join("fifo");
            let name = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
            // SAFETY: mkfifo gets a valid NUL-terminated path.
            assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o600) }, 0);
            assert!(write_atomically(&fifo, b"x").is_err());
        }
    }
}
