//! `manifest/syntax`

use crate::document::Document;

use ward_plugin_sdk::{category, class, Finding, RuleInfo, Severity};

/// The rule's id.
pub const ID: &str = "manifest/syntax";

const DOCS: &str = r#"## What it does
Parses `.json`, `.yml`/`.yaml`, `.toml` and XML files (`.xml`, `.csproj`, `.props`, `.targets`, `.plist`, `.xsd`, `.xsl`, `.svg`) and reports the first error at its line and column. XML may have a DOCTYPE (no external DTD is fetched); XML nested more than 256 elements deep (libxml2's limit) is reported as not parsed, where the parser's stack would overflow. JSON-with-comments files (`tsconfig*.json`, `jsconfig*.json`, `.vscode/`, `.devcontainer/`, `*.jsonc`, `.eslintrc.json`, cspell, Babel, SWC, Biome, Deno and Turbo configs) are skipped, and so are templates, which become the format only once rendered: a file with a line starting with `{{` or `{%`, or with `{{` under a `templates/` or `layouts/` folder (Helm charts, Hugo layouts); YAML that does not parse and contains `{{` too. Test fixtures are not checked: a broken manifest there is often the test's input.

## Bad
```json
{"name": "app",}
```

## Good
```json
{"name": "app"}
```"#;

/// The rule's metadata.
pub fn info() -> RuleInfo {
    RuleInfo::new(
        ID,
        "A JSON, YAML, TOML or XML file that does not parse",
        Severity::Error,
        DOCS,
    )
    .category(category::MANIFESTS)
    // Not test fixtures: a broken manifest there is often the test's input.
    .classes(&[class::DOCUMENTATION, class::GENERATED])
}

/// Reports the first syntax error of a JSON, YAML, TOML or XML file.
pub fn check(document: &Document<'_>, out: &mut Vec<Finding>) {
    if let Some((message, span)) = document.syntax_error() {
        out.push(Finding::new(ID, message.clone()).at(*span));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tests::check;

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
                ID.into(),
                1,
                769,
                "XML nested more than 256 elements deep: not parsed".into()
            )]
        );
        let fine = "<a>".repeat(256) + &"</a>".repeat(256);
        assert_eq!(check("fine.xml", &fine), []);
    }

    #[test]
    fn json_syntax_at_the_parser_place() {
        assert_eq!(
            check("a.json", "{\n  \"name\": \"x\",\n}\n"),
            [(
                ID.into(),
                3,
                1,
                "invalid JSON: key must be a string at line 3 column 1".into()
            )]
        );
        // JSON with comments is left alone.
        assert_eq!(check("tsconfig.json", "{ // comment\n \"a\": 1, }"), []);
        assert_eq!(check(".cspell.json", "{\n  // words\n  \"a\": 1\n}\n"), []);
    }

    /// Templates become the format once rendered: a Hugo RSS layout, a
    /// Helm chart's manifest. A `{{name}}` in a JSON string is not one.
    #[test]
    fn templates_are_not_parsed() {
        let rss = "{{- $x := 1 -}}\n<rss>{{ .Title }}</rss>\n";
        assert_eq!(check("layouts/list.rss.xml", rss), []);
        let helm = "apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ .Release.Name }}\n";
        assert_eq!(check("chart/templates/svc.yaml", helm), []);
        assert_eq!(
            check("i18n/en.json", "{\"hi\": \"Hello {{name}}\",}\n"),
            [(
                ID.into(),
                1,
                25,
                "invalid JSON: key must be a string at line 1 column 25".into()
            )]
        );
    }

    #[test]
    fn yaml_toml_and_xml_syntax() {
        let yaml = check("ci.yml", "jobs:\n  build: [a, b\n");
        // The parser says 3:2, past the end of the file: shown at its end.
        assert_eq!((yaml[0].0.as_str(), yaml[0].1, yaml[0].2), (ID, 3, 1));
        assert!(yaml[0].3.starts_with("invalid YAML:"), "{}", yaml[0].3);
        // A template that only parses once rendered.
        assert_eq!(check("chart/templates/x.yaml", "a: {{ .Values.x }\n"), []);
        let toml = check("c.toml", "[a]\nx = 1\nx = 2\n");
        assert_eq!((toml[0].0.as_str(), toml[0].1), (ID, 3));
        let xml = check("pom.xml", "<project>\n  <a></b>\n</project>\n");
        assert_eq!((xml[0].0.as_str(), xml[0].1), (ID, 2));
        assert_eq!(check("ok.xml", "<a><b/></a>"), []);
        assert_eq!(check("ok.toml", "a = 1\n"), []);
        assert_eq!(check("ok.yaml", "a: 1\n"), []);
    }
}
