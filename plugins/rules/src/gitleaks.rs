//! Reading a gitleaks configuration (`[[rules]]` with `id`, `regex`,
//! `keywords`, `entropy`, `secretGroup`, `path`, allowlists) as a ward pack.
//!
//! gitleaks regexes are Go RE2 syntax; nearly all of it is Rust `regex`
//! syntax too. A rule that does not translate is left out with a warning
//! naming it, never silently.

use serde::Deserialize;

/// The result of a translation.
#[derive(Debug)]
pub struct Translation {
    /// The ward pack, as TOML text (what `ward import gitleaks` writes).
    pub pack_toml: String,
    /// Rules translated.
    pub translated: usize,
    /// Rules in the gitleaks configuration.
    pub total: usize,
    /// One line per rule or allowlist that could not be translated.
    pub warnings: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct Config {
    #[serde(default)]
    title: String,
    #[serde(default)]
    allowlist: Option<Allowlist>,
    #[serde(default)]
    allowlists: Vec<Allowlist>,
    #[serde(default)]
    rules: Vec<GlRule>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct GlRule {
    id: String,
    #[serde(default)]
    description: String,
    regex: Option<String>,
    secret_group: Option<usize>,
    entropy: Option<f64>,
    #[serde(default)]
    keywords: Vec<String>,
    path: Option<String>,
    #[serde(default)]
    allowlists: Vec<Allowlist>,
    allowlist: Option<Allowlist>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Allowlist {
    regex_target: Option<String>,
    #[serde(default)]
    regexes: Vec<String>,
    #[serde(default)]
    stopwords: Vec<String>,
    #[serde(default)]
    paths: Vec<String>,
    condition: Option<String>,
}

fn toml_string(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

fn toml_list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|s| toml_string(s)).collect();
    if quoted.iter().map(String::len).sum::<usize>() < 60 {
        format!("[{}]", quoted.join(", "))
    } else {
        format!("[\n    {},\n]", quoted.join(",\n    "))
    }
}

/// Go's RE2 reads a `{` that starts no repetition (`${VAR}`) as a literal;
/// Rust's regex calls it an error. Escape those, leave everything else alone.
pub fn go_to_rust(pattern: &str) -> String {
    let chars: Vec<char> = pattern.chars().collect();
    let mut out = String::with_capacity(pattern.len() + 8);
    let mut in_class = false;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\\' => {
                out.push(c);
                if let Some(next) = chars.get(i + 1) {
                    out.push(*next);
                }
                i += 2;
                continue;
            }
            '[' if !in_class => {
                in_class = true;
                out.push(c);
                // A `]` right after `[` or `[^` is a literal member.
                if chars.get(i + 1) == Some(&'^') {
                    out.push('^');
                    i += 1;
                }
                if chars.get(i + 1) == Some(&']') {
                    out.push(']');
                    i += 1;
                }
            }
            ']' if in_class => {
                in_class = false;
                out.push(c);
            }
            '{' if !in_class => {
                let rest: String = chars[i + 1..].iter().take_while(|c| **c != '}').collect();
                let closed = chars.len() > i + 1 + rest.len();
                let mut parts = rest.splitn(2, ',');
                let min_ok = parts
                    .next()
                    .is_some_and(|m| !m.is_empty() && m.chars().all(|c| c.is_ascii_digit()));
                let max_ok = parts
                    .next()
                    .is_none_or(|m| m.chars().all(|c| c.is_ascii_digit()));
                if closed && min_ok && max_ok {
                    out.push(c);
                } else {
                    out.push_str("\\{");
                }
            }
            _ => out.push(c),
        }
        i += 1;
    }
    out
}

fn compiles(pattern: &str) -> Result<(), String> {
    crate::pack::compile(pattern).map(|_| ()).map_err(|e| {
        e.to_string()
            .lines()
            .last()
            .unwrap_or_default()
            .trim()
            .to_string()
    })
}

fn ward_id(id: &str) -> String {
    id.to_lowercase()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// Allow entries and excluded path patterns of one allowlist.
struct Translated {
    allow: Vec<String>,
    paths: Vec<String>,
}

fn translate_allowlist(
    list: &Allowlist,
    owner: &str,
    warnings: &mut Vec<String>,
) -> Option<Translated> {
    if list
        .condition
        .as_deref()
        .is_some_and(|c| c.eq_ignore_ascii_case("and"))
    {
        warnings.push(format!(
            "{owner}: an allowlist with condition = \"AND\" is not supported; it was left out, so the rule may report more"
        ));
        return None;
    }
    let prefix = match list.regex_target.as_deref() {
        None | Some("secret") => "re:",
        Some("match") => "re-match:",
        Some("line") => "re-line:",
        Some(other) => {
            warnings.push(format!(
                "{owner}: regexTarget `{other}` is unknown; allowlist left out"
            ));
            return None;
        }
    };
    let mut allow: Vec<String> = list.stopwords.clone();
    for regex in list.regexes.iter().map(|r| go_to_rust(r)) {
        match compiles(&regex) {
            Ok(()) => allow.push(format!("{prefix}{regex}")),
            Err(e) => warnings.push(format!("{owner}: allowlist regex left out ({e}): {regex}")),
        }
    }
    let mut paths = Vec::new();
    for path in list.paths.iter().map(|p| go_to_rust(p)) {
        match compiles(&path) {
            Ok(()) => paths.push(path.clone()),
            Err(e) => warnings.push(format!("{owner}: allowlist path left out ({e}): {path}")),
        }
    }
    Some(Translated { allow, paths })
}

/// Translates gitleaks TOML into a ward pack named `pack_name`.
pub fn translate(text: &str, source_name: &str, pack_name: &str) -> Result<Translation, String> {
    let config: Config = toml::from_str(text).map_err(|e| {
        format!(
            "{source_name}: not a gitleaks configuration: {}",
            e.message().trim()
        )
    })?;
    let mut warnings = Vec::new();
    let mut out = String::new();
    out.push_str(&format!(
        "# Translated from the gitleaks configuration {source_name} by ward.\n\
         # Regexes are gitleaks' own; check with `ward test-rules`.\n\
         name = {}\n\
         description = {}\n\
         redact = true\n\
         category = \"security\"\n\
         # gitleaks keeps every specific finding and drops a generic one only\n\
         # under a specific secret of the same line; it decodes 5 layers.\n\
         overlap = \"gitleaks\"\n\
         decode-depth = 5\n",
        toml_string(pack_name),
        toml_string(if config.title.is_empty() {
            "gitleaks rules"
        } else {
            &config.title
        }),
    ));
    let mut global_allow = Vec::new();
    let mut global_paths = Vec::new();
    for list in config.allowlist.iter().chain(&config.allowlists) {
        if let Some(t) = translate_allowlist(list, "global allowlist", &mut warnings) {
            global_allow.extend(t.allow);
            global_paths.extend(t.paths);
        }
    }
    if !global_allow.is_empty() {
        out.push_str(&format!("allow = {}\n", toml_list(&global_allow)));
    }
    if !global_paths.is_empty() {
        out.push_str(&format!(
            "exclude-path-patterns = {}\n",
            toml_list(&global_paths)
        ));
    }
    let mut translated = 0;
    let mut seen = std::collections::HashSet::new();
    for rule in &config.rules {
        let owner = format!("rule `{}`", rule.id);
        let Some(regex) = rule.regex.as_deref().map(go_to_rust) else {
            warnings.push(format!(
                "{owner}: matches by path only, which a rule pack does not express; left out"
            ));
            continue;
        };
        if let Err(e) = compiles(&regex) {
            warnings.push(format!(
                "{owner}: its regex is not Rust regex syntax ({e}); left out"
            ));
            continue;
        }
        let id = ward_id(&rule.id);
        if !seen.insert(id.clone()) {
            warnings.push(format!("{owner}: duplicate id; left out"));
            continue;
        }
        out.push_str(&format!("\n[[rule]]\nid = {}\n", toml_string(&id)));
        let message = if rule.description.is_empty() {
            rule.id.clone()
        } else {
            rule.description.clone()
        };
        out.push_str(&format!("message = {}\n", toml_string(&message)));
        out.push_str(&format!("pattern = {}\n", toml_string(&regex)));
        if !rule.keywords.is_empty() {
            out.push_str(&format!("keywords = {}\n", toml_list(&rule.keywords)));
        }
        if let Some(entropy) = rule.entropy {
            // gitleaks skips a secret whose entropy is at or below its
            // threshold; ward's `entropy` is a minimum kept. The next float
            // above the threshold makes a tie behave as in gitleaks.
            let above = f64::from_bits(entropy.to_bits() + 1).min(8.0);
            out.push_str(&format!(
                "# gitleaks: entropy above {entropy:?}\nentropy = {above:?}\n"
            ));
        }
        if let Some(group) = rule.secret_group.filter(|g| *g > 0) {
            out.push_str(&format!("secret-group = {group}\n"));
        }
        if let Some(path) = rule.path.as_deref().map(go_to_rust) {
            match compiles(&path) {
                Ok(()) => out.push_str(&format!("path-pattern = {}\n", toml_string(&path))),
                Err(e) => warnings.push(format!("{owner}: path regex left out ({e}): {path}")),
            }
        }
        let mut allow = Vec::new();
        let mut paths = Vec::new();
        for list in rule.allowlist.iter().chain(&rule.allowlists) {
            if let Some(t) = translate_allowlist(list, &owner, &mut warnings) {
                allow.extend(t.allow);
                paths.extend(t.paths);
            }
        }
        if !allow.is_empty() {
            out.push_str(&format!("allow = {}\n", toml_list(&allow)));
        }
        if !paths.is_empty() {
            out.push_str(&format!("exclude-path-patterns = {}\n", toml_list(&paths)));
        }
        translated += 1;
    }
    Ok(Translation {
        pack_toml: out,
        translated,
        total: config.rules.len(),
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{parse, PackSource, RuleSet};

    const CONFIG: &str = r#"
title = "team gitleaks"
[allowlist]
paths = ['''(?:^|/)vendor/''']
stopwords = ["example"]

[[rules]]
id = "team-token"
description = "Team token"
regex = '''\b(tt_[a-z0-9]{12})\b'''
keywords = ["tt_"]
entropy = 2.5
secretGroup = 1
[[rules.allowlists]]
regexTarget = "line"
regexes = ['''#\s*nosecret''']

[[rules]]
id = "lookahead"
description = "uses Perl syntax"
regex = '''secret(?=[0-9])'''

[[rules]]
id = "pfx-file"
path = '''\.pfx$'''
"#;

    #[test]
    fn translates_rules_and_warns_about_the_rest() {
        let t = translate(CONFIG, "gitleaks.toml", "gitleaks").unwrap();
        assert_eq!(t.translated, 1);
        assert_eq!(t.warnings.len(), 2, "{:?}", t.warnings);
        assert!(
            t.warnings[0].starts_with("rule `lookahead`: its regex is not Rust regex syntax"),
            "{}",
            t.warnings[0]
        );
        assert!(t.warnings[1].starts_with("rule `pfx-file`: matches by path only"));

        let pack = parse(&PackSource {
            name: "gitleaks.toml".into(),
            text: t.pack_toml.clone(),
        })
        .unwrap();
        assert_eq!(pack.name, "gitleaks");
        let set = RuleSet::new(pack.rules);
        let mut out = Vec::new();
        set.scan("src/a.py", b"key = tt_a1b2c3d4e5f6\n", &mut out);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].secret.as_deref(), Some("tt_a1b2c3d4e5f6"));
        // The allowlists came along: global path, global stopword, rule line regex.
        for (path, text) in [
            ("vendor/a.py", "tt_a1b2c3d4e5f6"),
            ("a.py", "tt_example1234"),
            ("a.py", "tt_a1b2c3d4e5f6 # nosecret"),
        ] {
            let mut out = Vec::new();
            set.scan(path, text.as_bytes(), &mut out);
            assert!(out.is_empty(), "{path}: {text}");
        }
    }

    #[test]
    fn go_literal_braces_are_escaped() {
        assert_eq!(go_to_rust(r"^\$\{(?:[A-Z_]+)}$"), r"^\$\{(?:[A-Z_]+)}$");
        assert_eq!(go_to_rust(r"^\${(?:[A-Z_]+)}$"), r"^\$\{(?:[A-Z_]+)}$");
        assert_eq!(go_to_rust(r"a{2,5}b{3}c{1,}[{]"), r"a{2,5}b{3}c{1,}[{]");
        assert_eq!(go_to_rust(r"\{\{[^}]+}}"), r"\{\{[^}]+}}");
        assert_eq!(go_to_rust(r"{{[^}]+}}"), r"\{\{[^}]+}}");
        assert!(compiles(&go_to_rust(r"import[ \t]+{[ \t\w,]+}[ \t]+from")).is_ok());
    }

    /// gitleaks skips a secret whose entropy equals its threshold; so does
    /// the imported rule.
    #[test]
    fn an_entropy_tie_is_skipped_as_gitleaks_skips_it() {
        let config = "[[rules]]\nid = \"t\"\nregex = '''tok_([a-z]{8,10})\\b'''\nentropy = 3.0\nsecretGroup = 1\n";
        let t = translate(config, "g.toml", "gitleaks").unwrap();
        let pack = parse(&PackSource {
            name: "g.toml".into(),
            text: t.pack_toml,
        })
        .unwrap();
        let set = RuleSet::new(pack.rules);
        // Eight different letters: exactly 3.0 bits each, a tie: skipped.
        let mut out = Vec::new();
        set.scan("a.txt", b"tok_abcdefgh\n", &mut out);
        assert!(out.is_empty());
        // Ten different letters: 3.32 bits, above: reported.
        set.scan("a.txt", b"tok_abcdefghij\n", &mut out);
        assert_eq!(out.len(), 1);
    }

    #[test]
    fn and_allowlists_are_reported() {
        let config = "[[rules]]\nid = \"x\"\nregex = 'x'\n[[rules.allowlists]]\ncondition = \"AND\"\nregexes = ['y']\n";
        let t = translate(config, "g.toml", "gitleaks").unwrap();
        assert_eq!(t.translated, 1);
        assert!(t.warnings[0].contains("condition = \"AND\" is not supported"));
    }
}
