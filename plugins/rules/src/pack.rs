//! Rule packs: the TOML format, parsed and checked, with errors that point
//! at the file, line and column.

use std::ops::Range;
use std::sync::Arc;

use globset::{Glob, GlobSet, GlobSetBuilder};
use regex::bytes::{Regex, RegexBuilder};
use serde::Deserialize;
use toml::Spanned;
use ward_plugin_sdk::{RuleInfo, Severity};

/// The text of a pack and the name to show for it (a path, or `built-in:secrets.toml`).
#[derive(Debug, Clone)]
pub struct PackSource {
    /// Shown in errors and listings.
    pub name: String,
    /// The TOML text.
    pub text: String,
}

/// A pack that cannot be used: where and why.
#[derive(Debug, Clone)]
pub struct PackError {
    /// The pack's display name.
    pub source_name: String,
    /// The pack's text, for snippets.
    pub source_text: Arc<str>,
    /// Byte range the error is about.
    pub span: Range<usize>,
    /// What is wrong.
    pub message: String,
}

impl PackError {
    /// 1-based line and column of the error.
    pub fn line_column(&self) -> (usize, usize) {
        let before = &self.source_text[..self.span.start.min(self.source_text.len())];
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        (line, column)
    }
}

impl std::fmt::Display for PackError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (line, column) = self.line_column();
        write!(f, "{}:{line}:{column}: {}", self.source_name, self.message)
    }
}

impl std::error::Error for PackError {}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawPack {
    name: Option<Spanned<String>>,
    #[serde(default)]
    description: String,
    #[serde(default)]
    redact: bool,
    /// The health-score category of the pack's rules (default: hygiene).
    category: Option<Spanned<String>>,
    /// The file classes the pack's rules run on (default: the category's).
    classes: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    allow: Vec<Spanned<String>>,
    #[serde(default)]
    exclude: Vec<Spanned<String>>,
    #[serde(default)]
    exclude_path_patterns: Vec<Spanned<String>>,
    /// How findings of two rules on one value are resolved: `ward` (the
    /// default) or `gitleaks`.
    overlap: Option<Spanned<String>>,
    /// How many layers of base64, hex and percent encoding are decoded and
    /// scanned again (0: none).
    decode_depth: Option<Spanned<usize>>,
    #[serde(default)]
    rule: Vec<RawRule>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawRule {
    id: Spanned<String>,
    message: String,
    summary: Option<String>,
    #[serde(default)]
    docs: String,
    severity: Option<Spanned<String>>,
    pattern: Spanned<String>,
    #[serde(default)]
    keywords: Vec<Spanned<String>>,
    entropy: Option<f64>,
    strong_entropy: Option<f64>,
    secret_group: Option<Spanned<usize>>,
    #[serde(default)]
    paths: Vec<Spanned<String>>,
    #[serde(default)]
    exclude: Vec<Spanned<String>>,
    path_pattern: Option<Spanned<String>>,
    #[serde(default)]
    exclude_path_patterns: Vec<Spanned<String>>,
    #[serde(default)]
    allow: Vec<Spanned<String>>,
    redact: Option<bool>,
    category: Option<Spanned<String>>,
    classes: Option<Vec<Spanned<String>>>,
    generic: Option<bool>,
    #[serde(default)]
    examples: RawExamples,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawExamples {
    #[serde(rename = "match", default)]
    matches: Vec<Spanned<String>>,
    #[serde(rename = "no-match", default)]
    no_match: Vec<Spanned<String>>,
}

/// What an `allow` entry is checked against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AllowTarget {
    /// The secret (the secret group, or the whole match).
    Secret,
    /// The whole match.
    Match,
    /// The line or lines the match is on.
    Line,
}

/// One entry of an `allow` list: a match it fits is discarded.
#[derive(Debug, Clone)]
pub enum Allow {
    /// A case-insensitive literal that the secret contains (stored lowercase).
    Literal(String),
    /// A regex (`re:`, `re-match:`, `re-line:` prefixes choose the target),
    /// shared by the rules a pack-level entry applies to.
    Pattern(Arc<LazyRegex>, AllowTarget),
}

/// How a pack resolves two of its rules reporting one value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overlap {
    /// A specific rule's finding removes a generic rule's finding whose
    /// range it overlaps; of two overlapping generic findings the rule
    /// listed first is kept; specific rules all report.
    Ward,
    /// As gitleaks: a generic finding is removed when a specific finding
    /// starting on the same line has a secret containing its secret; every
    /// other finding is kept.
    Gitleaks,
}

/// The most layers of encoding a pack may ask to decode: each layer is
/// another pass over the decoded text.
pub const MAX_DECODE_DEPTH: usize = 10;

/// An example string and the line of the pack it is written on.
#[derive(Debug, Clone)]
pub struct Example {
    /// The example text.
    pub text: String,
    /// 1-based line in the pack.
    pub line: usize,
}

/// A checked rule, ready to compile into a [`crate::RuleSet`].
#[derive(Debug, Clone)]
pub struct Rule {
    /// Full id, `pack/rule`.
    pub id: String,
    /// The pack's name.
    pub pack: String,
    /// Message of each finding; `{secret}` is replaced by the (redacted) secret.
    pub message: String,
    /// One line for listings.
    pub summary: String,
    /// Longer documentation.
    pub docs: String,
    /// Default severity.
    pub severity: Severity,
    /// The regex source.
    pub pattern: String,
    /// Compiled the first time a file gets this far (its keywords occur): a
    /// commit hook over five files compiles a handful of the pack's rules.
    pub(crate) regex: LazyRegex,
    /// Lowercase literals of which one must occur for the regex to run.
    pub keywords: Vec<String>,
    /// Minimum Shannon entropy (bits per character) of the secret.
    pub entropy: Option<f64>,
    /// Below this entropy a secret is reported as a warning, whatever the
    /// rule's severity: it may be a word or a placeholder.
    pub strong_entropy: Option<f64>,
    /// Capture group holding the secret; `None`: the first non-empty group, else the match.
    pub secret_group: Option<usize>,
    pub(crate) paths: Option<GlobSet>,
    /// The `paths` globs as written: rules with equal ones share a prefilter.
    pub(crate) paths_key: String,
    pub(crate) exclude: Option<GlobSet>,
    pub(crate) path_pattern: Option<Regex>,
    pub(crate) exclude_path_patterns: Vec<Regex>,
    pub(crate) allow: Vec<Allow>,
    /// Whether what it finds is a secret, to redact in every output.
    pub redact: bool,
    /// The health-score category of its findings.
    pub category: String,
    /// The file classes it runs on (empty: its category's default).
    pub classes: Vec<String>,
    /// Strings the rule must find.
    pub examples_match: Vec<Example>,
    /// Strings the rule must not find.
    pub examples_no_match: Vec<Example>,
    /// Where the rule is defined, `file:line`.
    pub origin: String,
    /// A generic rule (a keyword and any high-entropy value) yields to a
    /// specific one of its pack on the same value (see [`Overlap`]).
    pub generic: bool,
    /// Its pack's overlap policy.
    pub overlap: Overlap,
    /// Layers of encoding decoded for it (its pack's `decode-depth`).
    pub decode_depth: usize,
}

impl Rule {
    /// The rule's metadata, as `ward rules` lists it.
    pub fn info(&self) -> RuleInfo {
        let mut docs = self.docs.clone();
        if let Some(bad) = self.examples_match.first() {
            if !docs.is_empty() {
                docs.push_str("\n\n");
            }
            docs.push_str(&format!("## Bad\n```text\n{}\n```", bad.text));
            if let Some(good) = self.examples_no_match.first() {
                docs.push_str(&format!("\n\n## Good\n```text\n{}\n```", good.text));
            }
        }
        RuleInfo {
            id: self.id.clone(),
            summary: self.summary.clone(),
            default_severity: self.severity,
            docs,
            fixable: false,
            // Rule packs are hosted by the engine, which runs them on pieces of
            // large files whatever this says.
            line_local: false,
            category: self.category.clone(),
            tally_by_directory: false,
            classes: self.classes.clone(),
            off_by_default: false,
        }
    }

    /// Why the rule's regex cannot be compiled, if it cannot (see
    /// [`LazyRegex::compile_error`]).
    pub fn compile_error(&self) -> Option<String> {
        self.regex.compile_error()
    }

    /// Whether the rule applies to a repository-relative path.
    pub fn applies_to(&self, path: &str) -> bool {
        self.paths.as_ref().is_none_or(|g| g.is_match(path))
            && !self.exclude.as_ref().is_some_and(|g| g.is_match(path))
            && self
                .path_pattern
                .as_ref()
                .is_none_or(|r| r.is_match(path.as_bytes()))
            && !self
                .exclude_path_patterns
                .iter()
                .any(|r| r.is_match(path.as_bytes()))
    }
}

/// A parsed pack.
#[derive(Debug, Clone)]
pub struct Pack {
    /// The pack's name: the prefix of its rule ids.
    pub name: String,
    /// One line about the pack.
    pub description: String,
    /// Where it came from.
    pub source_name: String,
    /// Its rules.
    pub rules: Vec<Rule>,
}

/// Whether `name` is a valid pack or rule name: lowercase kebab-case.
pub fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
        && !name.starts_with('-')
}

struct Ctx<'a> {
    source: &'a PackSource,
    text: Arc<str>,
    /// Offsets of the text's newlines: every rule and example asks for its
    /// line, and counting from the top each time was most of loading a pack.
    newlines: Vec<usize>,
}

impl Ctx<'_> {
    fn error(&self, span: Range<usize>, message: impl Into<String>) -> PackError {
        PackError {
            source_name: self.source.name.clone(),
            source_text: self.text.clone(),
            span,
            message: message.into(),
        }
    }

    fn line(&self, offset: usize) -> usize {
        self.newlines.partition_point(|&at| at < offset) + 1
    }

    fn regex(&self, pattern: &Spanned<String>) -> Result<Regex, PackError> {
        compile(pattern.get_ref()).map_err(|e| {
            self.error(
                pattern.span(),
                format!("invalid regex: {}", one_line(&e.to_string())),
            )
        })
    }

    /// Checks a rule's pattern without compiling it (compiling waits until
    /// a file needs it) and returns its number of capture groups. The
    /// syntax is checked the way [`compile`] builds: ASCII first, Unicode
    /// when the pattern needs it.
    fn checked_pattern(&self, pattern: &Spanned<String>) -> Result<usize, PackError> {
        check_syntax(pattern.get_ref()).map_err(|e| {
            self.error(
                pattern.span(),
                format!("invalid regex: {}", one_line(&e.to_string())),
            )
        })
    }

    fn globs(&self, patterns: &[Spanned<String>]) -> Result<Option<GlobSet>, PackError> {
        if patterns.is_empty() {
            return Ok(None);
        }
        let mut builder = GlobSetBuilder::new();
        for pattern in patterns {
            builder.add(
                Glob::new(pattern.get_ref())
                    .map_err(|e| self.error(pattern.span(), format!("invalid glob: {e}")))?,
            );
        }
        builder
            .build()
            .map(Some)
            .map_err(|e| self.error(patterns[0].span(), format!("invalid globs: {e}")))
    }

    fn allow(&self, entry: &Spanned<String>) -> Result<Allow, PackError> {
        let text = entry.get_ref();
        let prefixed = [
            ("re:", AllowTarget::Secret),
            ("re-match:", AllowTarget::Match),
            ("re-line:", AllowTarget::Line),
        ];
        for (prefix, target) in prefixed {
            if let Some(pattern) = text.strip_prefix(prefix) {
                // Checked now, compiled when a match first needs it: most
                // runs match nothing an allow entry must judge, and
                // compiling them all cost 1.3 ms of start-up.
                check_syntax(pattern).map_err(|e| {
                    self.error(
                        entry.span(),
                        format!("invalid allow regex: {}", one_line(&e.to_string())),
                    )
                })?;
                return Ok(Allow::Pattern(Arc::new(LazyRegex::new(pattern)), target));
            }
        }
        if text.is_empty() {
            return Err(self.error(entry.span(), "an empty allow entry would allow everything"));
        }
        Ok(Allow::Literal(text.to_lowercase()))
    }
}

/// The syntax of a pack regex, checked the way [`compile`] builds (ASCII
/// first, Unicode when the pattern needs it) without compiling it; its
/// number of capture groups.
fn check_syntax(pattern: &str) -> Result<usize, Box<regex_syntax::Error>> {
    let parse = |unicode: bool| {
        regex_syntax::ParserBuilder::new()
            .unicode(unicode)
            .utf8(false)
            .build()
            .parse(pattern)
            .map_err(Box::new)
    };
    parse(false)
        .or_else(|_| parse(true))
        .map(|hir| hir.properties().explicit_captures_len())
}

/// A rule's regex, compiled on first use.
#[derive(Debug, Clone)]
pub struct LazyRegex {
    pattern: String,
    /// For a pattern that starts with gitleaks' identifier lead
    /// (`[\w.-]{0,N}?`), N: the lead is left out of the compiled regex and
    /// the match extended backwards over it instead (see [`split_lead`]).
    pub(crate) lead: usize,
    pub(crate) compiled: std::sync::OnceLock<Option<Regex>>,
}

/// Splits gitleaks' identifier lead (`[\w.-]{0,N}?` at the start, after an
/// optional `(?i)`) off a pattern: the pattern searched, and N (0: none).
///
/// The lead matches anything, nothing included, so leaving it out finds the
/// same matches, each starting where its keyword starts; the scanner then
/// extends the match backwards over up to N identifier bytes, as the lazy
/// lead would have taken them (leftmost first). The regex crate cannot use
/// the keyword as a literal prefilter behind a lead that may start anywhere:
/// on containerd's files such a rule took 100 ms, without its lead 6 ms.
pub(crate) fn split_lead(pattern: &str) -> (String, usize) {
    let (flags, rest) = match pattern.strip_prefix("(?i)") {
        Some(rest) => ("(?i)", rest),
        None => ("", pattern),
    };
    let Some(after) = rest.strip_prefix(r"[\w.-]{0,") else {
        return (pattern.to_string(), 0);
    };
    let Some((digits, tail)) = after.split_once("}?") else {
        return (pattern.to_string(), 0);
    };
    match digits.parse::<usize>() {
        // The rest must not be empty, nor an alternation at the top, which
        // the lead would have bound to its first branch only.
        Ok(lead) if !tail.is_empty() && !top_level_alternation(tail) => {
            (format!("{flags}{tail}"), lead)
        }
        _ => (pattern.to_string(), 0),
    }
}

/// Whether a `|` occurs outside every group and class of `pattern`.
fn top_level_alternation(pattern: &str) -> bool {
    let (mut depth, mut class, mut escaped) = (0i32, false, false);
    for c in pattern.chars() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '[' if !class => class = true,
            ']' if class => class = false,
            '(' if !class => depth += 1,
            ')' if !class => depth -= 1,
            '|' if !class && depth == 0 => return true,
            _ => {}
        }
    }
    false
}

impl LazyRegex {
    fn new(pattern: &str) -> Self {
        let (searched, lead) = split_lead(pattern);
        LazyRegex {
            pattern: searched,
            lead,
            compiled: std::sync::OnceLock::new(),
        }
    }

    /// Why the pattern does not compile (its syntax checked, but the
    /// program is too large), compiling it now if it was not yet.
    pub fn compile_error(&self) -> Option<String> {
        if self.get().is_some() {
            return None;
        }
        compile(&self.pattern)
            .err()
            .map(|e| one_line(&e.to_string()))
    }

    /// The compiled regex; `None` only for a pattern whose syntax checked
    /// but which is too large to compile (the rule then finds nothing;
    /// `ward test-rules` reports it).
    pub fn get(&self) -> Option<&Regex> {
        self.compiled
            .get_or_init(|| compile(&self.pattern).ok())
            .as_ref()
    }
}

/// Compiles a pack regex. `\w`, `\d`, `\s`, `\b` and `(?i)` are ASCII, as in
/// gitleaks' Go RE2 (and much faster: Unicode word boundaries stop the lazy
/// DFA); `(?u)` opts a pattern back into Unicode, and a pattern that needs
/// Unicode to compile at all (`\p{L}`) gets it.
pub fn compile(pattern: &str) -> Result<Regex, regex::Error> {
    RegexBuilder::new(pattern)
        .unicode(false)
        .build()
        .or_else(|_| RegexBuilder::new(pattern).build())
}

fn one_line(text: &str) -> String {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The pack name a file would get from its stem.
pub fn stem_name(source_name: &str) -> String {
    let file = source_name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(source_name);
    file.strip_suffix(".toml").unwrap_or(file).to_string()
}

/// Parses and checks a pack. Its name is the top-level `name`, else the
/// file stem of `source.name`.
pub fn parse(source: &PackSource) -> Result<Pack, PackError> {
    let ctx = Ctx {
        source,
        text: Arc::from(source.text.as_str()),
        newlines: source.text.match_indices('\n').map(|(at, _)| at).collect(),
    };
    let raw: RawPack = toml::from_str(&source.text).map_err(|e| {
        ctx.error(
            e.span().unwrap_or(0..0),
            format!("invalid rule pack: {}", one_line(e.message())),
        )
    })?;
    let name = match &raw.name {
        Some(name) => {
            if !valid_name(name.get_ref()) {
                return Err(ctx.error(name.span(), "a pack name is lowercase kebab-case"));
            }
            name.get_ref().clone()
        }
        None => {
            let stem = stem_name(&source.name);
            if !valid_name(&stem) {
                return Err(ctx.error(
                    0..0,
                    format!("the file name `{stem}` is not a valid pack name: add `name = \"…\"`"),
                ));
            }
            stem
        }
    };
    let category_of = |c: &Spanned<String>| {
        let name = c.get_ref();
        if ward_plugin_sdk::category::ALL.contains(&name.as_str()) {
            Ok(name.clone())
        } else {
            Err(ctx.error(
                c.span(),
                format!(
                    "unknown category `{name}`; the categories are {}",
                    ward_plugin_sdk::category::ALL.join(", ")
                ),
            ))
        }
    };
    let classes_of = |list: &Vec<Spanned<String>>| -> Result<Vec<String>, _> {
        let mut names = vec![ward_plugin_sdk::class::TEXT.to_string()];
        for c in list {
            let name = c.get_ref();
            if !ward_plugin_sdk::class::ALL.contains(&name.as_str()) {
                return Err(ctx.error(
                    c.span(),
                    format!(
                        "unknown file class `{name}`; the classes are {}",
                        ward_plugin_sdk::class::ALL.join(", ")
                    ),
                ));
            }
            if !names.contains(name) {
                names.push(name.clone());
            }
        }
        Ok(names)
    };
    let pack_classes = match &raw.classes {
        Some(list) => classes_of(list)?,
        None => Vec::new(),
    };
    let pack_category = match &raw.category {
        Some(c) => category_of(c)?,
        None => ward_plugin_sdk::category::HYGIENE.to_string(),
    };
    let pack_allow = raw
        .allow
        .iter()
        .map(|a| ctx.allow(a))
        .collect::<Result<Vec<_>, _>>()?;
    let overlap = match &raw.overlap {
        None => Overlap::Ward,
        Some(o) => match o.get_ref().as_str() {
            "ward" => Overlap::Ward,
            "gitleaks" => Overlap::Gitleaks,
            other => {
                return Err(ctx.error(
                    o.span(),
                    format!("unknown overlap policy `{other}`: expected ward or gitleaks"),
                ))
            }
        },
    };
    let decode_depth = raw.decode_depth.as_ref().map_or(0, |d| *d.get_ref());
    if let Some(depth) = raw
        .decode_depth
        .as_ref()
        .filter(|_| decode_depth > MAX_DECODE_DEPTH)
    {
        return Err(ctx.error(
            depth.span(),
            format!("decode-depth is at most {MAX_DECODE_DEPTH}"),
        ));
    }
    let pack_exclude = &raw.exclude;
    let pack_exclude_patterns = raw
        .exclude_path_patterns
        .iter()
        .map(|p| ctx.regex(p))
        .collect::<Result<Vec<_>, _>>()?;

    let mut rules = Vec::with_capacity(raw.rule.len());
    let mut seen = std::collections::HashSet::new();
    for r in &raw.rule {
        let local = r.id.get_ref();
        if !valid_name(local) {
            return Err(ctx.error(
                r.id.span(),
                format!("rule id `{local}` is not lowercase kebab-case"),
            ));
        }
        if !seen.insert(local.clone()) {
            return Err(ctx.error(r.id.span(), format!("duplicate rule id `{local}`")));
        }
        let severity = match &r.severity {
            None => Severity::Error,
            Some(s) => match s.get_ref().as_str() {
                "error" => Severity::Error,
                "warning" => Severity::Warning,
                "info" => Severity::Info,
                other => {
                    return Err(ctx.error(
                        s.span(),
                        format!("unknown severity `{other}`: expected error, warning or info"),
                    ))
                }
            },
        };
        let groups = ctx.checked_pattern(&r.pattern)?;
        if let Some(group) = &r.secret_group {
            if *group.get_ref() > groups {
                return Err(ctx.error(
                    group.span(),
                    format!(
                        "secret-group {} but the pattern has {groups} capture groups",
                        group.get_ref()
                    ),
                ));
            }
        }
        if let Some(entropy) = r.entropy.or(r.strong_entropy) {
            if !(0.0..=8.0).contains(&entropy)
                || r.strong_entropy.is_some_and(|s| !(0.0..=8.0).contains(&s))
            {
                return Err(ctx.error(
                    r.id.span(),
                    "entropy is bits per character: between 0 and 8",
                ));
            }
        }
        let mut keywords = Vec::with_capacity(r.keywords.len());
        for k in &r.keywords {
            if k.get_ref().is_empty() {
                return Err(ctx.error(k.span(), "an empty keyword would match everywhere"));
            }
            keywords.push(k.get_ref().to_lowercase());
        }
        let mut exclude = pack_exclude.clone();
        exclude.extend(r.exclude.iter().cloned());
        let mut exclude_path_patterns = pack_exclude_patterns.clone();
        for p in &r.exclude_path_patterns {
            exclude_path_patterns.push(ctx.regex(p)?);
        }
        let mut allow = pack_allow.clone();
        for a in &r.allow {
            allow.push(ctx.allow(a)?);
        }
        let example = |e: &Spanned<String>| Example {
            text: e.get_ref().clone(),
            line: ctx.line(e.span().start),
        };
        rules.push(Rule {
            id: format!("{name}/{local}"),
            pack: name.clone(),
            message: r.message.clone(),
            summary: r
                .summary
                .clone()
                .unwrap_or_else(|| r.message.replace("{secret}", "").trim().to_string()),
            docs: r.docs.clone(),
            severity,
            pattern: r.pattern.get_ref().clone(),
            regex: LazyRegex::new(r.pattern.get_ref()),
            keywords,
            entropy: r.entropy,
            strong_entropy: r.strong_entropy,
            secret_group: r.secret_group.as_ref().map(|g| *g.get_ref()),
            paths: ctx.globs(&r.paths)?,
            paths_key: r
                .paths
                .iter()
                .map(|p| p.get_ref().as_str())
                .collect::<Vec<_>>()
                .join("\n"),
            exclude: ctx.globs(&exclude)?,
            path_pattern: r.path_pattern.as_ref().map(|p| ctx.regex(p)).transpose()?,
            exclude_path_patterns,
            allow,
            redact: r.redact.unwrap_or(raw.redact),
            category: match &r.category {
                Some(c) => category_of(c)?,
                None => pack_category.clone(),
            },
            classes: match &r.classes {
                Some(list) => classes_of(list)?,
                None => pack_classes.clone(),
            },
            examples_match: r.examples.matches.iter().map(example).collect(),
            examples_no_match: r.examples.no_match.iter().map(example).collect(),
            origin: format!("{}:{}", source.name, ctx.line(r.id.span().start)),
            // gitleaks' own test: a rule whose id says generic.
            generic: r.generic.unwrap_or_else(|| local.contains("generic")),
            overlap,
            decode_depth,
        });
    }
    Ok(Pack {
        name,
        description: raw.description,
        source_name: source.name.clone(),
        rules,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(name: &str, text: &str) -> PackSource {
        PackSource {
            name: name.into(),
            text: text.into(),
        }
    }

    #[test]
    fn name_comes_from_the_stem_unless_given() {
        let pack = parse(&source(
            "dir/team-rules.toml",
            "[[rule]]\nid = \"a\"\nmessage = \"m\"\npattern = \"x\"\n",
        ))
        .unwrap();
        assert_eq!(pack.name, "team-rules");
        assert_eq!(pack.rules[0].id, "team-rules/a");
        assert_eq!(pack.rules[0].severity, Severity::Error);
        let pack = parse(&source(
            "x.toml",
            "name = \"team\"\n[[rule]]\nid = \"a\"\nmessage = \"m\"\npattern = \"x\"\n",
        ))
        .unwrap();
        assert_eq!(pack.rules[0].id, "team/a");
    }

    #[test]
    fn bad_regex_points_at_the_pattern() {
        let text = "[[rule]]\nid = \"a\"\nmessage = \"m\"\npattern = \"(unclosed\"\n";
        let err = parse(&source("p.toml", text)).unwrap_err();
        assert_eq!(err.line_column(), (4, 11));
        assert!(err.message.starts_with("invalid regex:"), "{}", err.message);
        assert!(err.to_string().starts_with("p.toml:4:11: invalid regex"));
    }

    #[test]
    fn bad_allow_regex_points_at_the_entry_though_it_compiles_later() {
        let text = "allow = [\"re:ok\", \"re-line:(unclosed\"]\n[[rule]]\nid = \"a\"\nmessage = \"m\"\npattern = \"x\"\n";
        let err = parse(&source("p.toml", text)).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("p.toml:1:19: invalid allow regex"),
            "{err}"
        );
    }

    #[test]
    fn duplicate_id_and_unknown_key_are_errors() {
        let text = "[[rule]]\nid = \"a\"\nmessage = \"m\"\npattern = \"x\"\n[[rule]]\nid = \"a\"\nmessage = \"m\"\npattern = \"y\"\n";
        let err = parse(&source("p.toml", text)).unwrap_err();
        assert_eq!(err.message, "duplicate rule id `a`");
        assert_eq!(err.line_column().0, 6);

        let text = "[[rule]]\nid = \"a\"\nmessage = \"m\"\npattern = \"x\"\nkeyword = [\"k\"]\n";
        let err = parse(&source("p.toml", text)).unwrap_err();
        assert!(
            err.message.contains("unknown field `keyword`"),
            "{}",
            err.message
        );
        assert_eq!(err.line_column().0, 5);
    }

    #[test]
    fn secret_group_must_exist() {
        let text = "[[rule]]\nid = \"a\"\nmessage = \"m\"\npattern = \"(x)\"\nsecret-group = 2\n";
        let err = parse(&source("p.toml", text)).unwrap_err();
        assert_eq!(
            err.message,
            "secret-group 2 but the pattern has 1 capture groups"
        );
    }

    #[test]
    fn path_filters() {
        let text = "[[rule]]\nid = \"a\"\nmessage = \"m\"\npattern = \"x\"\npaths = [\"**/*.py\"]\nexclude = [\"tests/**\"]\n";
        let rule = &parse(&source("p.toml", text)).unwrap().rules[0];
        assert!(rule.applies_to("src/a.py"));
        assert!(!rule.applies_to("src/a.js"));
        assert!(!rule.applies_to("tests/a.py"));
    }
}

#[cfg(test)]
mod lead_tests {
    use super::split_lead;

    #[test]
    fn gitleaks_identifier_lead_is_split_off_when_it_changes_nothing() {
        assert_eq!(
            split_lead(r"(?i)[\w.-]{0,50}?(?:sentry)[ =]+([a-f0-9]{64})"),
            (r"(?i)(?:sentry)[ =]+([a-f0-9]{64})".to_string(), 50)
        );
        assert_eq!(
            split_lead(r"[\w.-]{0,20}?key=(\w+)"),
            (r"key=(\w+)".to_string(), 20)
        );
        // A top-level alternation: the lead belonged to its first branch.
        assert_eq!(split_lead(r"[\w.-]{0,50}?a|b").1, 0);
        assert_eq!(split_lead(r"(?i)key=(\w+)").1, 0);
        assert_eq!(split_lead(r"[\w.-]{0,50}?").1, 0);
    }
}
