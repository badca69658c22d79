//! What a change touched, for `ward check --diff-base REF`: the files that
//! differ from the merge base of REF and HEAD (in the work tree, or in the
//! index with `--staged`), and in each the lines added or modified, as git
//! diffs them (renames followed, so a file only moved touches no line).

use std::collections::{HashMap, HashSet};
use std::path::Path;

use super::git::{run_git as git, GitError};

/// The lines of one changed file that findings may be on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Touched {
    /// A file new in the change: every line, and the file as a whole.
    New,
    /// Lines added or modified (1-based, inclusive ranges).
    Lines(Vec<(u32, u32)>),
}

/// The change between the merge base and what is checked.
#[derive(Debug, Default)]
pub struct Changed {
    /// The merge base's commit id.
    pub base: String,
    /// Each changed file that still exists, by repository-relative path.
    pub files: HashMap<String, Touched>,
    /// Paths the change deleted (or renamed away).
    pub deleted: HashSet<String>,
    /// Whether it deleted a file outright (not a rename): then repository
    /// checks, which say what the repository lacks, are its own too.
    pub removes_files: bool,
}

impl Changed {
    /// Whether a finding at `path`, `line` (0: the whole file; an empty
    /// path: the repository) is the change's own.
    pub fn owns(&self, path: &str, line: u32) -> bool {
        match self.files.get(path) {
            Some(Touched::New) => true,
            Some(Touched::Lines(ranges)) => {
                line > 0 && ranges.iter().any(|(a, b)| (*a..=*b).contains(&line))
            }
            // A repository check (no path: "LICENSE is missing"), when the
            // change deleted a file; one about a path the change deleted.
            None if path.is_empty() => self.removes_files,
            None => self.deleted.contains(path),
        }
    }
}

/// The new-side line ranges of a `-U0` diff's hunk headers
/// (`@@ -a,b +c,d @@`): `d` lines from `c`; `d` = 0 adds none.
fn added_lines(patch: &[u8]) -> Vec<(u32, u32)> {
    let mut out = Vec::new();
    for line in patch.split(|b| *b == b'\n') {
        let Some(rest) = line.strip_prefix(b"@@ ") else {
            continue;
        };
        let text = String::from_utf8_lossy(rest);
        let Some(new) = text.split(' ').find_map(|part| part.strip_prefix('+')) else {
            continue;
        };
        let (start, count) = match new.split_once(',') {
            Some((start, count)) => (start.parse::<u32>(), count.parse::<u32>()),
            None => (new.parse::<u32>(), Ok(1)),
        };
        if let (Ok(start), Ok(count)) = (start, count) {
            if count > 0 {
                out.push((start, start + count - 1));
            }
        }
    }
    out
}

/// The change from the merge base of `reference` and `HEAD` to the work
/// tree (or the index, `staged`), with paths relative to `root` (the
/// checked directory, in or at the top of the work tree).
pub fn changes(root: &Path, reference: &str, staged: bool) -> Result<Changed, GitError> {
    let top = root;
    let base = String::from_utf8_lossy(&git(top, &["merge-base", reference, "HEAD"])?)
        .trim()
        .to_string();
    let mut args = vec![
        "diff",
        "--relative",
        "--name-status",
        "-z",
        "-M",
        "--no-ext-diff",
    ];
    if staged {
        args.push("--cached");
    }
    args.push(&base);
    let listing = git(top, &args)?;
    let mut fields = listing.split(|b| *b == 0).filter(|f| !f.is_empty());
    let mut changed = Changed {
        base: base.clone(),
        ..Changed::default()
    };
    // (status, old path, new path) of each modified or renamed file.
    let mut to_diff: Vec<(String, String)> = Vec::new();
    while let Some(status) = fields.next() {
        let status = String::from_utf8_lossy(status).to_string();
        let Some(path) = fields
            .next()
            .map(|p| String::from_utf8_lossy(p).to_string())
        else {
            break;
        };
        match status.chars().next() {
            Some('R') | Some('C') => {
                let Some(new) = fields
                    .next()
                    .map(|p| String::from_utf8_lossy(p).to_string())
                else {
                    break;
                };
                if status.starts_with('R') {
                    changed.deleted.insert(path.clone());
                }
                to_diff.push((path, new));
            }
            Some('A') => {
                changed.files.insert(path, Touched::New);
            }
            Some('D') => {
                changed.deleted.insert(path);
                changed.removes_files = true;
            }
            _ => to_diff.push((path.clone(), path)),
        }
    }
    for (old, new) in to_diff {
        let mut args = vec![
            "diff",
            "--relative",
            "-U0",
            "--no-color",
            "--no-ext-diff",
            "--no-textconv",
            "-M",
        ];
        if staged {
            args.push("--cached");
        }
        args.extend([base.as_str(), "--", old.as_str(), new.as_str()]);
        let patch = git(top, &args)?;
        changed
            .files
            .insert(new, Touched::Lines(added_lines(&patch)));
    }
    if !staged {
        // Files git does not track yet are new in the change.
        let untracked = git(top, &["ls-files", "--others", "--exclude-standard", "-z"])?;
        for path in untracked.split(|b| *b == 0).filter(|p| !p.is_empty()) {
            changed
                .files
                .insert(String::from_utf8_lossy(path).to_string(), Touched::New);
        }
    }
    Ok(changed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hunk_headers_give_the_added_lines() {
        let patch = b"diff --git a/x b/x\n@@ -3 +3 @@\n-a\n+b\n@@ -10,0 +11,2 @@\n+c\n+d\n@@ -20,2 +21,0 @@\n-e\n-f\n";
        assert_eq!(added_lines(patch), [(3, 3), (11, 12)]);
    }

    #[test]
    fn a_finding_is_the_changes_own_on_its_lines_and_new_files() {
        let mut changed = Changed::default();
        changed.files.insert("new.py".into(), Touched::New);
        changed
            .files
            .insert("old.py".into(), Touched::Lines(vec![(5, 7)]));
        changed.deleted.insert("LICENSE".into());
        assert!(changed.owns("new.py", 0) && changed.owns("new.py", 40));
        assert!(changed.owns("old.py", 6) && !changed.owns("old.py", 8));
        assert!(!changed.owns("old.py", 0));
        assert!(changed.owns("LICENSE", 0) && !changed.owns("README.md", 0));
        assert!(!changed.owns("", 0));
        changed.removes_files = true;
        assert!(changed.owns("", 0));
    }
}
