//! `--shard I/N`: one of N deterministic slices of a repository's files, so a
//! CI matrix of N jobs checks a large repository together.

use std::fmt;
use std::str::FromStr;

/// Shard `index` (1-based) of `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// 1..=count.
    pub index: u32,
    /// How many shards the files are split into.
    pub count: u32,
}

impl Shard {
    /// Whether this shard checks `path`. The split hashes the
    /// repository-relative path, so it is the same on every machine and run,
    /// whatever order the walk found files in. Findings without a path (the
    /// repository-level checks) belong to shard 1.
    pub fn owns(&self, path: &str) -> bool {
        if path.is_empty() {
            return self.index == 1;
        }
        let hash = blake3::hash(path.as_bytes());
        let mut first = [0u8; 8];
        first.copy_from_slice(&hash.as_bytes()[..8]);
        u64::from_le_bytes(first) % u64::from(self.count) == u64::from(self.index - 1)
    }

    /// Whether this shard runs the repository-level checks.
    pub fn runs_repository_checks(&self) -> bool {
        self.index == 1
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl FromStr for Shard {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let usage = || format!("`{text}` is not I/N with 1 <= I <= N (for example 2/4)");
        let (index, count) = text.split_once('/').ok_or_else(usage)?;
        let index: u32 = index.trim().parse().map_err(|_| usage())?;
        let count: u32 = count.trim().parse().map_err(|_| usage())?;
        if index == 0 || count == 0 || index > count {
            return Err(usage());
        }
        Ok(Shard { index, count })
    }
}

#[cfg(test)]
mod tests {
    use super::Shard;

    #[test]
    fn every_path_belongs_to_exactly_one_shard() {
        let shards: Vec<Shard> = (1..=3).map(|i| format!("{i}/3").parse().unwrap()).collect();
        let mut per_shard = [0; 3];
        for n in 0..3000 {
            let path = format!("src/file{n}.rs");
            let owners: Vec<_> = shards.iter().filter(|s| s.owns(&path)).collect();
            assert_eq!(owners.len(), 1, "{path}");
            per_shard[owners[0].index as usize - 1] += 1;
        }
        // Roughly even: each within 10% of a third.
        assert!(
            per_shard.iter().all(|&n| (900..=1100).contains(&n)),
            "{per_shard:?}"
        );
        assert!(shards[0].owns("") && !shards[1].owns("") && !shards[2].owns(""));
    }

    #[test]
    fn bad_shards_are_refused() {
        for bad in ["0/3", "4/3", "1", "a/b", "1/0", "-1/2"] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
        assert_eq!("2/4".parse::<Shard>().unwrap().to_string(), "2/4");
    }
}
