use super::*;

struct Repo {
    dir: tempfile::TempDir,
}

impl Repo {
    fn new(editorconfig: &str) -> Repo {
        let dir = tempfile::TempDir::new().unwrap();
        std::fs::write(dir.path().join(".editorconfig"), editorconfig).unwrap();
        Repo { dir }
    }

    fn check(&self, path: &str, bytes: &[u8]) -> Vec<(String, u32, u32, String)> {
        let plugin = EditorconfigPlugin::new(&PluginConfig {
            root: Some(self.dir.path().to_string_lossy().into_owned()),
            ..Default::default()
        })
        .unwrap();
        ward_plugin_sdk::testing::check_file(&plugin, path, bytes)
            .into_iter()
            .map(|f| (f.rule, f.span.line, f.span.column, f.message))
            .collect()
    }
}

const CONFIG: &str = "root = true\n\n[*]\nend_of_line = lf\n\n[*.py]\nindent_style = space\nindent_size = 4\nmax_line_length = 20\n\n[Makefile]\nindent_style = tab\n\n[*.txt]\ncharset = utf-8-bom\n";

#[test]
fn indentation_style_and_size() {
    let repo = Repo::new(CONFIG);
    let found = repo.check(
        "a.py",
        b"def f():\n\treturn 1\n   x = 2\n        y = 3\n\tz\n",
    );
    assert_eq!(
        found,
        [
            (
                INDENT_STYLE.into(),
                2,
                1,
                "indented with a tab but .editorconfig says indent_style = space (2 lines)".into()
            ),
            (
                INDENT_SIZE.into(),
                3,
                1,
                "indented by 3 spaces, not a multiple of indent_size = 4 (1 line)".into()
            ),
        ]
    );
    assert_eq!(
        repo.check("Makefile", b"all:\n    echo hi\n")[0].0,
        INDENT_STYLE
    );
    assert_eq!(repo.check("Makefile", b"all:\n\techo hi\n"), []);
    assert_eq!(
        repo.check(
            "b.py",
            b"def f():\n    return 1\n    /*\n     * comment\n     */\n"
        ),
        []
    );
}

#[test]
fn end_of_line_when_consistent_and_wrong_with_a_fix() {
    let repo = Repo::new(CONFIG);
    let mut out = Vec::new();
    let plugin = EditorconfigPlugin::new(&PluginConfig {
        root: Some(repo.dir.path().to_string_lossy().into_owned()),
        ..Default::default()
    })
    .unwrap();
    plugin.check_file(
        &File {
            path: "w.md",
            bytes: b"a\r\nbc\r\n",
            is_binary: false,
            mode: 0o644,
        },
        &mut out,
    );
    assert_eq!(out.len(), 1);
    assert_eq!(
        (out[0].rule.as_str(), out[0].span.line, out[0].span.column),
        (END_OF_LINE, 1, 2)
    );
    assert_eq!(
        out[0].message,
        "lines end with CRLF but .editorconfig says end_of_line = lf"
    );
    let edits: Vec<(usize, usize)> = out[0].fix.iter().map(|e| (e.start, e.end)).collect();
    assert_eq!(edits, [(1, 3), (5, 7)]);
    // Mixed endings are text/mixed-line-endings' finding, not repeated here.
    assert_eq!(repo.check("m.md", b"a\r\nb\n"), []);
    assert_eq!(repo.check("ok.md", b"a\nb\n"), []);
}

#[test]
fn charset_marks_and_line_length() {
    let repo = Repo::new(CONFIG);
    assert_eq!(
        repo.check("a.txt", b"hello\n"),
        [(
            CHARSET.into(),
            1,
            1,
            "no byte-order mark, but .editorconfig says charset = utf-8-bom".into()
        )]
    );
    assert_eq!(repo.check("b.txt", b"\xef\xbb\xbfhello\n"), []);
    assert_eq!(
        repo.check("long.py", b"x = 1\nthis_line_is_far_too_long = 2\n"),
        [(
            MAX_LINE_LENGTH.into(),
            2,
            21,
            "line is 29 characters, over max_line_length = 20".into()
        )]
    );
}

#[test]
fn files_no_section_applies_to_get_nothing() {
    let repo = Repo::new("root = true\n[*.py]\nindent_style = space\n");
    assert_eq!(repo.check("a.js", b"\tx\n"), []);
}
