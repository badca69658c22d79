//! Plugins from the past, and plugins that say anything.

use crate::support::{abi1_plugin_library, at, json, places, plugin_library, repo, ward};

#[test]
fn a_plugin_built_against_the_frozen_abi_1_sdk_still_loads_and_runs() {
    let lib = abi1_plugin_library();
    let repo = repo(&[("src/a.txt", b"fine\nsome old code\n")]);
    std::fs::write(
        repo.path().join("ward.toml"),
        format!(
            // The escape keeps the word itself out of ward.toml.
            "[[plugin]]\npath = \"{}\"\n\n[plugins.abi1]\nword = \"\\u006Fld\"\n",
            lib.display()
        ),
    )
    .unwrap();
    let (code, report) = json(
        repo.path(),
        &["--no-default-plugins", "--allow-repo-plugins"],
    );
    assert_eq!(
        places(&report),
        [
            at("abi1/files", "", 0, 0),
            at("abi1/word", "src/a.txt", 2, 6),
        ],
        "{report:#}"
    );
    assert_eq!(report["findings"][0]["message"], "5 entries");
    assert_eq!(report["findings"][1]["message"], "`old` found");
    // Warnings and infos do not fail the run.
    assert_eq!(code, 0);

    let clean = crate::support::repo(&[("src/a.txt", b"fine\n")]);
    std::fs::write(
        clean.path().join("ward.toml"),
        "[rules]\n\"abi1/files\" = \"off\"\n",
    )
    .unwrap();
    let (code, report) = json(
        clean.path(),
        &["--no-default-plugins", "--plugin", lib.to_str().unwrap()],
    );
    assert_eq!(places(&report), [], "{report:#}");
    assert_eq!(code, 0);
}

/// A finding whose message holds every character some format must escape
/// still renders a valid document in every format.
#[test]
fn any_finding_text_renders_valid_output_in_every_format() {
    let lib = plugin_library("ward_test_plugin_faulty");
    let repo = repo(&[
        ("a\"<&>\n.txt", b"FAULTY_HOSTILE\n"),
        // A snippet line that would retitle and clear a terminal, in a file
        // with enough text around it to be text (the bell alone in a short
        // file would make it binary, which the plugin's rules do not run on).
        (
            "b.txt",
            b"FAULTY_MARK \x1b]0;pwned\x07 \x1b[2J\nand then some ordinary words, enough to read as text\n",
        ),
    ]);
    let run = |format: &str| {
        let out = ward(
            repo.path(),
            &[
                "check",
                "--no-default-plugins",
                "--plugin",
                lib.to_str().unwrap(),
                "--format",
                format,
            ],
        )
        .output()
        .unwrap();
        assert_eq!(out.status.code(), Some(0), "{format}: {out:?}");
        String::from_utf8(out.stdout).unwrap()
    };

    let report: serde_json::Value = serde_json::from_str(&run("json")).unwrap();
    let message = report["findings"][0]["message"].as_str().unwrap();
    assert!(message.starts_with("\"quoted\" <b>&amp;</b> ]]> ::error::x"));
    assert!(message.contains("line\r\nnext\u{0}nul"), "{message:?}");

    let sarif: serde_json::Value = serde_json::from_str(&run("sarif")).unwrap();
    assert_eq!(
        sarif["runs"][0]["results"][0]["message"]["text"].as_str(),
        Some(message)
    );

    let junit = run("junit");
    let doc = roxmltree::Document::parse(&junit).unwrap_or_else(|e| panic!("{e}: {junit}"));
    // A warning, below --fail-on: a passing case with the finding as output.
    let output = doc
        .descendants()
        .find(|n| n.has_tag_name("system-out"))
        .unwrap();
    assert!(output
        .text()
        .unwrap()
        .contains("\"quoted\" <b>&amp;</b> ]]>"));

    // One workflow command per line; nothing after it can start another.
    let github = run("github");
    assert_eq!(github.lines().count(), 2, "{github}");
    assert!(
        github.starts_with("::warning file=a\"<&>%0A.txt,"),
        "{github}"
    );
    assert!(!github.contains('\r'), "{github}");

    // Text output is for a terminal: no raw escape sequence or control
    // character from a plugin reaches it.
    let text = run("text");
    assert!(
        !text
            .replace("\r\n", "\n")
            .chars()
            .any(|c| c.is_control() && c != '\n'),
        "{text:?}"
    );
    assert!(
        text.contains("FAULTY_MARK \u{241b}]0;pwned\u{2407} \u{241b}[2J"),
        "{text}"
    );
}
