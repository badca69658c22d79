use super::*;

fn plugin(settings: serde_json::Value) -> ManifestPlugin {
    ManifestPlugin::new(&PluginConfig {
        settings,
        enabled_rules: None,
        root: None,
    })
    .unwrap()
}

fn check(path: &str, text: &str) -> Vec<(String, u32, u32, String)> {
    ward_plugin_sdk::testing::check_file(&plugin(serde_json::Value::Null), path, text.as_bytes())
        .into_iter()
        .map(|f| (f.rule, f.span.line, f.span.column, f.message))
        .collect()
}

#[test]
fn json_syntax_and_duplicates() {
    let found = check("a.json", "{\n  \"name\": \"x\",\n}\n");
    assert_eq!(found.len(), 1);
    assert_eq!(
        (found[0].0.as_str(), found[0].1, found[0].2),
        (SYNTAX, 3, 1)
    );
    assert_eq!(
        found[0].3,
        "invalid JSON: key must be a string at line 3 column 1"
    );
    let found = check("package.json", "{\n  \"port\": 80,\n  \"port\": 8080\n}\n");
    assert_eq!(
        found,
        [(
            DUPLICATE_KEY.into(),
            3,
            3,
            "key `port` appears twice in one object; parsers keep only one".into()
        )]
    );
    assert_eq!(check("tsconfig.json", "{ // comment\n \"a\": 1, }"), []);
    assert_eq!(check("ok.json", "{\"a\": {\"a\": 1}}"), []);
}

#[test]
fn xml_with_a_doctype_parses_and_xml_too_deep_for_the_parser_is_not_parsed() {
    let svg = "<?xml version=\"1.0\"?>\n<!DOCTYPE svg PUBLIC \"-//W3C//DTD SVG 1.1//EN\" \"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd\">\n<svg xmlns=\"http://www.w3.org/2000/svg\"/>\n";
    assert_eq!(check("logo.svg", svg), []);
    let entities = "<!DOCTYPE a [<!ENTITY e \"x\">]>\n<a>&e;</a>\n";
    assert_eq!(check("a.xml", entities), []);
    // 100,000 levels used to overflow the worker thread's stack.
    let deep = "<a>".repeat(100_000) + &"</a>".repeat(100_000);
    assert_eq!(
        check("deep.xml", &deep),
        [(
            SYNTAX.into(),
            1,
            769,
            "XML nested more than 256 elements deep: not parsed".into()
        )]
    );
    let fine = "<a>".repeat(256) + &"</a>".repeat(256);
    assert_eq!(check("fine.xml", &fine), []);
}

#[test]
fn yaml_toml_and_xml_syntax() {
    let yaml = check("ci.yml", "jobs:\n  build: [a, b\n");
    assert_eq!(yaml[0].0, SYNTAX);
    assert!(yaml[0].3.starts_with("invalid YAML:"));
    assert_eq!(check("chart/templates/x.yaml", "a: {{ .Values.x }\n"), []);
    let dup = check("c.yaml", "a: 1\nb: 2\na: 3\n");
    assert_eq!(
        dup,
        [(
            DUPLICATE_KEY.into(),
            3,
            1,
            "key `a` appears twice in one mapping; parsers keep only one".into()
        )]
    );
    let toml = check("c.toml", "[a]\nx = 1\nx = 2\n");
    assert_eq!((toml[0].0.as_str(), toml[0].1), (SYNTAX, 3));
    let xml = check("pom.xml", "<project>\n  <a></b>\n</project>\n");
    assert_eq!((xml[0].0.as_str(), xml[0].1), (SYNTAX, 2));
    assert_eq!(check("ok.xml", "<a><b/></a>"), []);
    assert_eq!(check("ok.toml", "a = 1\n"), []);
    assert_eq!(check("ok.yaml", "a: 1\n"), []);
}

#[test]
fn changelog_headings() {
    let text = "# Changelog\n\n## [Unreleased]\n### Added\n- x\n\n## [1.2.0] - 2024-05-01\n### New stuff\n\n## Version 1.1\n```\n## not a heading\n```\nBased on Keep a Changelog.\n";
    let found: Vec<(u32, String)> = check("CHANGELOG.md", text)
        .into_iter()
        .map(|f| (f.1, f.3))
        .collect();
    assert_eq!(
        found,
        [
            (8, "`### New stuff`: sections are Added, Changed, Deprecated, Removed, Fixed, Security".into()),
            (10, "`## Version 1.1`: a release heading is `## [Unreleased]` or `## [1.2.3] - YYYY-MM-DD`".into()),
        ]
    );
}

#[test]
fn a_changelog_in_another_format_gets_one_finding_until_it_claims_keep_a_changelog() {
    let other = "# Release notes\n\n## 2.0\n### Breaking\n\n## 1.0\n";
    let found: Vec<(u32, String)> = check("CHANGELOG.md", other)
        .into_iter()
        .map(|f| (f.1, f.3))
        .collect();
    assert_eq!(
        found,
        [(1, "`# Release notes`: the title is `# Changelog`, once (3 more headings differ; each is reported once the file links keepachangelog.com)".into())]
    );
    let claimed = format!("{other}\nThe format is based on [Keep a Changelog](https://keepachangelog.com/en/1.1.0/).\n");
    let lines: Vec<u32> = check("CHANGELOG.md", &claimed)
        .iter()
        .map(|f| f.1)
        .collect();
    assert_eq!(lines, [1, 3, 4, 6]);
    let clean = "# Changelog\n\n## [Unreleased]\n\n## [1.0.0] - 2024-05-01\n### Added\n- x\n";
    assert_eq!(check("CHANGELOG.md", clean), []);
    let linked = "# Changelog\n\nKeep a Changelog.\n\n## [Unreleased](https://x.y/compare/v1.1.0...HEAD)\n\n## [1.1.0](https://x.y/compare/v1.0.0...v1.1.0) - 2024-06-01\n### Fixed\n\n## [1.0.0](https://x.y) 2024-05-01\n## [v0.9.0](https://x.y/compare/v0.8.0...v0.9.0) - 2024-04-01\n";
    let lines: Vec<u32> = check("CHANGELOG.md", linked).iter().map(|f| f.1).collect();
    assert_eq!(lines, [10]);
}

#[test]
fn versions_disagreeing_with_the_majority_are_reported_at_their_line() {
    let files: Vec<(&str, &str)> = vec![
        (
            "Cargo.toml",
            "[package]\nname = \"a\"\nversion = \"1.4.0\"\n",
        ),
        (
            "package.json",
            "{\n  \"name\": \"a\",\n  \"version\": \"1.3.2\"\n}\n",
        ),
        ("VERSION", "v1.4.0\n"),
        (
            "CHANGELOG.md",
            "# Changelog\n\n## [Unreleased]\n\n## [1.4.0] - 2024-05-01\n",
        ),
    ];
    let out = ward_plugin_sdk::testing::check_repo(&plugin(serde_json::Value::Null), &files);
    let found: Vec<(String, String, u32, String)> = out
        .into_iter()
        .map(|f| (f.rule, f.path, f.span.line, f.message))
        .collect();
    assert_eq!(
        found,
        [(
            VERSION_MISMATCH.into(),
            "package.json".into(),
            3,
            "version 1.3.2 here, but Cargo.toml, VERSION, CHANGELOG.md say 1.4.0".into()
        )]
    );
}

#[test]
fn unknown_version_sources_are_config_errors() {
    let err = ManifestPlugin::new(&PluginConfig {
        settings: serde_json::json!({"version-sources": ["setup.py"]}),
        enabled_rules: None,
        root: None,
    })
    .err()
    .unwrap();
    assert!(err.starts_with("unknown version source `setup.py`"));
}
