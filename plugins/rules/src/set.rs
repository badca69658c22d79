//! Every rule of a run in one set: one Aho-Corasick pass over all keywords
//! picks the rules whose regexes run, so adding rules costs little.

use crate::decode::{next_layer, Segment};
use crate::entropy::shannon;
use crate::keywords::KeywordScanner;
use crate::pack::{Allow, AllowTarget, Overlap, Rule};

/// A match of a rule in a file.
#[derive(Debug, Clone, PartialEq)]
pub struct Match {
    /// Index of the rule in the set.
    pub rule: usize,
    /// Byte range reported: the secret if the rule has one, else the match.
    pub start: usize,
    /// End of the reported range.
    pub end: usize,
    /// The secret text, when the rule redacts.
    pub secret: Option<String>,
    /// The finding's message, `{secret}` filled in (the engine redacts it).
    pub message: String,
    /// The secret's entropy is below the rule's `strong-entropy`: report it
    /// as a warning.
    pub weak: bool,
    /// The encodings the secret was found through (`base64`, `base64, then
    /// hex`); the range is then the encoded span in the file.
    pub encoding: Option<String>,
    /// What the rule matched as its secret, decoded: two rules' findings on
    /// one value are compared on it.
    pub(crate) value: String,
}

/// The rules that share one `paths` filter, with their keyword prefilter.
/// A file a group's paths exclude costs that group nothing, so language-
/// specific packs add no work to other languages' files.
#[derive(Debug)]
struct Group {
    /// Indices of the group's rules in the set.
    members: Vec<usize>,
    /// Whether the group's rules have a `paths` filter (checked on the first).
    filtered: bool,
    prefilter: Option<KeywordScanner>,
    /// For each keyword of the prefilter, the rules it gates.
    keyword_rules: Vec<Vec<usize>>,
    /// Rules without keywords: they run on every file of the group.
    unfiltered: Vec<usize>,
}

impl Group {
    fn new(rules: &[Rule], members: Vec<usize>) -> Self {
        let mut keywords: Vec<String> = Vec::new();
        let mut keyword_rules: Vec<Vec<usize>> = Vec::new();
        let mut unfiltered = Vec::new();
        for &index in &members {
            let rule = &rules[index];
            if rule.keywords.is_empty() {
                unfiltered.push(index);
            }
            for keyword in &rule.keywords {
                match keywords.iter().position(|k| k == keyword) {
                    Some(at) => keyword_rules[at].push(index),
                    None => {
                        keywords.push(keyword.clone());
                        keyword_rules.push(vec![index]);
                    }
                }
            }
        }
        // Without a prefilter (the automaton would be too large) every rule
        // runs: slower, never wrong.
        let prefilter = KeywordScanner::new(&keywords);
        if prefilter.is_none() {
            unfiltered.clone_from(&members);
        }
        let filtered = members.first().is_some_and(|&i| rules[i].paths.is_some());
        Group {
            members,
            filtered,
            prefilter,
            keyword_rules,
            unfiltered,
        }
    }

    /// Marks the group's rules whose keywords occur in `bytes`.
    fn candidates(&self, bytes: &[u8], candidate: &mut [bool]) {
        for &index in &self.unfiltered {
            candidate[index] = true;
        }
        let Some(prefilter) = &self.prefilter else {
            return;
        };
        let mut seen = vec![false; self.keyword_rules.len()];
        prefilter.scan(bytes, &mut seen);
        for (rules, _) in self
            .keyword_rules
            .iter()
            .zip(seen)
            .filter(|(_, seen)| *seen)
        {
            for &index in rules {
                candidate[index] = true;
            }
        }
    }
}

/// Compiled rules, grouped by their `paths` filters, each group with one
/// keyword prefilter.
#[derive(Debug)]
pub struct RuleSet {
    rules: Vec<Rule>,
    groups: Vec<Group>,
    /// The deepest `decode-depth` of its rules.
    max_decode_depth: usize,
}

impl RuleSet {
    /// Builds the set. Keywords are matched ASCII-case-insensitively.
    pub fn new(rules: Vec<Rule>) -> Self {
        let mut by_paths: Vec<(String, Vec<usize>)> = Vec::new();
        for (index, rule) in rules.iter().enumerate() {
            match by_paths.iter_mut().find(|(key, _)| *key == rule.paths_key) {
                Some((_, members)) => members.push(index),
                None => by_paths.push((rule.paths_key.clone(), vec![index])),
            }
        }
        let groups = by_paths
            .into_iter()
            .map(|(_, members)| Group::new(&rules, members))
            .collect();
        let max_decode_depth = rules.iter().map(|r| r.decode_depth).max().unwrap_or(0);
        RuleSet {
            rules,
            groups,
            max_decode_depth,
        }
    }

    /// The rules, in set order.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// Runs every applicable rule on a file.
    pub fn scan(&self, path: &str, bytes: &[u8], out: &mut Vec<Match>) {
        self.scan_timed(path, bytes, out, None);
    }

    /// [`RuleSet::scan`], adding the time each rule's regex took to
    /// `times[rule]` when given (the shared keyword pass is no one rule's).
    pub fn scan_timed(
        &self,
        path: &str,
        bytes: &[u8],
        out: &mut Vec<Match>,
        mut times: Option<&mut [std::time::Duration]>,
    ) {
        if self.rules.is_empty() {
            return;
        }
        let first = out.len();
        self.scan_layer(path, bytes, 0, out, times.as_deref_mut());
        if self.max_decode_depth > 0 {
            self.scan_decoded(path, bytes, out, times);
        }
        let mut found = out.split_off(first);
        self.drop_overlaps(bytes, &mut found);
        out.extend(found);
    }

    /// Runs the rules that decode at least `depth` layers on `bytes`.
    fn scan_layer(
        &self,
        path: &str,
        bytes: &[u8],
        depth: usize,
        out: &mut Vec<Match>,
        mut times: Option<&mut [std::time::Duration]>,
    ) {
        let mut candidate = vec![false; self.rules.len()];
        for group in &self.groups {
            let applies = !group.filtered
                || self.rules[group.members[0]]
                    .paths
                    .as_ref()
                    .is_none_or(|g| g.is_match(path));
            if applies {
                group.candidates(bytes, &mut candidate);
            }
        }
        for (index, rule) in self.rules.iter().enumerate() {
            if candidate[index] && rule.decode_depth >= depth && rule.applies_to(path) {
                match times.as_deref_mut() {
                    Some(times) => {
                        let started = std::time::Instant::now();
                        scan_rule(index, rule, bytes, out);
                        if let Some(time) = times.get_mut(index) {
                            *time += started.elapsed();
                        }
                    }
                    None => scan_rule(index, rule, bytes, out),
                }
            }
        }
    }

    /// Scans layer after layer of decoded text. A match counts when it
    /// touches a segment decoded at its layer (anything else was seen a
    /// layer before); it is reported at the encoded span in the file, with
    /// that span as its secret so every output masks the encoded text.
    fn scan_decoded(
        &self,
        path: &str,
        bytes: &[u8],
        out: &mut Vec<Match>,
        mut times: Option<&mut [std::time::Duration]>,
    ) {
        let mut text: Vec<u8>;
        let mut previous: Option<Vec<Segment>> = None;
        let mut layer_matches = Vec::new();
        let mut current: &[u8] = bytes;
        for depth in 1..=self.max_decode_depth {
            let Some(layer) = next_layer(current, previous.as_deref()) else {
                return;
            };
            layer_matches.clear();
            self.scan_layer(
                path,
                &layer.text,
                depth,
                &mut layer_matches,
                times.as_deref_mut(),
            );
            for mut found in layer_matches.drain(..) {
                let touched: Vec<&Segment> = layer
                    .segments
                    .iter()
                    .filter(|s| s.span.start < found.end && found.start < s.span.end)
                    .collect();
                let Some(first_segment) = touched.first() else {
                    continue;
                };
                let start = touched.iter().map(|s| s.origin.start).min().unwrap_or(0);
                let end = touched.iter().map(|s| s.origin.end).max().unwrap_or(0);
                if out
                    .iter()
                    .any(|m| m.rule == found.rule && m.start == start && m.end == end)
                {
                    continue;
                }
                let encoded = String::from_utf8_lossy(&bytes[start..end]).into_owned();
                let rule = &self.rules[found.rule];
                found.message = format!(
                    "{} (decoded from {})",
                    rule.message.replace("{secret}", &encoded),
                    first_segment.chain
                );
                found.secret = rule.redact.then_some(encoded);
                found.encoding = Some(first_segment.chain.clone());
                found.start = start;
                found.end = end;
                out.push(found);
            }
            text = layer.text;
            current = &text;
            previous = Some(layer.segments);
        }
    }

    /// Resolves two rules of one pack reporting one value, by the pack's
    /// [`Overlap`] policy.
    fn drop_overlaps(&self, bytes: &[u8], found: &mut Vec<Match>) {
        if found.len() < 2 {
            return;
        }
        found.sort_by_key(|m| (m.rule, m.start));
        let rules = &self.rules;
        let same_pack = |a: &Match, b: &Match| rules[a.rule].pack == rules[b.rule].pack;
        let overlaps = |a: &Match, b: &Match| a.start < b.end && b.start < a.end;
        let same_line = |a: &Match, b: &Match| {
            let (low, high) = (a.start.min(b.start), a.start.max(b.start));
            memchr::memchr(b'\n', &bytes[low..high.min(bytes.len())]).is_none()
        };
        let beaten = |generic: &Match, specific: &Match| {
            !rules[specific.rule].generic
                && same_pack(generic, specific)
                && match rules[generic.rule].overlap {
                    Overlap::Ward => overlaps(generic, specific),
                    Overlap::Gitleaks => {
                        same_line(generic, specific) && specific.value.contains(&generic.value)
                    }
                }
        };
        let mut kept: Vec<Match> = Vec::with_capacity(found.len());
        for candidate in found.iter() {
            let rule = &rules[candidate.rule];
            if rule.generic {
                if found.iter().any(|other| beaten(candidate, other)) {
                    continue;
                }
                // Two generic rules of a ward pack on one value: the first
                // listed keeps it.
                if rule.overlap == Overlap::Ward
                    && kept.iter().any(|k| {
                        rules[k.rule].generic
                            && k.rule != candidate.rule
                            && same_pack(k, candidate)
                            && overlaps(k, candidate)
                    })
                {
                    continue;
                }
            }
            kept.push(candidate.clone());
        }
        kept.sort_by_key(|m| (m.start, m.rule));
        *found = kept;
    }
}

/// Runs one rule over `bytes`, ignoring keywords and paths.
pub(crate) fn scan_rule(index: usize, rule: &Rule, bytes: &[u8], out: &mut Vec<Match>) {
    let Some(regex) = rule.regex.get() else {
        return;
    };
    let first = out.len();
    let lead = rule.regex.lead;
    // Where the previous match ended: a match (and its lead) starts after.
    let mut floor = 0;
    for captures in regex.captures_iter(bytes) {
        // Past the engine's cap per file nothing more is kept.
        if out.len() > first + ward_plugin_sdk::MAX_FINDINGS_PER_FILE {
            break;
        }
        let Some(whole) = captures.get(0) else {
            continue;
        };
        if whole.is_empty() {
            continue;
        }
        // The identifier lead the compiled regex left out (see `split_lead`).
        let mut start = whole.start();
        while start > floor
            && whole.start() - start < lead
            && matches!(bytes[start - 1], b'0'..=b'9' | b'A'..=b'Z' | b'a'..=b'z' | b'_' | b'.' | b'-')
        {
            start -= 1;
        }
        floor = whole.end();
        let secret = match rule.secret_group {
            Some(0) => None,
            Some(group) => captures.get(group),
            None => captures.iter().skip(1).flatten().find(|m| !m.is_empty()),
        };
        let (secret_start, secret_end) =
            secret.map_or((start, whole.end()), |m| (m.start(), m.end()));
        let secret_text = String::from_utf8_lossy(&bytes[secret_start..secret_end]);
        let entropy = (rule.entropy.is_some() || rule.strong_entropy.is_some())
            .then(|| shannon(&secret_text));
        if let (Some(minimum), Some(entropy)) = (rule.entropy, entropy) {
            if entropy < minimum {
                continue;
            }
        }
        let weak = rule
            .strong_entropy
            .zip(entropy)
            .is_some_and(|(strong, entropy)| entropy < strong);
        let whole_text = String::from_utf8_lossy(&bytes[start..whole.end()]);
        if allowed(rule, &secret_text, &whole_text, bytes, start, whole.end()) {
            continue;
        }
        out.push(Match {
            rule: index,
            start: secret_start,
            end: secret_end,
            secret: rule.redact.then(|| secret_text.to_string()),
            message: rule.message.replace("{secret}", &secret_text),
            weak,
            encoding: None,
            value: secret_text.into_owned(),
        });
    }
}

fn line_around(bytes: &[u8], start: usize, end: usize) -> &[u8] {
    let line_start = bytes[..start]
        .iter()
        .rposition(|b| *b == b'\n')
        .map_or(0, |i| i + 1);
    let line_end = bytes[end..]
        .iter()
        .position(|b| *b == b'\n')
        .map_or(bytes.len(), |i| end + i);
    &bytes[line_start..line_end]
}

fn allowed(rule: &Rule, secret: &str, whole: &str, bytes: &[u8], start: usize, end: usize) -> bool {
    let lower = std::cell::OnceCell::new();
    rule.allow.iter().any(|allow| match allow {
        Allow::Literal(word) => lower
            .get_or_init(|| secret.to_lowercase())
            .contains(word.as_str()),
        Allow::Pattern(regex, target) => regex.get().is_some_and(|regex| match target {
            AllowTarget::Secret => regex.is_match(secret.as_bytes()),
            AllowTarget::Match => regex.is_match(whole.as_bytes()),
            AllowTarget::Line => regex.is_match(line_around(bytes, start, end)),
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pack::{parse, PackSource};

    fn set(text: &str) -> RuleSet {
        let pack = parse(&PackSource {
            name: "t.toml".into(),
            text: text.into(),
        })
        .unwrap();
        RuleSet::new(pack.rules)
    }

    fn found(set: &RuleSet, path: &str, text: &str) -> Vec<(String, usize, usize)> {
        let mut out = Vec::new();
        set.scan(path, text.as_bytes(), &mut out);
        out.into_iter()
            .map(|m| (set.rules()[m.rule].id.clone(), m.start, m.end))
            .collect()
    }

    #[test]
    fn a_rules_regex_is_compiled_only_once_a_file_has_its_keyword() {
        let set = set(TWO_RULES);
        let compiled = |i: usize| set.rules()[i].regex.compiled.get().is_some();
        assert!(!compiled(0) && !compiled(1));
        // `word` has no keywords: it runs, so compiles, on any file.
        assert_eq!(found(&set, "a.txt", "nothing to see"), []);
        assert!(!compiled(0) && compiled(1));
        assert_eq!(
            found(&set, "a.txt", "x tok_abcd1234"),
            [("t/token".to_string(), 6, 14)]
        );
        assert!(compiled(0));
    }

    const TWO_RULES: &str = r#"
[[rule]]
id = "token"
message = "token {secret}"
pattern = '''tok_([a-z0-9]{8})'''
keywords = ["TOK_"]
redact = true

[[rule]]
id = "word"
message = "word"
pattern = '''\bforbidden\b'''
"#;

    #[test]
    fn keyword_prefilter_gates_the_regex() {
        let set = set(TWO_RULES);
        assert_eq!(
            found(&set, "a", "x tok_ab12cd34 forbidden"),
            [
                ("t/token".to_string(), 6, 14),
                ("t/word".to_string(), 15, 24)
            ]
        );
        // Without the keyword the token rule never runs (case-insensitive keyword).
        assert_eq!(found(&set, "a", "TOK_ab12cd34"), []);
    }

    #[test]
    fn overlapping_and_contained_keywords_all_count() {
        let text = "[[rule]]\nid = \"a\"\nmessage = \"m\"\npattern = 'A'\nkeywords = [\"pass\"]\n\n[[rule]]\nid = \"b\"\nmessage = \"m\"\npattern = 'B'\nkeywords = [\"passwd\"]\n\n[[rule]]\nid = \"c\"\nmessage = \"m\"\npattern = 'C'\nkeywords = [\"sswdx\"]\n";
        let set = set(text);
        // "passwdx" holds all three keywords, overlapping, two at one start.
        let found: Vec<String> = found(&set, "f", "passwdx A B C")
            .into_iter()
            .map(|f| f.0)
            .collect();
        assert_eq!(found, ["t/a", "t/b", "t/c"]);
        let found: Vec<String> = found_ids(&set, "pass A B C");
        assert_eq!(found, ["t/a"]);
    }

    fn found_ids(set: &RuleSet, text: &str) -> Vec<String> {
        found(set, "f", text).into_iter().map(|f| f.0).collect()
    }

    #[test]
    fn secret_and_message() {
        let set = set(TWO_RULES);
        let mut out = Vec::new();
        set.scan("a", b"tok_ab12cd34", &mut out);
        assert_eq!(out[0].secret.as_deref(), Some("ab12cd34"));
        assert_eq!(out[0].message, "token ab12cd34");
    }

    #[test]
    fn entropy_guard_discards_low_entropy_secrets() {
        let set = set(
            "[[rule]]\nid = \"g\"\nmessage = \"m\"\npattern = '''key=(\\w+)'''\nentropy = 3.0\n",
        );
        assert_eq!(found(&set, "a", "key=aaaaaaaaaaaa"), []);
        assert_eq!(
            found(&set, "a", "key=q8Zt3LmW9xVb"),
            [("t/g".to_string(), 4, 16)]
        );
    }

    #[test]
    fn allow_lists_literal_and_regex_targets() {
        let text = r#"
allow = ["example"]
[[rule]]
id = "g"
message = "m"
pattern = '''key=(\S+)'''
allow = ['re:^\$\{', 're-match:^key=x', 're-line:#\s*fake']
"#;
        let set = set(text);
        assert_eq!(found(&set, "a", "key=AKIAEXAMPLE"), []);
        assert_eq!(found(&set, "a", "key=${VAR}"), []);
        assert_eq!(found(&set, "a", "key=xyz123"), []);
        assert_eq!(found(&set, "a", "key=q8Zt3 # fake"), []);
        assert_eq!(found(&set, "a", "key=q8Zt3"), [("t/g".to_string(), 4, 9)]);
    }

    const OVERLAPPING: &str = r#"
[[rule]]
id = "github-pat"
message = "m"
pattern = 'ghp_[a-z]{4}'

[[rule]]
id = "vendor-token"
message = "m"
pattern = 'ghp_([a-z]{4})'

[[rule]]
id = "generic-token"
message = "m"
pattern = 'token = (\S+)'

[[rule]]
id = "generic-secret"
message = "m"
pattern = '(?:token|secret) = (\S+)'
"#;

    #[test]
    fn in_a_ward_pack_specific_rules_all_report_and_generic_ones_yield() {
        let set = set(OVERLAPPING);
        assert_eq!(
            found(&set, "a", "token = ghp_abcd"),
            [
                ("t/github-pat".to_string(), 8, 16),
                ("t/vendor-token".to_string(), 12, 16)
            ]
        );
        // Two generic rules on one value: the one listed first.
        assert_eq!(
            found(&set, "a", "token = other"),
            [("t/generic-token".to_string(), 8, 13)]
        );
        assert_eq!(
            found(&set, "a", "secret = other"),
            [("t/generic-secret".to_string(), 9, 14)]
        );
    }

    #[test]
    fn a_gitleaks_pack_drops_a_generic_finding_only_under_a_containing_secret_on_its_line() {
        let set = set(&format!("overlap = \"gitleaks\"\n{OVERLAPPING}"));
        // Both generic rules yield to github-pat, whose secret holds theirs.
        assert_eq!(
            found(&set, "a", "token = ghp_abcd"),
            [
                ("t/github-pat".to_string(), 8, 16),
                ("t/vendor-token".to_string(), 12, 16)
            ]
        );
        // A generic secret longer than the specific one is kept, as are
        // two generic findings on one value.
        assert_eq!(
            found(&set, "a", "token = xghp_abcd"),
            [
                ("t/generic-token".to_string(), 8, 17),
                ("t/generic-secret".to_string(), 8, 17),
                ("t/github-pat".to_string(), 9, 17),
                ("t/vendor-token".to_string(), 13, 17),
            ]
        );
    }

    #[test]
    fn an_encoded_secret_is_found_at_its_encoded_span() {
        let set = set(
            "redact = true\ndecode-depth = 2\n[[rule]]\nid = \"key\"\nmessage = \"key {secret}\"\npattern = '-----BEGIN PRIVATE KEY-----[A-Za-z0-9+/=\\s]{20,}'\nkeywords = [\"begin private key\"]\n",
        );
        // base64 of a PEM header and a line of key (PKCS #8); built from
        // pieces, so that ward's own check of this file finds none.
        let encoded = concat!(
            "LS0tLS1CRUdJTiBQUklWQVRFIEtFWS0tLS0tCk1J",
            "SUV2UUlCQURBTkJna3Foa2lHOXcwQkFRRUZBQVNDCg=="
        );
        let text = format!("data:\n  tls.key: {encoded}\n");
        let mut out = Vec::new();
        set.scan("k.yaml", text.as_bytes(), &mut out);
        assert_eq!(out.len(), 1);
        let found = &out[0];
        assert_eq!((found.start, found.end), (17, 17 + encoded.len()));
        assert_eq!(found.encoding.as_deref(), Some("base64"));
        // The encoded text is the secret: every output masks it.
        assert_eq!(found.secret.as_deref(), Some(encoded));
        assert_eq!(
            found.message,
            format!("key {encoded} (decoded from base64)")
        );
        // Without decode-depth the same text gives nothing.
        let plain = set_without_decoding();
        let mut out = Vec::new();
        plain.scan("k.yaml", text.as_bytes(), &mut out);
        assert!(out.is_empty());
    }

    fn set_without_decoding() -> RuleSet {
        set("[[rule]]\nid = \"key\"\nmessage = \"m\"\npattern = '-----BEGIN PRIVATE KEY-----[A-Za-z0-9+/=\\s]{20,}'\n")
    }

    #[test]
    fn first_non_empty_group_is_the_default_secret() {
        let set = set("[[rule]]\nid = \"g\"\nmessage = \"m\"\npattern = '''(a)?(b+)'''\n");
        assert_eq!(found(&set, "p", "xbb"), [("t/g".to_string(), 1, 3)]);
    }
}

#[cfg(test)]
mod lead_tests {
    use super::*;
    use crate::pack::{parse, PackSource};

    /// A rule whose pattern starts with gitleaks' identifier lead reports
    /// the same secret, and its allow entries see the same whole match
    /// (lead included), as if the lead were matched.
    #[test]
    fn the_split_lead_is_matched_again_for_allow_lists() {
        let text = "[[rule]]\nid = \"k\"\nmessage = \"m\"\npattern = '''(?i)[\\w.-]{0,50}?(?:token)[ =]+([a-z0-9]{8})'''\nallow = ['re-match:^primary_']\n";
        let pack = parse(&PackSource {
            name: "t.toml".into(),
            text: text.into(),
        })
        .unwrap();
        let set = RuleSet::new(pack.rules);
        let found = |input: &str| {
            let mut out = Vec::new();
            set.scan("f", input.as_bytes(), &mut out);
            out.iter().map(|m| (m.start, m.end)).collect::<Vec<_>>()
        };
        assert_eq!(found("my_token = abcd1234"), [(11, 19)]);
        // The allow entry reads the lead: `primary_token` is allowed.
        assert_eq!(found("primary_token = abcd1234"), []);
        // A lead never reaches back into the previous match.
        assert_eq!(
            found("token = abcd1234token = efgh5678"),
            [(8, 16), (24, 32)]
        );
    }
}
