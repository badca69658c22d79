//! `--fix`: applying the edits plugins attach to findings, without ever
//! losing data. A file is rewritten only if it is exactly what was checked
//! (same size, modification time and content), through a temporary file in
//! its directory and a rename, with its permissions kept; never through a
//! symlink, never when read-only, never with two overlapping edits.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use ward_plugin_sdk::{Edit, Severity};

use crate::finding::Finding;
use crate::registry::FIX_SKIPPED;
use crate::source::read::Stamp;

/// What `--fix` did.
#[derive(Debug, Default)]
pub struct Applied {
    /// Files rewritten (or, with `--dry-run`, that would be).
    pub files: usize,
    /// Findings whose edits were applied.
    pub findings: usize,
    /// Unified diffs, for `--dry-run`.
    pub diff: String,
    /// Files left alone, as warnings for the report.
    pub skipped: Vec<Finding>,
}

fn skipped(path: &str, why: String) -> Finding {
    Finding::engine(FIX_SKIPPED, Severity::Warning, path, why)
}

/// The edits of one file's findings, as the SDK plans them (the testing
/// helpers plugin authors use apply the same plan).
fn plan(findings: &[&Finding]) -> (Vec<Edit>, usize) {
    let fixes: Vec<&[Edit]> = findings.iter().map(|f| f.fix.as_slice()).collect();
    ward_plugin_sdk::fix::plan(&fixes)
}

use ward_plugin_sdk::fix::apply;

/// Temporary files of a fix start with this and the writing process's id.
const TEMP_PREFIX: &str = ".ward-fix-";

/// Why a file must not be replaced by a new one, if it must not: a rename
/// would split its hard links, hand it to the user running ward, or drop
/// its extended attributes (other than the SELinux label, which the new
/// file gets from its directory as the old one did).
fn not_replaceable(path: &Path, meta: &std::fs::Metadata) -> Option<String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if meta.nlink() > 1 {
            return Some(format!(
                "not fixed: the file has {} hard links, which a rewrite would split",
                meta.nlink()
            ));
        }
        // SAFETY: geteuid has no preconditions and cannot fail.
        let me = unsafe { libc::geteuid() };
        if meta.uid() != me {
            return Some(
                "not fixed: the file belongs to another user, and a rewrite would change its owner"
                    .into(),
            );
        }
    }
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::ffi::OsStrExt;
        let name = std::ffi::CString::new(path.as_os_str().as_bytes()).ok()?;
        let mut names = vec![0u8; 4096];
        // SAFETY: a valid NUL-terminated path and a buffer of the given size.
        let len =
            unsafe { libc::llistxattr(name.as_ptr(), names.as_mut_ptr().cast(), names.len()) };
        if let Ok(len) = usize::try_from(len) {
            let kept = names[..len]
                .split(|b| *b == 0)
                .filter(|n| !n.is_empty() && *n != b"security.selinux")
                .count();
            if kept > 0 {
                return Some(
                    "not fixed: the file has extended attributes, which a rewrite would drop"
                        .into(),
                );
            }
        }
    }
    let _ = (path, meta);
    None
}

fn write_preserving(
    path: &Path,
    bytes: &[u8],
    permissions: std::fs::Permissions,
    stamp: &Stamp,
) -> std::io::Result<bool> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut temp = super::temps::create_in(dir, TEMP_PREFIX)?;
    let temp_path = temp.path().to_path_buf();
    let result = (|| {
        temp.write_all(bytes)?;
        temp.as_file().set_permissions(permissions)?;
        temp.as_file().sync_all()?;
        // The last look before the swap: an editor's save since the re-check
        // must not be lost. (A save in the instant between this look and the
        // rename still would be; see docs/fixing.md.)
        let unchanged = std::fs::symlink_metadata(path).is_ok_and(|meta| {
            meta.is_file()
                && std::fs::read(path).is_ok_and(|now| Stamp::from_metadata(&meta, &now) == *stamp)
        });
        if !unchanged {
            return Ok(false);
        }
        temp.persist(path).map_err(|e| e.error)?;
        Ok(true)
    })();
    // If anything above failed, dropping `temp` removed it.
    super::temps::done(&temp_path);
    result
}

/// Applies the fixes of `findings` under `root`; with `dry_run`, only
/// computes the diff.
pub fn run(
    root: &Path,
    findings: &[Finding],
    stamps: &std::collections::HashMap<String, Stamp>,
    unfixable: &std::collections::HashMap<String, String>,
    dry_run: bool,
) -> Applied {
    let mut by_file: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    for f in findings
        .iter()
        .filter(|f| !f.fix.is_empty() && !f.path.is_empty())
    {
        by_file.entry(&f.path).or_default().push(f);
    }
    let mut applied = Applied::default();
    if !dry_run {
        super::temps::clean_stale();
    }
    let real_root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    for (path, file_findings) in by_file {
        let abs: PathBuf = root.join(path);
        // `--fix linkdir/f` with `linkdir -> /elsewhere`: the file is not the
        // repository's to rewrite.
        let inside = abs
            .parent()
            .and_then(|dir| dir.canonicalize().ok())
            .is_some_and(|dir| dir.starts_with(&real_root));
        if !inside {
            applied.skipped.push(skipped(
                path,
                "not fixed: its directory leads out of the repository".into(),
            ));
            continue;
        }
        if let Some(why) = unfixable.get(path) {
            applied.skipped.push(skipped(path, why.clone()));
            continue;
        }
        let Some(stamp) = stamps.get(path) else {
            applied.skipped.push(skipped(
                path,
                "not fixed: the file changed while it was read".into(),
            ));
            continue;
        };
        let meta = match std::fs::symlink_metadata(&abs) {
            Ok(meta) => meta,
            Err(e) => {
                applied
                    .skipped
                    .push(skipped(path, format!("not fixed: {e}")));
                continue;
            }
        };
        if !meta.file_type().is_file() {
            applied
                .skipped
                .push(skipped(path, "not fixed: no longer a regular file".into()));
            continue;
        }
        if meta.permissions().readonly() {
            applied
                .skipped
                .push(skipped(path, "not fixed: the file is read-only".into()));
            continue;
        }
        let current = match std::fs::read(&abs) {
            Ok(bytes) => bytes,
            Err(e) => {
                applied.skipped.push(skipped(
                    path,
                    format!("not fixed: cannot read it again: {e}"),
                ));
                continue;
            }
        };
        let now = Stamp::from_metadata(&meta, &current);
        if now != *stamp {
            applied.skipped.push(skipped(
                path,
                "not fixed: the file changed since ward read it".into(),
            ));
            continue;
        }
        let (edits, count) = plan(&file_findings);
        let Some(fixed) = apply(&current, &edits) else {
            applied.skipped.push(skipped(
                path,
                "not fixed: a plugin's edit lies outside the file".into(),
            ));
            continue;
        };
        if fixed == current {
            continue;
        }
        if let Some(why) = recheck(&current, &fixed, &file_findings) {
            applied.skipped.push(skipped(path, why));
            continue;
        }
        if !dry_run {
            if let Some(why) = not_replaceable(&abs, &meta) {
                applied.skipped.push(skipped(path, why));
                continue;
            }
        }
        if dry_run {
            let secrets =
                super::mask::secrets_in(&current, findings.iter().filter(|f| f.path == path));
            let mut shown = diff(path, &current, &fixed);
            for secret in secrets {
                shown = shown.replace(&secret, &crate::finding::redact(&secret));
            }
            applied.diff.push_str(&shown);
        } else {
            match write_preserving(&abs, &fixed, meta.permissions(), stamp) {
                Ok(true) => {}
                Ok(false) => {
                    applied.skipped.push(skipped(
                        path,
                        "not fixed: the file changed since ward read it".into(),
                    ));
                    continue;
                }
                Err(e) => {
                    applied
                        .skipped
                        .push(skipped(path, format!("not fixed: cannot write it: {e}")));
                    continue;
                }
            }
        }
        applied.files += 1;
        applied.findings += count;
    }
    if !dry_run {
        super::temps::finish();
    }
    applied
}

/// Rules whose fixes change only whitespace, line endings, final newlines
/// and the byte-order mark.
const WHITESPACE_FIXES: &[&str] = &[
    "text/trailing-whitespace",
    "text/final-newline",
    "text/mixed-line-endings",
    "text/bom",
    "editorconfig/end-of-line",
];

/// What the file would be without whitespace and byte-order marks.
fn substance(bytes: &[u8]) -> Vec<u8> {
    let mut rest = bytes;
    while let Some(tail) = rest.strip_prefix(b"\xef\xbb\xbf") {
        rest = tail;
    }
    rest.iter()
        .copied()
        .filter(|b| !matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
        .collect()
}

/// The fixed content checked before it is written, so that a faulty edit
/// never reaches the disk: it must still be UTF-8, and when only
/// whitespace rules fixed it, only whitespace, line endings and the
/// byte-order mark may differ. `None` when it may be written.
fn recheck(current: &[u8], fixed: &[u8], findings: &[&Finding]) -> Option<String> {
    let text = |b: &[u8]| std::str::from_utf8(b.strip_prefix(b"\xef\xbb\xbf").unwrap_or(b)).is_ok();
    if text(current) && !text(fixed) {
        return Some("not fixed: the fixed file would not be valid UTF-8".into());
    }
    let whitespace_only = findings
        .iter()
        .all(|f| WHITESPACE_FIXES.contains(&f.rule.as_str()));
    if whitespace_only && substance(current) != substance(fixed) {
        return Some("not fixed: the fix would change more than whitespace".into());
    }
    None
}

fn diff(path: &str, old: &[u8], new: &[u8]) -> String {
    let old = String::from_utf8_lossy(old);
    let new = String::from_utf8_lossy(new);
    let text = similar::TextDiff::from_lines(old.as_ref(), new.as_ref());
    let mut out = text
        .unified_diff()
        .context_radius(2)
        .header(&format!("a/{path}"), &format!("b/{path}"))
        .to_string();
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(edits: &[(usize, usize, &str)]) -> Finding {
        let mut f = Finding::engine("text/x", Severity::Error, "a", String::new());
        f.fix = edits
            .iter()
            .map(|(s, e, r)| Edit {
                start: *s,
                end: *e,
                replacement: (*r).into(),
            })
            .collect();
        f
    }

    #[test]
    fn overlapping_edits_are_dropped_whole_findings_at_a_time() {
        let a = finding(&[(1, 3, "")]);
        let b = finding(&[(2, 4, "x")]);
        let c = finding(&[(5, 5, "\n")]);
        let (edits, applied) = plan(&[&a, &b, &c]);
        assert_eq!(applied, 2);
        assert_eq!(apply(b"0123456", &edits).unwrap(), b"034\n56");
    }

    /// A whitespace rule whose edit would delete text, or an edit that
    /// would cut a character in two, never reaches the disk.
    #[test]
    fn the_fixed_content_is_checked_before_it_is_written() {
        let mut deletes = finding(&[(0, 2, "")]);
        deletes.rule = "text/trailing-whitespace".into();
        let current = "ab  \n".as_bytes();
        let fixed = apply(current, &plan(&[&deletes]).0).unwrap();
        assert_eq!(
            recheck(current, &fixed, &[&deletes]).as_deref(),
            Some("not fixed: the fix would change more than whitespace")
        );
        let mut trims = finding(&[(2, 4, "")]);
        trims.rule = "text/trailing-whitespace".into();
        let fixed = apply(current, &plan(&[&trims]).0).unwrap();
        assert_eq!(recheck(current, &fixed, &[&trims]), None);
        let cuts = finding(&[(1, 2, "")]);
        let current = "é\n".as_bytes();
        let fixed = apply(current, &plan(&[&cuts]).0).unwrap();
        assert_eq!(
            recheck(current, &fixed, &[&cuts]).as_deref(),
            Some("not fixed: the fixed file would not be valid UTF-8")
        );
    }

    #[test]
    fn adjacent_edits_both_apply() {
        let ws = finding(&[(1, 3, "")]);
        let eol = finding(&[(3, 5, "\n")]);
        let (edits, applied) = plan(&[&ws, &eol]);
        assert_eq!(applied, 2);
        assert_eq!(apply(b"a  \r\nb", &edits).unwrap(), b"a\nb");
    }

    #[test]
    fn edits_beyond_the_end_refuse_the_file() {
        let (edits, _) = plan(&[&finding(&[(9, 10, "")])]);
        assert!(apply(b"abc", &edits).is_none());
    }
}
