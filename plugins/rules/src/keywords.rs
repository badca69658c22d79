//! Which keywords occur in a file: the pass over every byte that decides
//! which rule regexes run.
//!
//! An Aho-Corasick DFA takes one table lookup per byte, and each lookup
//! waits for the one before it: the loop runs at the latency of a load, not
//! the throughput of the core. Keywords are short and many (83 in the secrets
//! pack, some of two or three letters), too many and too short for a SIMD
//! literal search (Teddy) to help. So the file is cut into four stretches,
//! overlapping by a keyword's length, and four independent DFA walks advance
//! in one loop: the core overlaps their lookups, and the pass takes about
//! half the time of one walk (measured on the benchmark corpus).

use aho_corasick::automaton::{Automaton, StateID};
use aho_corasick::dfa::DFA;
use aho_corasick::{Anchored, MatchKind};

/// Walks at once; four keep two cores' worth of load ports busy.
const STREAMS: usize = 4;

/// Finds every occurrence of any keyword, ASCII-case-insensitively.
#[derive(Debug)]
pub struct KeywordScanner {
    dfa: DFA,
    start: StateID,
    longest: usize,
}

impl KeywordScanner {
    /// `None` if the keywords are empty or the automaton would be too large.
    pub fn new(keywords: &[String]) -> Option<Self> {
        let longest = keywords.iter().map(String::len).max()?;
        if longest == 0 {
            return None;
        }
        // Standard semantics: every match state lists every keyword that
        // ends there, so one step per byte sees all occurrences, overlapping
        // or nested, without restarting the search.
        let dfa = DFA::builder()
            .match_kind(MatchKind::Standard)
            .ascii_case_insensitive(true)
            // A prefilter makes the start state special, so every byte
            // outside a keyword would take the slow branch below.
            .prefilter(false)
            .build(keywords)
            .ok()?;
        let start = dfa.start_state(Anchored::No).ok()?;
        Some(KeywordScanner {
            dfa,
            start,
            longest,
        })
    }

    /// Sets `seen[k]` for every keyword `k` that occurs in `bytes`.
    pub fn scan(&self, bytes: &[u8], seen: &mut [bool]) {
        let stretch = bytes.len() / STREAMS;
        if stretch < self.longest * 4 {
            self.walk(bytes, seen);
            return;
        }
        // Walk k covers [k·stretch − (longest − 1), (k + 1)·stretch): a
        // keyword ending in its stretch started no earlier than that, so it
        // lies whole in one walk. The rest of the file is walked after.
        let overlap = self.longest - 1;
        let steps = stretch + overlap;
        let from = |k: usize| (k * stretch).saturating_sub(overlap);
        let (s0, s1, s2, s3) = (
            &bytes[from(0)..from(0) + steps],
            &bytes[from(1)..from(1) + steps],
            &bytes[from(2)..from(2) + steps],
            &bytes[from(3)..from(3) + steps],
        );
        let dfa = &self.dfa;
        let (mut a, mut b, mut c, mut d) = (self.start, self.start, self.start, self.start);
        for (((&x, &y), &z), &w) in s0.iter().zip(s1).zip(s2).zip(s3) {
            a = dfa.next_state(Anchored::No, a, x);
            b = dfa.next_state(Anchored::No, b, y);
            c = dfa.next_state(Anchored::No, c, z);
            d = dfa.next_state(Anchored::No, d, w);
            if dfa.is_special(a) | dfa.is_special(b) | dfa.is_special(c) | dfa.is_special(d) {
                for sid in [a, b, c, d] {
                    self.mark(sid, seen);
                }
            }
        }
        self.walk(&bytes[from(STREAMS)..], seen);
    }

    fn walk(&self, bytes: &[u8], seen: &mut [bool]) {
        let mut sid = self.start;
        for &byte in bytes {
            sid = self.dfa.next_state(Anchored::No, sid, byte);
            if self.dfa.is_special(sid) {
                self.mark(sid, seen);
            }
        }
    }

    #[inline(always)]
    fn mark(&self, sid: StateID, seen: &mut [bool]) {
        if self.dfa.is_match(sid) {
            for i in 0..self.dfa.match_len(sid) {
                seen[self.dfa.match_pattern(sid, i).as_usize()] = true;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive(keywords: &[String], bytes: &[u8]) -> Vec<bool> {
        let lower = bytes.to_ascii_lowercase();
        keywords
            .iter()
            .map(|k| {
                let k = k.to_ascii_lowercase();
                lower.windows(k.len()).any(|w| w == k.as_bytes())
            })
            .collect()
    }

    #[test]
    fn finds_the_same_keywords_as_a_plain_search_wherever_they_fall() {
        let keywords: Vec<String> = [
            "ghp_",
            "pass",
            "passwd",
            "sswdx",
            "Q~",
            "BEGIN RSA PRIVATE KEY",
        ]
        .iter()
        .map(|k| k.to_string())
        .collect();
        let scanner = KeywordScanner::new(&keywords).unwrap();
        // Each keyword at every offset of files of many lengths, so that
        // occurrences straddle every cut between walks and the tail.
        for len in [0usize, 1, 5, 90, 95, 96, 97, 200, 401, 1000] {
            for (k, keyword) in keywords.iter().enumerate() {
                let word = if k % 2 == 0 {
                    keyword.to_ascii_uppercase()
                } else {
                    keyword.to_ascii_lowercase()
                };
                for at in 0..=len.saturating_sub(word.len()).min(len) {
                    let mut bytes = vec![b'.'; len.max(word.len())];
                    bytes[at..at + word.len()].copy_from_slice(word.as_bytes());
                    let mut seen = vec![false; keywords.len()];
                    scanner.scan(&bytes, &mut seen);
                    assert_eq!(seen, naive(&keywords, &bytes), "{word} at {at} of {len}");
                }
            }
        }
    }

    #[test]
    fn only_keywords_that_occur_are_marked() {
        let scanner = KeywordScanner::new(&["token".to_string()]).unwrap();
        let mut seen = vec![false];
        scanner.scan(&b"tokens are not here: toke n".repeat(50), &mut seen);
        assert_eq!(seen, [true]);
        let mut seen = vec![false];
        scanner.scan(&b"toke n tok en".repeat(50), &mut seen);
        assert_eq!(seen, [false]);
        assert!(KeywordScanner::new(&[]).is_none());
    }
}
