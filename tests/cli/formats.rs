//! CI formats: SARIF, JUnit, GitHub annotations, and --output.

use crate::support::{fixture, repo, ward};

fn output(dir: &std::path::Path, args: &[&str]) -> (i32, String) {
    let out = ward(dir, args).output().unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
    )
}

#[test]
fn github_annotations_for_the_text_fixture() {
    let repo = fixture("text");
    let (code, stdout) = output(repo.path(), &["check", "--format", "github"]);
    assert_eq!(code, 1);
    assert_eq!(
        stdout,
        "::warning file=bom.txt,line=1,col=1,endLine=1,endColumn=2,title=text/bom::UTF-8 byte-order mark\n\
         ::error file=conflict.txt,line=1,col=1,endLine=1,endColumn=8,title=text/merge-conflict::merge conflict marker `<<<<<<<`\n\
         ::error file=conflict.txt,line=3,col=1,endLine=3,endColumn=8,title=text/merge-conflict::merge conflict marker `=======`\n\
         ::error file=conflict.txt,line=5,col=1,endLine=5,endColumn=8,title=text/merge-conflict::merge conflict marker `>>>>>>>`\n\
         ::error file=latin1.txt,line=1,col=4,endLine=1,endColumn=5,title=text/invalid-utf8::invalid UTF-8 byte sequence 0xE9\n\
         ::error file=notes/no-newline.txt,line=2,col=7,endLine=2,endColumn=7,title=text/final-newline::no newline at end of file\n\
         ::error file=src/trailing.rs,line=1,col=12,endLine=1,endColumn=14,title=text/trailing-whitespace::2 trailing whitespace characters\n\
         ::error file=src/trailing.rs,line=2,col=15,endLine=2,endColumn=16,title=text/trailing-whitespace::1 trailing whitespace character\n\
         ::error file=win/mixed.txt,line=1,col=2,endLine=1,endColumn=2,title=text/mixed-line-endings::line ends with CRLF but most lines of this file end with LF (1 line to change)\n"
    );
}

#[test]
fn github_commands_escape_names_and_messages() {
    let repo = repo(&[("a,b:c%.txt", b"x \n")]);
    let (_, stdout) = output(repo.path(), &["check", "--format", "github"]);
    assert_eq!(
        stdout,
        "::error file=a%2Cb%3Ac%25.txt,title=structure/portable-name::`a,b:c%25.txt` contains `:`, which Windows forbids in names\n\
         ::error file=a%2Cb%3Ac%25.txt,line=1,col=2,endLine=1,endColumn=3,title=text/trailing-whitespace::1 trailing whitespace character\n"
    );
}

#[test]
fn sarif_carries_rules_results_regions_and_fingerprints() {
    let repo = fixture("text");
    let (code, stdout) = output(repo.path(), &["check", "--format", "sarif"]);
    assert_eq!(code, 1);
    let log: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(log["version"], "2.1.0");
    let run = &log["runs"][0];
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "ward");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    let rules = driver["rules"].as_array().unwrap();
    let bom_index = rules.iter().position(|r| r["id"] == "text/bom").unwrap();
    let bom = &rules[bom_index];
    assert_eq!(
        bom["shortDescription"]["text"],
        "A UTF-8 byte-order mark at the start of a file"
    );
    assert_eq!(bom["defaultConfiguration"]["level"], "warning");
    assert!(bom["help"]["text"].as_str().unwrap().contains("## Bad"));
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 9);
    let first = &results[0];
    assert_eq!(first["ruleId"], "text/bom");
    assert_eq!(first["ruleIndex"], bom_index);
    assert_eq!(first["level"], "warning");
    let location = &first["locations"][0]["physicalLocation"];
    assert_eq!(location["artifactLocation"]["uri"], "bom.txt");
    assert_eq!(location["region"]["startLine"], 1);
    assert_eq!(location["region"]["startColumn"], 1);
    assert_eq!(location["region"]["endColumn"], 2);
    assert_eq!(
        first["partialFingerprints"]["wardFingerprint/v1"]
            .as_str()
            .unwrap()
            .len(),
        16
    );
}

#[test]
fn junit_has_one_failing_case_per_finding_and_one_passing_case_when_clean() {
    let repo = fixture("text");
    let (_, stdout) = output(repo.path(), &["check", "--format", "junit"]);
    // Eight errors fail; the warning is below --fail-on, so its case passes
    // with the finding as its output.
    assert!(stdout.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"ward\" tests=\"9\" failures=\"8\""), "{stdout}");
    assert_eq!(stdout.matches("<testcase ").count(), 9);
    assert_eq!(stdout.matches("<failure ").count(), 8);
    assert!(stdout.contains(
        "<testcase classname=\"text/bom\" name=\"bom.txt:1:1\" file=\"bom.txt\" line=\"1\" time=\"0\">\n      \
         <system-out>warning: bom.txt:1:1 text/bom: UTF-8 byte-order mark</system-out>"
    ), "{stdout}");
    let (_, stdout) = output(
        repo.path(),
        &["check", "--format", "junit", "--fail-on", "warning"],
    );
    assert_eq!(stdout.matches("<failure ").count(), 9);
    assert!(stdout.contains(
        "<testcase classname=\"text/merge-conflict\" name=\"conflict.txt:1:1\" file=\"conflict.txt\" line=\"1\" time=\"0\">\n      \
         <failure message=\"merge conflict marker `&lt;&lt;&lt;&lt;&lt;&lt;&lt;`\" type=\"error\">"
    ), "{stdout}");
    let clean = fixture("text-clean");
    let (code, stdout) = output(clean.path(), &["check", "--format", "junit"]);
    assert_eq!(code, 0);
    assert!(stdout.contains("tests=\"1\" failures=\"0\""), "{stdout}");
    assert!(
        stdout.contains("<testcase classname=\"ward\" name=\"12 files checked\" time=\"0\"/>"),
        "{stdout}"
    );
}

#[test]
fn output_writes_the_report_to_a_file() {
    let repo = fixture("text");
    let (code, stdout) = output(
        repo.path(),
        &["check", "--format", "json", "--output", "report.json"],
    );
    assert_eq!(code, 1);
    assert_eq!(stdout, "");
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(repo.path().join("report.json")).unwrap()).unwrap();
    assert_eq!(report["findings"].as_array().unwrap().len(), 9);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &str| {
            std::fs::metadata(repo.path().join(p))
                .unwrap()
                .permissions()
                .mode()
                & 0o777
        };
        // A new report is readable like any file; a replaced one keeps its mode.
        assert_eq!(mode("report.json"), 0o644);
        std::fs::set_permissions(
            repo.path().join("report.json"),
            std::fs::Permissions::from_mode(0o600),
        )
        .unwrap();
        output(
            repo.path(),
            &["check", "--format", "json", "--output", "report.json"],
        );
        assert_eq!(mode("report.json"), 0o600);
    }
}

#[test]
fn listings_refuse_ci_formats() {
    let repo = repo(&[]);
    let out = ward(repo.path(), &["rules", "--format", "sarif"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

/// `-o` naming a FIFO, a device or a symlink writes through it: renaming a
/// temporary file over it would replace the pipe, device or link.
#[cfg(unix)]
#[test]
fn output_through_a_fifo_keeps_it_and_a_symlink_is_replaced() {
    use std::os::unix::fs::FileTypeExt;
    let repo = fixture("text");
    let out = tempfile::TempDir::new().unwrap();
    let fifo = out.path().join("report.pipe");
    let name = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o644) }, 0);
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
    };
    let (code, _) = output(
        repo.path(),
        &["check", "--format", "json", "-o", fifo.to_str().unwrap()],
    );
    assert_eq!(code, 1);
    let report: serde_json::Value = serde_json::from_str(&reader.join().unwrap()).unwrap();
    assert_eq!(report["findings"].as_array().unwrap().len(), 9);
    assert!(std::fs::symlink_metadata(&fifo)
        .unwrap()
        .file_type()
        .is_fifo());

    let target = out.path().join("real.json");
    std::fs::write(&target, b"old").unwrap();
    let link = out.path().join("link.json");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    output(
        repo.path(),
        &["check", "--format", "json", "-o", link.to_str().unwrap()],
    );
    // A link to a file is replaced by the report, never written through:
    // a checked-out tree may plant `ward.sarif -> ~/.bashrc`.
    assert!(std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_file());
    assert_eq!(std::fs::read(&target).unwrap(), b"old");
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&link).unwrap()).unwrap();
    assert_eq!(written["findings"].as_array().unwrap().len(), 9);
}
