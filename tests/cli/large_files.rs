//! Files above `max-file-size`: checked in pieces of whole lines by the rule
//! packs and the line-level rules, never held whole, never rewritten.

use crate::support::{at, places, repo, ward, write};
use serde_json::Value;

/// `WARD_PIECE_BYTES` cuts these small files into many pieces, as 4 MiB
/// pieces cut a large one.
const PIECE_BYTES: &str = "600";

fn check(dir: &std::path::Path, args: &[&str]) -> (i32, Value) {
    let mut all = vec!["check", "--format", "json", "--no-cache"];
    all.extend_from_slice(args);
    let output = ward(dir, &all)
        .env("WARD_PIECE_BYTES", PIECE_BYTES)
        .output()
        .unwrap();
    let report = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    (output.status.code().unwrap(), report)
}

/// About 7 KB of lines with a finding of each kind spread through them; the
/// private key sits across a cut between pieces.
fn large_text() -> Vec<u8> {
    let token = ["ghp_", "Zq8Kx3Lm9Vb2Rt7Np4Wc6Yd1Fg5Hj0Ks2AaB"].concat();
    let key_body = "IHbgjAe0H80wmVXa5zLd6EpNtVXaoj+rFulKchULo/vd8PJ2yID19zzzSRyRbJH9";
    let mut text = String::new();
    for n in 1..=240 {
        let line = match n {
            50 => "trailing  \n".to_string(),
            // The RSA key block starts here.
            118 => ["-----BEGIN RSA ", "PRIVATE KEY-----\n"].concat(),
            119..=121 => format!("{key_body}\n"),
            122 => ["-----END RSA ", "PRIVATE KEY-----\n"].concat(),
            170 => format!("TOKEN={token}\n"),
            179 => "# ward:ignore text/trailing-whitespace\n".to_string(),
            180 => "ignored   \n".to_string(),
            // Mixed line endings: a whole-file rule, not run on pieces.
            190 => "windows line\r\n".to_string(),
            // No final newline.
            240 => "the end".to_string(),
            _ => format!("line {n:03} of some ordinary filler text\n"),
        };
        text.push_str(&line);
    }
    text.into_bytes()
}

#[test]
fn a_file_over_max_file_size_is_checked_in_pieces_and_finds_what_line_rules_find_whole() {
    let repo = repo(&[("big.txt", &large_text())]);
    write(repo.path(), "ward.toml", b"max-file-size = \"2KiB\"\n");
    let (code, streamed) = check(repo.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(
        places(&streamed),
        [
            at("ward/file-too-large", "big.txt", 0, 0),
            at("text/trailing-whitespace", "big.txt", 50, 9),
            at("secrets/rsa-private-key", "big.txt", 118, 1),
            at("secrets/github-pat", "big.txt", 170, 7),
            at("text/final-newline", "big.txt", 240, 8),
        ]
    );
    let info = &streamed["findings"][0];
    assert_eq!(
        info["message"],
        format!(
            "{} bytes is over max-file-size (2048 bytes): checked in pieces by the rule packs and the line-level rules only",
            large_text().len()
        )
    );
    // The secrets are masked as in a whole file, snippets numbered in the file.
    let key = &streamed["findings"][2];
    assert_eq!(key["snippet"]["first_line"], 117);
    assert!(!key.to_string().contains("IHbgjAe0H80wmVXa5zLd6"));
    assert_eq!(streamed["summary"]["suppressed"], 1);

    // Held whole, the same file gives the same line-level findings, plus the
    // whole-file rule that pieces cannot judge.
    write(repo.path(), "ward.toml", b"max-file-size = \"1MiB\"\n");
    let (_, whole) = check(repo.path(), &[]);
    let mut expected = places(&streamed);
    expected.retain(|(rule, ..)| rule != "ward/file-too-large");
    expected.insert(3, at("text/mixed-line-endings", "big.txt", 190, 13));
    assert_eq!(places(&whole), expected);
}

#[test]
fn a_clean_file_over_max_file_size_gives_only_the_note_that_it_was_streamed() {
    let text: String = (1..=300)
        .map(|n| format!("line {n:03} of some ordinary filler text\n"))
        .collect();
    let repo = repo(&[("big.txt", text.as_bytes())]);
    write(repo.path(), "ward.toml", b"max-file-size = \"2KiB\"\n");
    let (code, report) = check(repo.path(), &[]);
    assert_eq!(
        places(&report),
        [at("ward/file-too-large", "big.txt", 0, 0)]
    );
    assert_eq!(report["findings"][0]["severity"], "info");
    assert_eq!(report["summary"]["files_scanned"], 4);
    assert_eq!(code, 0);
}

#[test]
fn fix_never_rewrites_a_file_it_read_in_pieces() {
    let text = large_text();
    let repo = repo(&[("big.txt", &text), ("small.txt", b"x  \n")]);
    write(repo.path(), "ward.toml", b"max-file-size = \"2KiB\"\n");
    let (_, report) = check(repo.path(), &["--fix"]);
    assert_eq!(std::fs::read(repo.path().join("big.txt")).unwrap(), text);
    assert_eq!(
        std::fs::read(repo.path().join("small.txt")).unwrap(),
        b"x\n"
    );
    let rules: Vec<_> = places(&report)
        .into_iter()
        .filter(|(rule, ..)| rule.starts_with("text/"))
        .collect();
    assert_eq!(
        rules,
        [
            at("text/trailing-whitespace", "big.txt", 50, 9),
            at("text/final-newline", "big.txt", 240, 8),
        ]
    );
}

#[test]
fn a_line_too_long_to_hold_ends_the_reading_with_a_note() {
    // Pieces of 600 bytes allow lines of 4,800; line 3 is 20,000 long. Past
    // it nothing is read, so memory stays bounded on a dump that is one
    // multi-gigabyte line.
    let token = ["ghp_", "Zq8Kx3Lm9Vb2Rt7Np4Wc6Yd1Fg5Hj0Ks2AaB"].concat();
    let mut text = format!("ok\ntrailing \n{}\nTOKEN={token}\n", "x".repeat(20_000));
    text.push_str(&"after \n".repeat(100));
    let repo = repo(&[("dump.txt", text.as_bytes())]);
    write(repo.path(), "ward.toml", b"max-file-size = \"2KiB\"\n");
    let (code, report) = check(repo.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(
        places(&report),
        [
            at("ward/file-too-large", "dump.txt", 0, 0),
            at("text/trailing-whitespace", "dump.txt", 2, 9),
        ]
    );
    assert_eq!(
        report["findings"][0]["message"],
        format!(
            "{} bytes is over max-file-size (2048 bytes): checked in pieces by the rule packs and the line-level rules only, up to line 2; line 3 is longer than 4800 bytes, so the rest is not read",
            text.len()
        )
    );
}
