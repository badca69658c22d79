//! Applying fix edits to a file's bytes: one plan for the engine's `--fix`
//! and for [`crate::testing::apply_fixes`], so a plugin's tests see the
//! text `ward check --fix` would write.

use crate::Edit;

/// The edits of one file, sorted, from the fixes of its findings (one
/// slice per finding), and how many findings they fix. A finding whose
/// edits overlap an earlier finding's (or insert twice at one place) is
/// left out whole, never applied in part; identical edits of two findings
/// apply once.
///
/// ```
/// use ward_plugin_sdk::{fix, Edit};
/// let trim = [Edit { start: 1, end: 3, replacement: String::new() }];
/// let clash = [Edit { start: 2, end: 4, replacement: "x".into() }];
/// let (edits, fixed) = fix::plan(&[&trim, &clash]);
/// assert_eq!(fixed, 1);
/// assert_eq!(fix::apply(b"a  \n", &edits).unwrap(), b"a\n");
/// ```
pub fn plan(fixes: &[&[Edit]]) -> (Vec<Edit>, usize) {
    let mut dropped = std::collections::HashSet::new();
    loop {
        let mut edits: Vec<(&Edit, usize)> = fixes
            .iter()
            .enumerate()
            .filter(|(i, _)| !dropped.contains(i))
            .flat_map(|(i, fix)| fix.iter().map(move |e| (e, i)))
            .collect();
        edits.sort_by_key(|(e, i)| (e.start, e.end, *i));
        edits.dedup_by(|(a, _), (b, _)| a == b);
        let mut conflict = None;
        let mut end = 0usize;
        for (k, (edit, finding)) in edits.iter().enumerate() {
            let inserts_twice = edit.start == edit.end
                && k > 0
                && edits[k - 1].0.start == edit.start
                && edits[k - 1].0.end == edit.end;
            if edit.start > edit.end || (k > 0 && edit.start < end) || inserts_twice {
                conflict = Some(*finding);
                break;
            }
            end = end.max(edit.end);
        }
        match conflict {
            Some(finding) => {
                dropped.insert(finding);
            }
            None => {
                let kept = edits.into_iter().map(|(e, _)| e.clone()).collect();
                return (kept, fixes.len() - dropped.len());
            }
        }
    }
}

/// `bytes` with `edits` (sorted, not overlapping: a [`plan`]) applied;
/// `None` if an edit reaches past the end.
pub fn apply(bytes: &[u8], edits: &[Edit]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut at = 0;
    for edit in edits {
        if edit.end > bytes.len() || edit.start < at {
            return None;
        }
        out.extend_from_slice(&bytes[at..edit.start]);
        out.extend_from_slice(edit.replacement.as_bytes());
        at = edit.end;
    }
    out.extend_from_slice(&bytes[at..]);
    Some(out)
}
