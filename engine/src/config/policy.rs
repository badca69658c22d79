//! Which rules run, and at what severity: `[rules]` of `ward.toml`.

use globset::{Glob, GlobMatcher};
use ward_plugin_sdk::Severity;

use crate::config::error::Origin;

/// A severity a config can give a rule, including switching it off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// The rule does not run.
    Off,
    /// Reported as the given severity.
    On(Severity),
}

impl Level {
    /// Parses `error`, `warning`, `info` or `off`.
    pub fn parse(text: &str) -> Option<Level> {
        Some(match text {
            "off" => Level::Off,
            "info" => Level::On(Severity::Info),
            "warning" => Level::On(Severity::Warning),
            "error" => Level::On(Severity::Error),
            _ => return None,
        })
    }
}

#[derive(Debug, Clone)]
struct Entry<V> {
    pattern: String,
    /// `None` for an exact rule id.
    glob: Option<GlobMatcher>,
    value: V,
    origin: Option<Origin>,
}

impl<V> Entry<V> {
    fn matches(&self, rule: &str) -> bool {
        match &self.glob {
            Some(glob) => glob.is_match(rule),
            None => self.pattern == rule,
        }
    }
}

/// Values by exact rule id or glob (`"text/*"`), as `[rules]` and
/// `[score.rules]` give them.
#[derive(Debug, Clone)]
pub struct RuleMap<V> {
    entries: Vec<Entry<V>>,
}

impl<V> Default for RuleMap<V> {
    fn default() -> Self {
        RuleMap {
            entries: Vec::new(),
        }
    }
}

/// Severity overrides by exact rule id or glob.
pub type RulePolicy = RuleMap<Level>;

impl<V: Copy> RuleMap<V> {
    /// Adds an entry; a pattern with `*`, `?`, `[` or `{` is a glob.
    pub fn add(
        &mut self,
        pattern: &str,
        value: V,
        origin: Option<Origin>,
    ) -> Result<(), globset::Error> {
        let glob = if pattern.contains(['*', '?', '[', '{']) {
            Some(Glob::new(pattern)?.compile_matcher())
        } else {
            None
        };
        self.entries.push(Entry {
            pattern: pattern.to_string(),
            glob,
            value,
            origin,
        });
        Ok(())
    }

    /// The value for `rule`, if any entry matches. An exact id beats any
    /// glob; among globs the longest (most specific) pattern wins; between
    /// equals the later entry (a config over the one it extends).
    pub fn get(&self, rule: &str) -> Option<V> {
        self.entries
            .iter()
            .filter(|e| e.matches(rule))
            .max_by_key(|e| (e.glob.is_none(), e.pattern.len()))
            .map(|e| e.value)
    }

    /// Puts `value` for the exact id `rule` before every entry, so that any
    /// exact entry of a config for the same id wins over it.
    pub fn put_first(&mut self, rule: &str, value: V) {
        self.entries.insert(
            0,
            Entry {
                pattern: rule.to_string(),
                glob: None,
                value,
                origin: None,
            },
        );
    }

    /// Adds the entries of a later layer after this one's.
    pub fn extend(&mut self, later: RuleMap<V>) {
        self.entries.extend(later.entries);
    }

    /// Patterns that match none of `known` rule ids: most likely typos.
    pub fn unmatched<'a>(
        &'a self,
        known: &'a [String],
    ) -> impl Iterator<Item = (&'a str, Option<&'a Origin>)> + 'a {
        self.entries
            .iter()
            .filter(|e| !known.iter().any(|rule| e.matches(rule)))
            .map(|e| (e.pattern.as_str(), e.origin.as_ref()))
    }
}

impl RulePolicy {
    /// The level this policy gives `rule`, if any entry matches.
    pub fn level(&self, rule: &str) -> Option<Level> {
        self.get(rule)
    }

    /// The severity of `rule`, `None` when it is off.
    pub fn severity(&self, rule: &str, default: Severity) -> Option<Severity> {
        match self.level(rule).unwrap_or(Level::On(default)) {
            Level::Off => None,
            Level::On(severity) => Some(severity),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(entries: &[(&str, &str)]) -> RulePolicy {
        let mut policy = RulePolicy::default();
        for (pattern, level) in entries {
            policy
                .add(pattern, Level::parse(level).unwrap(), None)
                .unwrap();
        }
        policy
    }

    #[test]
    fn exact_beats_glob_and_longer_glob_beats_shorter() {
        let p = policy(&[("text/bom", "off"), ("text/*", "warning"), ("*", "info")]);
        assert_eq!(p.severity("text/bom", Severity::Error), None);
        assert_eq!(
            p.severity("text/final-newline", Severity::Error),
            Some(Severity::Warning)
        );
        assert_eq!(
            p.severity("secrets/aws", Severity::Error),
            Some(Severity::Info)
        );
    }

    #[test]
    fn default_applies_without_an_entry() {
        assert_eq!(
            policy(&[]).severity("text/bom", Severity::Warning),
            Some(Severity::Warning)
        );
    }

    #[test]
    fn unmatched_patterns_are_found() {
        let p = policy(&[("text/bomb", "off"), ("text/*", "warning")]);
        let known = vec!["text/bom".to_string()];
        let unmatched: Vec<_> = p.unmatched(&known).map(|(pattern, _)| pattern).collect();
        assert_eq!(unmatched, ["text/bomb"]);
    }
}
