//! Decoding from the plan against gix's own reading, and damaged deltas.

use super::super::open;
use super::super::tests::git;
use super::*;

/// A file of numbered lines, `lines` long, with line `edit` changed in
/// version `n`: versions share most bytes, so git stores deltas, with
/// copies from offsets past 64 KiB.
fn version(lines: usize, edit: usize, n: usize) -> String {
    (0..lines)
        .map(|i| {
            if i == edit {
                format!("line {i} edited in version {n}\n")
            } else {
                format!("line {i} of a file that git stores as deltas\n")
            }
        })
        .collect()
}

/// Every blob decoded from the plan, as gix reads it one by one;
/// `limit` applied.
fn decode_all(root: &Path, limit: u64) -> (usize, HashMap<ObjectId, String>) {
    let listing = git(root, &["rev-list", "--objects", "--all"]);
    let ids: Vec<(usize, ObjectId)> = listing
        .lines()
        .map(|l| ObjectId::from_hex(&l.as_bytes()[..40]).unwrap())
        .filter(|id| git(root, &["cat-file", "-t", &id.to_string()]).trim() == "blob")
        .enumerate()
        .collect();
    let (repo, _) = open(root).unwrap();
    let packs = Packs::open(&repo);
    let plan = packs.plan(&ids);
    let deltas = plan.trees.iter().map(|t| t.nodes.len() - 1).sum();
    let local = repo.to_thread_local();
    let mut seen = HashMap::new();
    let mut decoder = Decoder::new(&packs, limit);
    for tree in &plan.trees {
        decoder.walk(tree, |at, read| {
            let id = ids[at].1;
            let said = match read {
                Read::Bytes(bytes) => {
                    let expected = local.find_object(id).unwrap().detach().data;
                    assert!(*bytes == expected, "{id} decoded differently");
                    "read".to_string()
                }
                Read::TooLarge(size) => format!("too large: {size}"),
                Read::Elsewhere => "elsewhere".to_string(),
            };
            assert!(seen.insert(id, said).is_none(), "{id} twice");
        });
    }
    for &at in &plan.elsewhere {
        assert!(seen.insert(ids[at].1, "no pack".to_string()).is_none());
    }
    assert_eq!(seen.len(), ids.len());
    (deltas, seen)
}

fn history_of_deltas(root: &Path) -> (Vec<ObjectId>, ObjectId) {
    git(root, &["init", "-q"]);
    let mut versions = Vec::new();
    for n in 0..12 {
        // Two files of 2,000 lines (about 90 KB) and a small one.
        std::fs::write(root.join("a.txt"), version(2000, (n * 157) % 2000, n)).unwrap();
        std::fs::write(root.join("b.txt"), version(2000, 1999 - n, n)).unwrap();
        std::fs::write(root.join("c.txt"), version(3, n % 3, n)).unwrap();
        git(root, &["add", "."]);
        git(root, &["commit", "-q", "-m", &format!("v{n}")]);
        for file in ["a.txt", "b.txt"] {
            let at = format!("HEAD:{file}");
            let id = git(root, &["rev-parse", &at]);
            versions.push(ObjectId::from_hex(id.trim().as_bytes()).unwrap());
        }
    }
    std::fs::write(root.join("loose.txt"), "not in a pack\n").unwrap();
    git(root, &["add", "loose.txt"]);
    git(root, &["commit", "-q", "-m", "loose"]);
    let loose = ObjectId::from_hex(
        git(root, &["rev-parse", "HEAD:loose.txt"])
            .trim()
            .as_bytes(),
    )
    .unwrap();
    (versions, loose)
}

#[test]
fn every_blob_decodes_as_gix_reads_it_with_offset_and_ref_deltas() {
    for offset_deltas in ["true", "false"] {
        let dir = tempfile::TempDir::new().unwrap();
        let root = dir.path();
        let (_, loose) = history_of_deltas(root);
        // The loose blob's commit is packed too; the blob is not.
        git(
            root,
            &[
                "-c",
                &format!("repack.useDeltaBaseOffset={offset_deltas}"),
                "repack",
                "-a",
                "-d",
                "-q",
            ],
        );
        std::fs::write(root.join("late.txt"), "written after the repack\n").unwrap();
        git(root, &["add", "late.txt"]);
        git(root, &["commit", "-q", "-m", "late"]);
        let late = ObjectId::from_hex(git(root, &["rev-parse", "HEAD:late.txt"]).trim().as_bytes())
            .unwrap();
        let (deltas, seen) = decode_all(root, u64::MAX);
        assert!(deltas >= 20, "{deltas} deltas: the test must exercise them");
        assert_eq!(seen[&late], "no pack");
        assert_eq!(seen[&loose], "read");
        assert_eq!(
            seen.values().filter(|s| *s == "read").count(),
            seen.len() - 1
        );
    }
}

#[test]
fn blobs_over_the_limit_are_not_read_nor_their_deltas_decoded_here() {
    let dir = tempfile::TempDir::new().unwrap();
    let root = dir.path();
    let (versions, _) = history_of_deltas(root);
    git(root, &["repack", "-a", "-d", "-q"]);
    // The 90 KB versions are over 50 KB; the small file is read.
    let (_, seen) = decode_all(root, 50_000);
    let over: Vec<&String> = versions.iter().map(|v| &seen[v]).collect();
    // One version is whole (its size told without inflating it); the
    // others are deltas on it, left to be read one by one, or deltas
    // whose own header says they are too large.
    assert!(
        over.iter().any(|s| s.starts_with("too large: ")),
        "{over:?}"
    );
    assert!(
        over.iter()
            .all(|s| s.starts_with("too large: ") || *s == "elsewhere"),
        "{over:?}"
    );
    assert!(seen.values().filter(|s| *s == "read").count() >= 12);
}

#[test]
fn a_damaged_delta_is_refused_never_read_out_of_bounds() {
    let base = b"0123456789";
    // Sizes: base 10, result 4; copy 4 bytes from offset 2.
    assert!(matches!(apply(base, &[10, 4, 0x91, 2, 4], 100), Ok(ref v) if v == b"2345"));
    // Insert of 3 bytes.
    assert!(matches!(apply(base, &[10, 3, 3, b'a', b'b', b'c'], 100), Ok(ref v) if v == b"abc"));
    let refused = |delta: &[u8]| matches!(apply(base, delta, 100), Err(Read::Elsewhere));
    assert!(refused(&[9, 4, 0x91, 2, 4]), "base size differs");
    assert!(refused(&[10, 4, 0x91, 8, 4]), "copy past the base");
    assert!(refused(&[10, 5, 0x91, 2, 4]), "result shorter than said");
    assert!(refused(&[10, 3, 0x91, 2, 4]), "result longer than said");
    assert!(refused(&[10, 4, 0]), "reserved instruction");
    assert!(refused(&[10, 4, 5, b'a']), "insert past the end");
    assert!(refused(&[10, 4, 0x91, 2]), "copy instruction cut short");
    assert!(refused(&[0x80, 0x80]), "size cut short");
    assert!(matches!(
        apply(base, &[10, 0xc8, 0x01], 100),
        Err(Read::TooLarge(200))
    ));
}

#[test]
fn a_damaged_entry_and_the_deltas_on_it_are_left_to_be_read_one_by_one() {
    let dir = tempfile::TempDir::new().unwrap();
    let root = dir.path();
    history_of_deltas(root);
    git(root, &["repack", "-a", "-d", "-q"]);
    let pack_dir = root.join(".git/objects/pack");
    let idx = std::fs::read_dir(&pack_dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "idx"))
        .unwrap();
    // verify-pack: id, type, size, size in pack, offset[, depth, base].
    let listing = git(root, &["verify-pack", "-v", idx.to_str().unwrap()]);
    let blobs: Vec<Vec<String>> = listing
        .lines()
        .map(|l| l.split_whitespace().map(str::to_string).collect::<Vec<_>>())
        .filter(|f| f.len() >= 5 && f[1] == "blob")
        .collect();
    let bases: HashMap<&str, &str> = blobs
        .iter()
        .filter_map(|f| Some((f[0].as_str(), f.get(6)?.as_str())))
        .collect();
    // The whole blob most deltas lead to, and every blob built on it.
    let root_of = |id: &str| -> String {
        let mut id = id;
        while let Some(base) = bases.get(id) {
            id = base;
        }
        id.to_string()
    };
    let mut count: HashMap<String, usize> = HashMap::new();
    for f in &blobs {
        *count.entry(root_of(&f[0])).or_default() += 1;
    }
    let (damaged, built_on) = count
        .into_iter()
        .max_by_key(|(id, n)| (*n, id.clone()))
        .unwrap();
    assert!(
        built_on >= 5,
        "{built_on}: the test needs deltas on the damaged blob"
    );
    let entry = blobs.iter().find(|f| f[0] == damaged).unwrap();
    let (packed, offset): (usize, usize) = (entry[3].parse().unwrap(), entry[4].parse().unwrap());
    let path = idx.with_extension("pack");
    let mut bytes = std::fs::read(&path).unwrap();
    for b in &mut bytes[offset + packed / 2..offset + packed / 2 + 4] {
        *b ^= 0x5a;
    }
    std::fs::remove_file(&path).unwrap();
    std::fs::write(&path, bytes).unwrap();

    let ids: Vec<(usize, ObjectId)> = blobs
        .iter()
        .map(|f| ObjectId::from_hex(f[0].as_bytes()).unwrap())
        .enumerate()
        .collect();
    let (repo, _) = open(root).unwrap();
    let packs = Packs::open(&repo);
    let plan = packs.plan(&ids);
    let mut decoder = Decoder::new(&packs, u64::MAX);
    let mut seen = HashMap::new();
    for tree in &plan.trees {
        decoder.walk(tree, |at, read| {
            seen.insert(ids[at].1.to_string(), matches!(read, Read::Elsewhere));
        });
    }
    assert_eq!(seen.len(), blobs.len());
    for f in &blobs {
        let left = seen[&f[0]];
        assert_eq!(
            left,
            root_of(&f[0]) == damaged,
            "{}: left to gix: {left}",
            f[0]
        );
    }
}
