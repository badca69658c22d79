//! Every rule ward can report, in one place: the engine's own `ward/*`
//! rules (defined here), each plugin's and each rule pack's. The registry
//! answers what the rest of the engine asks about a rule (its category, its
//! docs, whether the summary tallies it) so that no rule id is written
//! anywhere else in the engine, and it writes the rule reference in `docs/`.

use std::collections::{BTreeMap, HashMap, HashSet};

use ward_plugin_sdk::{category, RuleInfo, Severity, PLUGIN_ERROR_RULE};

/// A file or directory that could not be read.
pub const UNREADABLE: &str = "ward/unreadable";
/// A symlink whose target does not exist.
pub const BROKEN_SYMLINK: &str = "ward/broken-symlink";
/// A file larger than `max-file-size`, checked in pieces by line-level rules only.
pub const FILE_TOO_LARGE: &str = "ward/file-too-large";
/// A file `--fix` left alone (read-only, changed since read, a symlink).
pub const FIX_SKIPPED: &str = "ward/fix-skipped";
/// A `ward:ignore` comment that names an unknown rule.
pub const INVALID_SUPPRESSION: &str = "ward/invalid-suppression";

/// A `ward:ignore` comment that hid no finding in the run.
pub const UNUSED_SUPPRESSION: &str = "ward/unused-suppression";

/// The name the engine's own rules are listed under.
pub const ENGINE: &str = "ward";

const PLUGIN_ERROR_DOCS: &str = r"## What it does
Reports a plugin that panicked or returned invalid data (an undeclared rule
id, too many findings) on a file. The plugin's findings for that file are
missing; the rest of the run is complete.

## Bad
A plugin that panics on an empty file: `ward/plugin-error` at that file.

## Good
Report it to the plugin's authors with the file that triggers it; once
fixed, the file's findings come back.";

const UNREADABLE_DOCS: &str = r"Usually permissions, or a file that vanished during the run.

## Bad
`chmod 000 notes.txt`.

## Good
A file the checking user can read.";

const BROKEN_SYMLINK_DOCS: &str = r"## Bad
`docs/latest -> docs/v2` after `docs/v2` was deleted.

## Good
A link to an existing path, or no link.";

const FILE_TOO_LARGE_DOCS: &str = r#"ward never holds a file above `max-file-size` (default 50 MiB) in memory
whole: it reads it in pieces of whole lines, which the rule packs and the
line-level plugin rules check; rules that need the whole file (a parse, a
header, a count) do not run on it, and `--fix` leaves it alone. A binary
file (a NUL in its first 8 KiB) is not read past those, and a line longer
than 32 MiB ends the reading (the finding names it).

## Bad
A 200 MB `dump.sql` checked with the default limit: only line rules see it.

## Good
Raise the limit in ward.toml (`max-file-size = "200MiB"`) to have every
rule check it, or exclude the file."#;

const FIX_SKIPPED_DOCS: &str = r"ward rewrites a file only if it is exactly what it checked, writable and a
regular file.

## Bad
Editing a file while `ward check --fix` runs.

## Good
Let the run finish, then edit.";

const INVALID_SUPPRESSION_DOCS: &str = r"A typo in a suppression silently suppresses nothing.

## Bad
`// ward:ignore text/trailing-whitspace`

## Good
`// ward:ignore text/trailing-whitespace`";

const UNUSED_SUPPRESSION_DOCS: &str = r"## What it does
Reports a `ward:ignore` or `ward:ignore-file` comment that hid no finding in
the run (info: it never fails a run). The problem it was written for was
fixed, or its rule renamed or switched off, and the comment would now hide
the next problem on that line unseen. Only the file pass is judged: a
comment naming a rule that reports over the whole repository (links,
licenses) is reported too, because such findings are not suppressed by
comments.

## Bad
```python
x = 1  # ward:ignore text/trailing-whitespace
```
(no trailing whitespace left on the line)

## Good
```python
x = 1
```";

/// The engine's rules, listed by `ward rules` and configurable like any other.
pub fn engine_rules() -> Vec<RuleInfo> {
    let rule = RuleInfo::new;
    vec![
        rule(
            PLUGIN_ERROR_RULE,
            "A plugin failed (panicked or returned invalid data) on a file",
            Severity::Error,
            PLUGIN_ERROR_DOCS,
        ),
        rule(
            UNREADABLE,
            "A file or directory ward could not read",
            Severity::Error,
            UNREADABLE_DOCS,
        ),
        rule(
            BROKEN_SYMLINK,
            "A symbolic link whose target does not exist",
            Severity::Warning,
            BROKEN_SYMLINK_DOCS,
        ),
        rule(
            FILE_TOO_LARGE,
            "A file larger than max-file-size was checked only line by line",
            Severity::Info,
            FILE_TOO_LARGE_DOCS,
        ),
        rule(
            FIX_SKIPPED,
            "A file --fix did not change, to keep data safe",
            Severity::Warning,
            FIX_SKIPPED_DOCS,
        ),
        rule(
            INVALID_SUPPRESSION,
            "A ward:ignore comment that names an unknown rule",
            Severity::Warning,
            INVALID_SUPPRESSION_DOCS,
        ),
        rule(
            UNUSED_SUPPRESSION,
            "A ward:ignore comment that hid no finding",
            Severity::Info,
            UNUSED_SUPPRESSION_DOCS,
        ),
    ]
}

/// One rule and who defines it.
#[derive(Debug, Clone)]
pub struct Registered {
    /// The rule's metadata.
    pub rule: RuleInfo,
    /// The plugin or pack that defines it (`ward` for the engine's own).
    pub source: String,
    /// Whether `source` is a rule pack.
    pub from_pack: bool,
}

/// Two plugins or packs that define the same rule.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("`{source_a}` and `{source_b}` both define the rule `{id}`")]
#[diagnostic(
    code(ward::registry),
    help("rename one of the packs, or load only one of the plugins")
)]
pub struct DuplicateRule {
    id: String,
    source_a: String,
    source_b: String,
}

/// Every rule of a run, by id.
#[derive(Debug, Default)]
pub struct Registry {
    rules: Vec<Registered>,
    index: HashMap<String, usize>,
}

impl Registry {
    /// The registry of `rules`; an id defined twice is an error.
    pub fn new(rules: Vec<Registered>) -> Result<Registry, DuplicateRule> {
        let mut index = HashMap::with_capacity(rules.len());
        for (i, registered) in rules.iter().enumerate() {
            if let Some(first) = index.insert(registered.rule.id.clone(), i) {
                return Err(DuplicateRule {
                    id: registered.rule.id.clone(),
                    source_a: rules[first].source.clone(),
                    source_b: registered.source.clone(),
                });
            }
        }
        Ok(Registry { rules, index })
    }

    /// Every rule, in the order plugins and packs listed them.
    pub fn rules(&self) -> &[Registered] {
        &self.rules
    }

    /// The rule with this id.
    pub fn get(&self, id: &str) -> Option<&Registered> {
        self.index.get(id).map(|&i| &self.rules[i])
    }

    /// Every rule id.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.rules.iter().map(|r| r.rule.id.as_str())
    }

    /// The health-score category of a rule's findings (hygiene for a rule
    /// no plugin declares).
    pub fn category(&self, id: &str) -> &str {
        self.get(id)
            .map_or(category::HYGIENE, |r| r.rule.category_or_default())
    }

    /// The rules whose findings the text summary counts per directory.
    pub fn tallied(&self) -> HashSet<&str> {
        self.rules
            .iter()
            .filter(|r| r.rule.tally_by_directory)
            .map(|r| r.rule.id.as_str())
            .collect()
    }
}

/// What is wrong with the rules' metadata: a missing doc, a missing bad or
/// good example, an id that is not `source/kebab-case` or that repeats, an
/// unknown category. Empty when all is well; the meta-test runs it over
/// every built-in rule.
pub fn lint(rules: &[Registered]) -> Vec<String> {
    let mut problems = Vec::new();
    let mut seen = HashSet::new();
    for Registered { rule, source, .. } in rules {
        let id = &rule.id;
        if !seen.insert(id.as_str()) {
            problems.push(format!("{id}: defined twice"));
        }
        match id.split_once('/') {
            Some((prefix, name)) => {
                if prefix != source {
                    problems.push(format!("{id}: not prefixed by its source `{source}/`"));
                }
                if !is_kebab(prefix) || !is_kebab(name) {
                    problems.push(format!("{id}: not kebab-case"));
                }
            }
            None => problems.push(format!("{id}: not `{source}/rule-name`")),
        }
        if rule.summary.trim().is_empty() {
            problems.push(format!("{id}: no summary"));
        }
        if rule.docs.trim().is_empty() {
            problems.push(format!("{id}: no docs"));
        } else {
            for heading in ["Bad", "Good"] {
                if !has_section(&rule.docs, heading) {
                    problems.push(format!("{id}: docs have no `## {heading}` example"));
                }
            }
        }
        if let Some(odd) = rule
            .classes
            .iter()
            .find(|c| !ward_plugin_sdk::class::ALL.contains(&c.as_str()))
        {
            problems.push(format!("{id}: unknown file class `{odd}`"));
        }
        if !category::ALL.contains(&rule.category_or_default()) {
            problems.push(format!("{id}: unknown category `{}`", rule.category));
        }
    }
    problems
}

fn is_kebab(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('-')
        && !name.ends_with('-')
        && !name.contains("--")
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

fn has_section(docs: &str, heading: &str) -> bool {
    docs.lines()
        .any(|line| line.trim_start_matches('#').trim() == heading && line.starts_with('#'))
}

/// The rule reference: `README.md` (an index) and one page per plugin or
/// pack, by file name. `ward rules --format markdown --output docs/rules`
/// writes them; a test keeps the committed pages equal to these.
pub fn markdown_pages(registry: &Registry) -> BTreeMap<String, String> {
    let mut by_source: BTreeMap<&str, Vec<&Registered>> = BTreeMap::new();
    for registered in registry.rules() {
        by_source
            .entry(registered.source.as_str())
            .or_default()
            .push(registered);
    }
    let mut pages = BTreeMap::new();
    let mut index = String::from(
        "# Rules\n\n\
         Generated by `ward rules --format markdown --output docs/rules` from the \
         rules themselves; do not edit by hand. `ward explain RULE` shows the same \
         text in a terminal.\n\n\
         | plugin or pack | rules | what it checks |\n|---|---|---|\n",
    );
    for (source, rules) in &mut by_source {
        rules.sort_by(|a, b| a.rule.id.cmp(&b.rule.id));
        let kind = if rules[0].from_pack {
            "rule pack"
        } else if *source == ENGINE {
            "the engine"
        } else {
            "plugin"
        };
        index.push_str(&format!(
            "| [`{source}`]({source}.md) ({kind}) | {} | {} |\n",
            rules.len(),
            rules
                .iter()
                .map(|r| format!("`{}`", r.rule.id))
                .collect::<Vec<_>>()
                .join(", ")
        ));
        let mut page = format!(
            "# `{source}` rules\n\n\
             Generated from the rules themselves by `ward rules --format markdown`; \
             do not edit by hand.\n\n\
             | rule | severity | category | fixable | summary |\n|---|---|---|---|---|\n"
        );
        for r in rules.iter() {
            page.push_str(&format!(
                "| [`{}`](#{}) | {} | {} | {} | {} |\n",
                r.rule.id,
                anchor(&r.rule.id),
                r.rule.default_severity,
                r.rule.category_or_default(),
                if r.rule.fixable { "yes" } else { "no" },
                r.rule.summary.replace('|', "\\|")
            ));
        }
        for r in rules.iter() {
            page.push_str(&format!(
                "\n## {}\n\n{}\n\n{}Default severity: {}. Category: {}. Runs on: {} files.{}\n\n{}\n",
                r.rule.id,
                r.rule.summary,
                if r.rule.off_by_default {
                    "Off by default: name it in `[rules]` to run it. "
                } else {
                    ""
                },
                r.rule.default_severity,
                r.rule.category_or_default(),
                r.rule.classes_or_default().join(", "),
                if r.rule.fixable {
                    " `--fix` can fix it."
                } else {
                    ""
                },
                demote_headings(r.rule.docs.trim_end())
            ));
        }
        pages.insert(format!("{source}.md"), page);
    }
    pages.insert("README.md".into(), index);
    pages
}

/// The anchor GitHub gives the heading `text`.
fn anchor(text: &str) -> String {
    text.chars()
        .filter_map(|c| match c {
            'A'..='Z' => Some(c.to_ascii_lowercase()),
            'a'..='z' | '0'..='9' | '-' | '_' => Some(c),
            ' ' => Some('-'),
            _ => None,
        })
        .collect()
}

/// Rule docs use `##` sections; on a page where each rule is a `##`
/// heading they become `###`. Lines inside code blocks are left alone.
fn demote_headings(docs: &str) -> String {
    let mut out = String::with_capacity(docs.len() + 16);
    let mut in_code = false;
    for line in docs.lines() {
        if line.trim_start().starts_with("```") {
            in_code = !in_code;
        }
        if !in_code && line.starts_with('#') {
            out.push('#');
        }
        out.push_str(line);
        out.push('\n');
    }
    out.truncate(out.trim_end().len());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn registered(id: &str, docs: &str) -> Registered {
        Registered {
            rule: RuleInfo::new(id, "A summary", Severity::Warning, docs),
            source: "team".into(),
            from_pack: false,
        }
    }

    const DOCS: &str = "## Bad\n`x`\n\n## Good\n`y`";

    #[test]
    fn a_well_made_rule_has_no_problem() {
        assert_eq!(
            lint(&[registered("team/too-long", DOCS)]),
            Vec::<String>::new()
        );
    }

    #[test]
    fn each_kind_of_problem_is_named() {
        let mut odd_category = registered("team/odd", DOCS);
        odd_category.rule.category = "misc".into();
        let rules = [
            registered("team/no-docs", ""),
            registered("team/no-good", "## Bad\n`x`"),
            registered("other/prefix", DOCS),
            registered("team/Not_Kebab", DOCS),
            registered("team/no-docs", ""),
            odd_category,
        ];
        assert_eq!(
            lint(&rules),
            [
                "team/no-docs: no docs",
                "team/no-good: docs have no `## Good` example",
                "other/prefix: not prefixed by its source `team/`",
                "team/Not_Kebab: not kebab-case",
                "team/no-docs: defined twice",
                "team/no-docs: no docs",
                "team/odd: unknown category `misc`",
            ]
        );
    }

    #[test]
    fn the_engine_rules_are_well_made() {
        let rules: Vec<Registered> = engine_rules()
            .into_iter()
            .map(|rule| Registered {
                rule,
                source: ENGINE.into(),
                from_pack: false,
            })
            .collect();
        assert_eq!(lint(&rules), Vec::<String>::new());
    }

    #[test]
    fn a_rule_defined_twice_is_refused_naming_both_sources() {
        let mut again = registered("team/x", DOCS);
        again.source = "other".into();
        let error = Registry::new(vec![registered("team/x", DOCS), again]).unwrap_err();
        assert_eq!(
            error.to_string(),
            "`team` and `other` both define the rule `team/x`"
        );
    }

    #[test]
    fn pages_demote_rule_sections_but_not_code() {
        assert_eq!(
            demote_headings("## Bad\n```sh\n# a comment\n```\n## Good\nx"),
            "### Bad\n```sh\n# a comment\n```\n### Good\nx"
        );
        assert_eq!(
            anchor("text/trailing-whitespace"),
            "texttrailing-whitespace"
        );
    }
}
