//! Files above `max-file-size`: read in pieces of whole lines, never whole,
//! and checked by the rule packs and by the plugin rules that judge each line
//! on its own. Memory then stays at a few pieces per thread whatever the
//! file's size, and the pieces of one file are checked in parallel.

use std::io::Read;

use rayon::prelude::*;
use ward_plugin_sdk::host::HostFile;
use ward_plugin_sdk::{Severity, PLUGIN_ERROR_RULE};

use super::convert::{convert, pack_findings, plugin_error, Lines};
use super::outcome::{Checks, Outcome, Timings, KEYWORD_PASS, MAX_FINDINGS_PER_FILE};
use crate::finding::Finding;
use crate::host::ActivePlugin;
use crate::registry::{FILE_TOO_LARGE, UNREADABLE};
use crate::scan::suppress::Suppressions;
use crate::source::classes;
use crate::source::read::open_regular;
use crate::source::Entry;

/// New bytes per piece: large enough that the per-call cost vanishes, small
/// enough that a few pieces per thread are all the memory a huge file costs.
const PIECE: usize = 4 << 20;

/// Whole lines at the end of a piece that the next piece repeats, so that a
/// match across the cut (a private key block spans lines) is seen whole by
/// one of them. What lies wholly within them the earlier piece reported.
const OVERLAP: usize = 64 << 10;

/// A line may be this many pieces long (32 MiB) before reading stops.
const LONG_LINE_PIECES: usize = 8;

/// The piece size, unless the test knob `WARD_PIECE_BYTES` sets another, so
/// that tests can cut a small file into many pieces (the repeated lines then
/// take at most half a piece).
fn piece_sizes() -> (usize, usize) {
    let piece = std::env::var("WARD_PIECE_BYTES")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        .filter(|n| *n >= 2)
        .unwrap_or(PIECE);
    (piece, OVERLAP.min(piece / 2))
}

/// A run of whole lines of a file (the last piece may end without a newline).
struct Piece {
    bytes: Vec<u8>,
    /// The line number of `bytes[0]` in the whole file.
    first_line: u32,
    /// How many lines at the start the previous piece held too.
    carried_lines: u32,
    /// How many bytes at the start the previous piece held too.
    carried: usize,
}

/// Cuts a byte stream into [`Piece`]s.
struct Pieces<R> {
    reader: R,
    piece: usize,
    overlap: usize,
    /// The repeated lines of the last piece, then bytes read past its end.
    carry: Vec<u8>,
    carried: usize,
    carried_lines: u32,
    next_line: u32,
    eof: bool,
    read: u64,
    /// The longest line a piece may hold.
    max_line: usize,
    /// The line that was longer than `max_line`: reading stopped before it.
    long_line: Option<u32>,
}

impl<R: Read> Pieces<R> {
    fn new(reader: R, (piece, overlap): (usize, usize)) -> Self {
        Pieces {
            reader,
            piece,
            overlap,
            carry: Vec::new(),
            carried: 0,
            carried_lines: 0,
            next_line: 1,
            eof: false,
            read: 0,
            max_line: piece.saturating_mul(LONG_LINE_PIECES),
            long_line: None,
        }
    }

    /// Appends up to `more` bytes to `buf`, noting the end of the input.
    fn fill(&mut self, buf: &mut Vec<u8>, more: usize) -> std::io::Result<()> {
        if self.eof || more == 0 {
            return Ok(());
        }
        buf.reserve(more);
        let got = (&mut self.reader).take(more as u64).read_to_end(buf)?;
        self.read += got as u64;
        if got < more {
            self.eof = true;
        }
        Ok(())
    }

    /// The first `n` bytes (fewer if the input is shorter), read before the
    /// first piece and kept for it.
    fn head(&mut self, n: usize) -> std::io::Result<&[u8]> {
        let mut buf = std::mem::take(&mut self.carry);
        let more = n.saturating_sub(buf.len());
        self.fill(&mut buf, more)?;
        self.carry = buf;
        Ok(&self.carry[..self.carry.len().min(n)])
    }

    fn next_piece(&mut self) -> std::io::Result<Option<Piece>> {
        let mut buf = std::mem::take(&mut self.carry);
        let carried = self.carried;
        let more = (carried + self.piece).saturating_sub(buf.len());
        self.fill(&mut buf, more)?;
        if buf.len() == carried {
            // Nothing new: the input is done, and stays done if asked again.
            self.carry = buf;
            return Ok(None);
        }
        let mut cut = if self.eof {
            Some(buf.len())
        } else {
            memchr::memrchr(b'\n', &buf[carried..]).map(|i| carried + i + 1)
        };
        // A line longer than a piece: read on to its end. Memory then grows
        // with the longest line, which a file of real lines keeps small; a
        // line longer than `max_line` (a multi-gigabyte dump on one line)
        // ends the reading, so memory stays bounded whatever the file.
        while cut.is_none() {
            if buf.len() - carried > self.max_line {
                self.long_line = Some(self.next_line.saturating_add(self.carried_lines));
                self.carry = Vec::new();
                return Ok(None);
            }
            let searched = buf.len();
            self.fill(&mut buf, self.piece)?;
            cut = memchr::memchr(b'\n', &buf[searched..])
                .map(|i| searched + i + 1)
                .or(self.eof.then_some(buf.len()));
        }
        let cut = cut.unwrap_or(buf.len());
        let rest = buf.split_off(cut);
        let tail_from = if buf.len() <= self.overlap {
            0
        } else {
            // The newline before the tail may be the byte just before it.
            let from = buf.len() - self.overlap - 1;
            memchr::memchr(b'\n', &buf[from..]).map_or(buf.len(), |i| from + i + 1)
        };
        let lines = count_lines(&buf);
        let tail_lines = count_lines(&buf[tail_from..]);
        let mut carry = Vec::with_capacity(buf.len() - tail_from + rest.len() + self.piece);
        carry.extend_from_slice(&buf[tail_from..]);
        carry.extend_from_slice(&rest);
        let piece = Piece {
            first_line: self.next_line,
            carried_lines: self.carried_lines,
            carried,
            bytes: buf,
        };
        self.next_line = self.next_line.saturating_add(lines - tail_lines);
        self.carried = carry.len() - rest.len();
        self.carried_lines = tail_lines;
        self.carry = carry;
        Ok(Some(piece))
    }
}

fn count_lines(bytes: &[u8]) -> u32 {
    u32::try_from(memchr::memchr_iter(b'\n', bytes).count()).unwrap_or(u32::MAX)
}

/// Checks a file above `max-file-size` piece by piece.
pub(super) fn check(entry: &Entry, checks: &Checks<'_>, outcome: &mut Outcome) {
    let result = match (&entry.staged, &entry.staged_blob) {
        (Some(bytes), _) => check_pieces(entry, &bytes[..], checks),
        (None, Some((top, id))) => check_blob(entry, top, id, checks),
        (None, None) => {
            open_regular(&entry.abs).and_then(|(file, _)| check_pieces(entry, file, checks))
        }
    };
    match result {
        Ok(done) => {
            outcome.files_scanned += 1;
            outcome.bytes_scanned += done.bytes;
            outcome.suppressed += done.suppressed;
            outcome.timings.add(done.timings);
            if let (Some(cache), Some(hash)) = (checks.cache, done.hash) {
                cache.store_hashed(entry, done.bytes, hash, &done.findings);
            }
            outcome.findings.extend(done.findings);
        }
        Err(e) => outcome.findings.push(Finding::engine(
            UNREADABLE,
            Severity::Error,
            &entry.path,
            format!("cannot read: {e}"),
        )),
    }
}

/// Streams a staged blob from `git cat-file` (`--staged`).
fn check_blob(
    entry: &Entry,
    top: &std::path::Path,
    id: &str,
    checks: &Checks<'_>,
) -> std::io::Result<Streamed> {
    let mut git = std::process::Command::new("git")
        .current_dir(top)
        .args(["cat-file", "blob", id])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()?;
    let result = match git.stdout.take() {
        Some(blob) => check_pieces(entry, blob, checks),
        None => Err(std::io::Error::other("git cat-file has no output")),
    };
    // A blob is not always read to its end (binary, or a line too long):
    // git, blocked on a full pipe, is stopped rather than waited for.
    let _ = git.kill();
    let _ = git.wait();
    let done = result?;
    if done.complete && done.bytes != entry.size {
        return Err(std::io::Error::other(format!(
            "git cat-file gave {} of {} bytes",
            done.bytes, entry.size
        )));
    }
    Ok(done)
}

/// What checking a file in pieces gave.
struct Streamed {
    findings: Vec<Finding>,
    /// Read to its end (not binary, no line too long to hold).
    complete: bool,
    bytes: u64,
    suppressed: usize,
    hash: Option<crate::source::digest::ContentHash>,
    timings: Timings,
}

/// What one piece gave.
#[derive(Default)]
struct PieceOutcome {
    findings: Vec<Finding>,
    suppressions: Option<Suppressions>,
    timings: Timings,
}

fn check_pieces<R: Read>(
    entry: &Entry,
    reader: R,
    checks: &Checks<'_>,
) -> std::io::Result<Streamed> {
    let limit = checks.config.max_file_size();
    let plugins: Vec<&ActivePlugin> = checks
        .plugins
        .iter()
        .filter(|p| !p.line_local.is_empty() && p.serves(&entry.path))
        .collect();
    let mut pieces = Pieces::new(reader, piece_sizes());
    let mut hasher = checks
        .cache
        .map(|_| crate::source::digest::ContentHasher::new(entry.size));
    // As many pieces in memory at once as there are threads to check them.
    let group_size = rayon::current_num_threads().max(1);
    let mut findings: Vec<Finding> = Vec::new();
    let mut suppressions = Suppressions::default();
    let mut timings = Timings::default();
    let mut per_plugin: std::collections::HashMap<String, usize> = Default::default();
    // No line-level rule reads a binary file: nothing past its first bytes
    // is read. This is decided before the first piece, which would read on
    // to the first newline: all of a 2 GB file of zeros.
    let decided = if classes::is_binary(&entry.path, pieces.head(classes::PROBE)?) {
        classes::Classes::BINARY
    } else {
        classes::Classes::TEXT
    };
    let binary = entry
        .forced
        .apply(decided)
        .contains(classes::Classes::BINARY);
    if binary {
        hasher = None;
    } else {
        loop {
            let mut group = Vec::with_capacity(group_size);
            while group.len() < group_size {
                match pieces.next_piece()? {
                    Some(piece) => group.push(piece),
                    None => break,
                }
            }
            if group.is_empty() {
                break;
            }
            if let Some(hasher) = hasher.as_mut() {
                for piece in &group {
                    hasher.update(&piece.bytes[piece.carried..]);
                }
            }
            let done: Vec<PieceOutcome> = group
                .par_iter()
                .map(|piece| check_piece(entry, piece, &plugins, checks))
                .collect();
            for piece in done {
                timings.add(piece.timings);
                if let Some(found) = piece.suppressions {
                    suppressions.merge(found);
                }
                for finding in piece.findings {
                    // A plugin gone wrong must not fill memory on a huge file.
                    let count = per_plugin.entry(finding.plugin.clone()).or_insert(0);
                    *count += 1;
                    if *count <= MAX_FINDINGS_PER_FILE {
                        findings.push(finding);
                    }
                }
            }
        }
    }
    // Matches that ran across a cut were seen by both pieces: keep the
    // longest of those that start at the same place.
    findings.sort_by(|a, b| {
        (&a.rule, a.line, a.column)
            .cmp(&(&b.rule, b.line, b.column))
            .then((b.end_line, b.end_column).cmp(&(a.end_line, a.end_column)))
            .then(a.message.cmp(&b.message))
    });
    findings.dedup_by(|later, kept| {
        later.rule == kept.rule
            && later.line == kept.line
            && later.column == kept.column
            && (later.line != 0 || later.message == kept.message)
    });
    let before = findings.len();
    findings.retain(|f| !suppressions.hides(f));
    let suppressed = before - findings.len();
    let mut problems = std::mem::take(&mut suppressions.problems);
    // Pieces overlap: a marker read twice is reported once.
    problems.extend(suppressions.unused(&entry.path));
    problems.sort_by(|a, b| (a.line, &a.message).cmp(&(b.line, &b.message)));
    problems.dedup_by(|later, kept| later.line == kept.line && later.message == kept.message);
    findings.extend(problems);
    for (plugin, count) in per_plugin
        .into_iter()
        .filter(|(_, n)| *n > MAX_FINDINGS_PER_FILE)
    {
        findings.push(plugin_error(
            &plugin,
            &entry.path,
            format!("`{plugin}` reported {count} findings for this file; kept the first {MAX_FINDINGS_PER_FILE}"),
        ));
    }
    let size = pieces.read.max(entry.size);
    let how = match (binary, pieces.long_line) {
        (true, _) => "a binary file, not checked".to_string(),
        (false, Some(1)) => format!(
            "its first line is longer than {} bytes: not checked",
            pieces.max_line
        ),
        (false, Some(line)) => format!(
            "checked in pieces by the rule packs and the line-level rules only, up to line {}; line {line} is longer than {} bytes, so the rest is not read",
            line - 1,
            pieces.max_line
        ),
        (false, None) => {
            "checked in pieces by the rule packs and the line-level rules only".to_string()
        }
    };
    findings.push(Finding::engine(
        FILE_TOO_LARGE,
        Severity::Info,
        &entry.path,
        format!("{size} bytes is over max-file-size ({limit} bytes): {how}"),
    ));
    Ok(Streamed {
        findings,
        complete: !binary && pieces.long_line.is_none(),
        bytes: pieces.read,
        suppressed,
        hash: hasher.and_then(crate::source::digest::ContentHasher::finish),
        timings,
    })
}

fn check_piece(
    entry: &Entry,
    piece: &Piece,
    plugins: &[&ActivePlugin],
    checks: &Checks<'_>,
) -> PieceOutcome {
    let mut done = PieceOutcome::default();
    let lines = Lines::new(&piece.bytes);
    let input = HostFile {
        path: &entry.path,
        bytes: &piece.bytes,
        is_binary: false,
        mode: entry.mode,
    };
    for plugin in plugins {
        let started = checks.timings.then(std::time::Instant::now);
        let found = plugin.validator.check_files(std::slice::from_ref(&input));
        if let Some(started) = started {
            *done.timings.plugins.entry(plugin.name.clone()).or_default() += started.elapsed();
        }
        for reported in found {
            let rule = reported.rule.as_str();
            if rule != PLUGIN_ERROR_RULE && !plugin.line_local.contains(rule) {
                continue;
            }
            let lookup = |rule: &str| plugin.lookup(rule);
            let lines = (reported.path == entry.path).then_some(&lines);
            done.findings
                .extend(convert(reported, &plugin.name, &lookup, lines, checks));
        }
    }
    if let Some(packs) = checks.packs {
        let started = checks.timings.then(std::time::Instant::now);
        pack_findings(
            &entry.path,
            &piece.bytes,
            packs,
            checks,
            &mut Vec::new(),
            None,
            &mut done.findings,
        );
        if let Some(started) = started {
            *done
                .timings
                .plugins
                .entry(KEYWORD_PASS.to_string())
                .or_default() += started.elapsed();
        }
    }
    let shift = piece.first_line - 1;
    let first_new_line = piece.first_line.saturating_add(piece.carried_lines);
    done.findings.retain_mut(|f| {
        if f.line == 0 {
            return true;
        }
        f.line = f.line.saturating_add(shift);
        f.end_line = f.end_line.saturating_add(shift);
        if let Some(snippet) = f.snippet.as_mut() {
            snippet.first_line = snippet.first_line.saturating_add(shift);
        }
        // A file not held whole is never rewritten.
        f.fix.clear();
        f.fixable = false;
        f.end_line >= first_new_line
    });
    let known = |rule: &str| checks.knows(rule);
    done.suppressions =
        crate::scan::suppress::parse_from(&entry.path, &piece.bytes, &known, piece.first_line);
    done
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every piece, as (first line, carried lines, text).
    fn cut(text: &[u8]) -> Vec<(u32, u32, Vec<u8>, usize)> {
        let mut pieces = Pieces::new(text, (PIECE, OVERLAP));
        let mut out = Vec::new();
        while let Some(p) = pieces.next_piece().unwrap() {
            out.push((p.first_line, p.carried_lines, p.bytes, p.carried));
        }
        assert!(pieces.next_piece().unwrap().is_none());
        assert_eq!(pieces.read, text.len() as u64);
        out
    }

    #[test]
    fn pieces_are_whole_lines_that_cover_the_file_in_order() {
        let line = b"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde\n";
        let text: Vec<u8> = line.repeat(PIECE / line.len() * 5 / 2);
        let pieces = cut(&text);
        assert_eq!(pieces.len(), 3);
        let mut rebuilt = Vec::new();
        let mut next_line = 1;
        for (first_line, carried_lines, bytes, carried) in &pieces {
            assert!(bytes.ends_with(b"\n"));
            assert_eq!(*carried, *carried_lines as usize * line.len());
            assert_eq!(*first_line + carried_lines, next_line);
            rebuilt.extend_from_slice(&bytes[*carried..]);
            next_line = first_line + count_lines(bytes);
        }
        assert_eq!(pieces[0].1, 0);
        assert_eq!(pieces[1].1 as usize, OVERLAP / line.len());
        assert_eq!(rebuilt, text);
        assert_eq!(next_line - 1, count_lines(&text));
    }

    #[test]
    fn a_line_longer_than_a_piece_is_kept_whole_and_the_tail_needs_no_newline() {
        let mut text = b"short\n".to_vec();
        text.extend(std::iter::repeat_n(b'x', PIECE * 2));
        text.extend_from_slice(b"\nlast line without newline");
        let pieces = cut(&text);
        let shape: Vec<(u32, u32, usize, usize)> =
            pieces.iter().map(|p| (p.0, p.1, p.2.len(), p.3)).collect();
        // The piece is cut after the last newline it holds; the next one
        // repeats that line and reads on to the end of the long line, which
        // is too long to repeat in turn.
        assert_eq!(
            shape,
            [(1, 0, 6, 0), (1, 1, 6 + PIECE * 2 + 1, 6), (3, 0, 25, 0)]
        );
        assert_eq!(pieces[2].2, b"last line without newline");
    }

    /// Random texts cut with many piece sizes: the new parts of the pieces
    /// rebuild the text, each piece is whole lines, its first line number is
    /// right, and the repeated lines are the previous piece's last ones.
    #[test]
    fn any_text_is_cut_into_pieces_that_rebuild_it() {
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = move |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        };
        for _ in 0..300 {
            let len = next(3000) as usize;
            let text: Vec<u8> = (0..len)
                .map(|_| {
                    if next(12) == 0 {
                        b'\n'
                    } else {
                        b'a' + next(26) as u8
                    }
                })
                .collect();
            let piece = 2 + next(400) as usize;
            let overlap = next(piece as u64 / 2 + 1) as usize;
            let mut pieces = Pieces::new(&text[..], (piece, overlap));
            let mut rebuilt: Vec<u8> = Vec::new();
            let mut previous: Vec<u8> = Vec::new();
            while let Some(p) = pieces.next_piece().unwrap() {
                let line_at_start = 1 + count_lines(&rebuilt[..rebuilt.len() - p.carried]);
                assert_eq!(p.first_line, line_at_start);
                assert_eq!(p.carried_lines, count_lines(&p.bytes[..p.carried]));
                assert!(previous.ends_with(&p.bytes[..p.carried]));
                assert!(p.carried == 0 || p.bytes[p.carried - 1] == b'\n');
                let end = rebuilt.len() + p.bytes.len() - p.carried;
                assert!(p.bytes.ends_with(b"\n") || end == text.len());
                rebuilt.extend_from_slice(&p.bytes[p.carried..]);
                previous = p.bytes;
            }
            match pieces.long_line {
                // Reading stopped before a line longer than a piece may hold:
                // everything before it came out, and it is that long.
                Some(line) => {
                    assert_eq!(line, 1 + count_lines(&rebuilt));
                    assert!(text.starts_with(&rebuilt));
                    let rest = &text[rebuilt.len()..];
                    let long = rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
                    assert!(long > pieces.max_line, "piece {piece}: a line of {long}");
                }
                None => assert_eq!(rebuilt, text, "piece {piece}, overlap {overlap}"),
            }
        }
    }

    #[test]
    fn an_empty_input_has_no_piece() {
        assert!(cut(b"").is_empty());
        assert_eq!(cut(b"one line").len(), 1);
        let long = [b'a'; 4096];
        let pieces = cut(&long);
        assert_eq!(pieces.len(), 1);
        assert_eq!((pieces[0].2.len(), pieces[0].3), (4096, 0));
    }
}
