//! Which rules run, and at what severity: `[rules]` of `ward.toml`.

use globset::{Glob, GlobSet, GlobSetBuilder};
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
    glob: Option<Glob>,
    value: V,
    origin: Option<Origin>,
}

/// Every glob of a map in one automaton, and the exact ids: a config with
/// thousands of `[rules]` entries costs one matcher, not one regex each
/// (8,000 globs took 1.9 GB and two minutes on a 300,000-line file).
#[derive(Debug, Clone)]
struct Index {
    globs: GlobSet,
    /// The entry of each glob of `globs`.
    glob_entries: Vec<usize>,
    /// Entries by exact rule id.
    exact: std::collections::HashMap<String, Vec<usize>>,
}

/// Values by exact rule id or glob (`"text/*"`), as `[rules]` and
/// `[score.rules]` give them.
#[derive(Debug, Clone)]
pub struct RuleMap<V> {
    entries: Vec<Entry<V>>,
    index: std::sync::OnceLock<Index>,
}

impl<V> Default for RuleMap<V> {
    fn default() -> Self {
        RuleMap {
            entries: Vec::new(),
            index: std::sync::OnceLock::new(),
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
            Some(Glob::new(pattern)?)
        } else {
            None
        };
        self.entries.push(Entry {
            pattern: pattern.to_string(),
            glob,
            value,
            origin,
        });
        self.index = std::sync::OnceLock::new();
        Ok(())
    }

    fn index(&self) -> &Index {
        self.index.get_or_init(|| {
            let mut builder = GlobSetBuilder::new();
            let mut glob_entries = Vec::new();
            let mut exact: std::collections::HashMap<String, Vec<usize>> = Default::default();
            for (at, entry) in self.entries.iter().enumerate() {
                match &entry.glob {
                    Some(glob) => {
                        builder.add(glob.clone());
                        glob_entries.push(at);
                    }
                    None => exact.entry(entry.pattern.clone()).or_default().push(at),
                }
            }
            Index {
                // Each glob compiled alone when it was added: together they
                // compile too.
                globs: builder.build().unwrap_or_else(|_| GlobSet::empty()),
                glob_entries,
                exact,
            }
        })
    }

    /// The entries that match `rule`.
    fn matching(&self, rule: &str) -> impl Iterator<Item = usize> + '_ {
        let index = self.index();
        let exact = index.exact.get(rule).into_iter().flatten().copied();
        let globs = index
            .globs
            .matches(rule)
            .into_iter()
            .map(|i| index.glob_entries[i]);
        exact.chain(globs)
    }

    /// The value for `rule`, if any entry matches. An exact id beats any
    /// glob; among globs the longest (most specific) pattern wins; between
    /// equals the later entry (a config over the one it extends).
    pub fn get(&self, rule: &str) -> Option<V> {
        self.matching(rule)
            .max_by_key(|&at| {
                let e = &self.entries[at];
                (e.glob.is_none(), e.pattern.len(), at)
            })
            .map(|at| self.entries[at].value)
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
        self.index = std::sync::OnceLock::new();
    }

    /// Adds the entries of a later layer after this one's.
    pub fn extend(&mut self, later: RuleMap<V>) {
        self.entries.extend(later.entries);
        self.index = std::sync::OnceLock::new();
    }

    /// Patterns that match none of `known` rule ids: most likely typos.
    pub fn unmatched<'a>(
        &'a self,
        known: &'a [String],
    ) -> impl Iterator<Item = (&'a str, Option<&'a Origin>)> + 'a {
        let mut matched = vec![false; self.entries.len()];
        for rule in known {
            for at in self.matching(rule) {
                matched[at] = true;
            }
        }
        self.entries
            .iter()
            .zip(matched)
            .filter(|(_, matched)| !matched)
            .map(|(e, _)| (e.pattern.as_str(), e.origin.as_ref()))
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
