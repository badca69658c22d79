//! Reading a history's blobs out of its packs, each decoded once.
//!
//! git keeps most versions of a file as deltas against another version, in
//! chains up to 50 deep, and one base often has many deltas. Read one by
//! one (gix's `find_object`), each delta is rebuilt from its chain: the
//! base is inflated again for every delta on it, since only rebuilt deltas
//! enter the delta cache. Measured on containerd's history (90,294 blobs,
//! 1.5 GB), that inflates 1,320 MB and applies 2,381 MB of deltas, where
//! each blob decoded once needs 319 MB and 1,347 MB.
//!
//! So the blobs to read and the bases they need form a forest per pack,
//! each delta a child of its base, and each tree is walked depth first:
//! every node is inflated once and rebuilt once from its parent, and only
//! the ancestors of the node at hand are kept (at most a chain's depth of
//! blobs, each within the size limit). Trees are handed out heaviest
//! first, one at a time, to every thread.
//!
//! What cannot be decoded this way (a loose object, a base in another
//! pack, an object over the size limit with versions under it, a damaged
//! entry) is left to the caller to read one by one, as before.
//!
//! Entries are read with positioned reads, not a second mapping of the
//! pack: gix maps it already to walk the trees, and the pages of a pack
//! mapped twice count twice in the resident memory of the process.

use std::collections::HashMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use gix::odb::pack::data::entry::Header;
use gix::odb::pack::{data, index};
use gix::ObjectId;

/// The longest delta chain followed (git's own limit for `--depth`).
const MAX_CHAIN: usize = 4095;

/// An entry's header is within this many bytes (a type and size, then a
/// base offset or a base id).
const HEADER: usize = 64;

/// The packs of a repository (and of its alternates).
pub struct Packs {
    packs: Vec<Pack>,
    hash: gix::hash::Kind,
}

struct Pack {
    index: index::File,
    /// The pack file.
    path: PathBuf,
    /// Where each entry starts, ascending, and where the last one ends:
    /// an entry's length is the distance to the next.
    starts: Vec<u64>,
}

impl Pack {
    /// Where the entry at `offset` ends.
    fn end_of(&self, offset: u64) -> Option<u64> {
        let at = self.starts.partition_point(|&s| s <= offset);
        self.starts.get(at).copied()
    }
}

impl Packs {
    pub fn open(repo: &gix::ThreadSafeRepository) -> Packs {
        let objects = repo.objects.path().to_path_buf();
        let hash = repo.objects.object_hash();
        let mut dirs = vec![objects.clone()];
        if let Ok(cwd) = std::env::current_dir() {
            dirs.extend(gix::odb::alternate::resolve(objects, &cwd).unwrap_or_default());
        }
        let mut packs = Vec::new();
        for dir in dirs {
            let Ok(listing) = std::fs::read_dir(dir.join("pack")) else {
                continue;
            };
            let mut paths: Vec<_> = listing
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "idx"))
                .collect();
            paths.sort();
            packs.extend(paths.into_iter().filter_map(|p| open_pack(&p, hash)));
        }
        Packs { packs, hash }
    }

    /// Which pack holds `id`, and where.
    fn locate(&self, id: &gix::oid) -> Option<(usize, u64)> {
        self.packs
            .iter()
            .enumerate()
            .find_map(|(pack, Pack { index, .. })| {
                index
                    .lookup(id)
                    .map(|at| (pack, index.pack_offset_at_index(at)))
            })
    }

    /// Plans the reading of `ids`: the delta trees that hold them, and
    /// the positions of those no pack holds.
    pub fn plan(&self, ids: &[(usize, ObjectId)]) -> Plan {
        let mut nodes: Vec<HashMap<u64, Planned>> = vec![HashMap::new(); self.packs.len()];
        let mut files: Vec<Option<Option<File>>> = (0..self.packs.len()).map(|_| None).collect();
        for &(at, id) in ids {
            // Not in a pack: no tree places it, so it is read one by one.
            let Some((pack, offset)) = self.locate(&id) else {
                continue;
            };
            let file = files[pack].get_or_insert_with(|| File::open(&self.packs[pack].path).ok());
            self.chain(pack, file.as_ref(), offset, &mut nodes[pack]);
            nodes[pack].get_mut(&offset).expect("planned").wanted = Some(at);
        }
        let mut trees = Vec::new();
        for (pack, planned) in nodes.into_iter().enumerate() {
            let mut children: HashMap<u64, Vec<u64>> = HashMap::new();
            let mut roots = Vec::new();
            for (&offset, node) in &planned {
                match node.parent {
                    Some(parent) => children.entry(parent).or_default().push(offset),
                    None => roots.push(offset),
                }
            }
            roots.sort_unstable();
            for list in children.values_mut() {
                list.sort_unstable();
            }
            for root in roots {
                trees.push(tree(pack, root, &planned, &children));
            }
        }
        trees.sort_by_key(|t| std::cmp::Reverse(t.weight));
        // What no tree reaches is read one by one: loose or missing
        // objects, and a hostile pack's delta cycle.
        let placed: std::collections::HashSet<usize> = trees
            .iter()
            .flat_map(|t| t.nodes.iter().filter_map(|n| n.wanted))
            .collect();
        let elsewhere = ids
            .iter()
            .map(|&(at, _)| at)
            .filter(|at| !placed.contains(at))
            .collect();
        Plan { trees, elsewhere }
    }

    /// Adds `offset` and the bases it needs to `nodes`, down to a base
    /// already planned or a whole object.
    fn chain(
        &self,
        pack: usize,
        file: Option<&File>,
        mut offset: u64,
        nodes: &mut HashMap<u64, Planned>,
    ) {
        let index = &self.packs[pack].index;
        let Some(file) = file else {
            nodes.insert(offset, Planned::broken());
            return;
        };
        let mut buffer = Vec::new();
        for _ in 0..MAX_CHAIN {
            if nodes.contains_key(&offset) {
                return;
            }
            let Some(entry) = self.header(pack, file, offset, &mut buffer) else {
                nodes.insert(offset, Planned::broken());
                return;
            };
            let base = match entry.header {
                Header::OfsDelta { base_distance } => entry.checked_base_pack_offset(base_distance),
                Header::RefDelta { base_id } => index
                    .lookup(base_id)
                    .map(|at| index.pack_offset_at_index(at)),
                Header::Blob => {
                    nodes.insert(offset, Planned::with(entry, None));
                    return;
                }
                // Not a blob: not ours to decode.
                _ => None,
            };
            let Some(base) = base.filter(|&b| b != offset) else {
                nodes.insert(offset, Planned::broken());
                return;
            };
            nodes.insert(offset, Planned::with(entry, Some(base)));
            offset = base;
        }
        // A chain longer than git writes: its last node's base is never
        // planned, so no tree reaches the chain, and `plan` leaves its
        // blobs to be read one by one.
    }
}

impl Packs {
    /// The header of the entry at `offset`.
    fn header(
        &self,
        pack: usize,
        file: &File,
        offset: u64,
        buffer: &mut Vec<u8>,
    ) -> Option<data::Entry> {
        let end = self.packs[pack].end_of(offset)?;
        let len = usize::try_from(end - offset).ok()?.min(HEADER);
        buffer.clear();
        // Zeros past a short entry: a damaged header then reads as a
        // wrong one, refused later, never past the buffer.
        buffer.resize(HEADER, 0);
        read_at(file, offset, &mut buffer[..len]).ok()?;
        data::Entry::from_bytes(buffer, offset, self.hash).ok()
    }
}

#[cfg(unix)]
fn read_at(file: &File, offset: u64, into: &mut [u8]) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, into, offset)
}

#[cfg(not(unix))]
fn read_at(mut file: &File, offset: u64, into: &mut [u8]) -> std::io::Result<()> {
    use std::io::{Read, Seek};
    file.seek(std::io::SeekFrom::Start(offset))?;
    file.read_exact(into)
}

fn open_pack(idx: &Path, hash: gix::hash::Kind) -> Option<Pack> {
    let index = index::File::at(idx, hash).ok()?;
    let path = idx.with_extension("pack");
    // The pack ends with a checksum of the hash's length.
    let data_end = std::fs::metadata(&path)
        .ok()?
        .len()
        .checked_sub(hash.len_in_bytes() as u64)?;
    let mut starts = index.sorted_offsets();
    if starts.last().is_some_and(|&last| last >= data_end) {
        return None;
    }
    starts.push(data_end);
    Some(Pack {
        index,
        path,
        starts,
    })
}

#[derive(Clone)]
struct Planned {
    /// `None`: not decodable here (damaged, not a blob, its base lost).
    entry: Option<data::Entry>,
    parent: Option<u64>,
    wanted: Option<usize>,
}

impl Planned {
    fn with(entry: data::Entry, parent: Option<u64>) -> Self {
        Planned {
            entry: Some(entry),
            parent,
            wanted: None,
        }
    }

    fn broken() -> Self {
        Planned {
            entry: None,
            parent: None,
            wanted: None,
        }
    }
}

/// The delta tree under `root`, depth first.
fn tree(
    pack: usize,
    root: u64,
    planned: &HashMap<u64, Planned>,
    children: &HashMap<u64, Vec<u64>>,
) -> Tree {
    let mut nodes = Vec::new();
    let mut weight = 0u64;
    let mut stack: Vec<(u64, Option<u32>)> = vec![(root, None)];
    while let Some((offset, parent)) = stack.pop() {
        let node = &planned[&offset];
        let kids = children.get(&offset).map_or(&[][..], Vec::as_slice);
        let me = u32::try_from(nodes.len()).expect("fewer nodes than objects in a pack");
        weight += node.entry.as_ref().map_or(0, |e| e.decompressed_size);
        nodes.push(Node {
            entry: node.entry.clone(),
            parent,
            wanted: node.wanted,
            children: u32::try_from(kids.len()).expect("fewer nodes than objects in a pack"),
        });
        stack.extend(kids.iter().rev().map(|&kid| (kid, Some(me))));
    }
    // Each delta is rebuilt whole: the tree's blobs weigh about its root
    // once per node.
    weight += nodes.len() as u64
        * planned[&root]
            .entry
            .as_ref()
            .map_or(0, |e| e.decompressed_size);
    Tree {
        pack,
        nodes,
        weight,
    }
}

/// How to read a set of blobs.
pub struct Plan {
    /// Delta trees, the heaviest first.
    pub trees: Vec<Tree>,
    /// Blobs no tree reaches (loose, missing, in a delta cycle), in the
    /// order given, to read one by one.
    pub elsewhere: Vec<usize>,
}

/// A blob and the deltas built on it, depth first: each node after its
/// parent.
pub struct Tree {
    pack: usize,
    nodes: Vec<Node>,
    weight: u64,
}

struct Node {
    /// `None`: not decodable here.
    entry: Option<data::Entry>,
    parent: Option<u32>,
    wanted: Option<usize>,
    /// How many deltas are built on this node.
    children: u32,
}

/// A blob's bytes, shared by the check and the deltas built on them.
type Bytes = Arc<Vec<u8>>;

/// What became of a wanted blob.
pub enum Read {
    Bytes(Bytes),
    /// Larger than the limit (its size), not read.
    TooLarge(u64),
    /// Not decodable here: to be read one by one.
    Elsewhere,
}

/// Decodes trees on one thread.
pub struct Decoder<'a> {
    packs: &'a Packs,
    inflate: gix::zlib::Inflate,
    limit: u64,
    /// This thread's handle of each pack file, opened when first read.
    files: Vec<Option<File>>,
    /// An entry as stored (header and compressed data).
    stored: Vec<u8>,
    delta: Vec<u8>,
}

impl<'a> Decoder<'a> {
    /// `limit`: the largest blob decoded.
    pub fn new(packs: &'a Packs, limit: u64) -> Self {
        Decoder {
            packs,
            inflate: gix::zlib::Inflate::default(),
            limit,
            files: (0..packs.packs.len()).map(|_| None).collect(),
            stored: Vec::new(),
            delta: Vec::new(),
        }
    }

    /// Inflates the entry into `out`, which is as long as the entry says
    /// its data is.
    fn inflate(&mut self, pack: usize, entry: &data::Entry, out: &mut [u8]) -> Result<(), Read> {
        let info = &self.packs.packs[pack];
        let start = entry.data_offset;
        let end = info.end_of(start).ok_or(Read::Elsewhere)?;
        // Compressed data a little longer than the data it holds, at most.
        let bound = (out.len() as u64)
            .saturating_add(out.len() as u64 / 64)
            .saturating_add(1024);
        let len = usize::try_from(end - start)
            .ok()
            .filter(|&l| l as u64 <= bound)
            .ok_or(Read::Elsewhere)?;
        if self.files[pack].is_none() {
            self.files[pack] = Some(File::open(&info.path).map_err(|_| Read::Elsewhere)?);
        }
        let file = self.files[pack].as_ref().expect("opened above");
        self.stored.clear();
        self.stored.resize(len, 0);
        read_at(file, start, &mut self.stored).map_err(|_| Read::Elsewhere)?;
        self.inflate.reset();
        match self.inflate.once(&self.stored, out) {
            Ok((gix::zlib::Status::StreamEnd, _, written)) if written == out.len() => Ok(()),
            _ => Err(Read::Elsewhere),
        }
    }

    /// Decodes `tree`, telling `each` what became of every wanted blob.
    pub fn walk(&mut self, tree: &Tree, mut each: impl FnMut(usize, Read)) {
        let pack = tree.pack;
        // The ancestors of the node at hand: their bytes (`None` where they
        // could not be decoded) while deltas on them are still to be
        // built, and how many. The bytes go when the last delta on them is
        // built: in a chain, each version is dropped once the next is made.
        let mut ancestors: Vec<(u32, Option<Bytes>, u32)> = Vec::new();
        for (me, node) in tree.nodes.iter().enumerate() {
            let base = match node.parent {
                None => {
                    ancestors.clear();
                    None
                }
                Some(parent) => {
                    while ancestors.last().is_some_and(|(at, _, _)| *at != parent) {
                        ancestors.pop();
                    }
                    Some(ancestors.last_mut().and_then(|(_, bytes, left)| {
                        *left -= 1;
                        if *left == 0 {
                            bytes.take()
                        } else {
                            bytes.clone()
                        }
                    }))
                }
            };
            let decoded = match (&node.entry, base) {
                (None, _) | (_, Some(None)) => Err(Read::Elsewhere),
                (Some(entry), None) => self.whole(pack, entry),
                (Some(entry), Some(Some(base))) => self.rebuilt(pack, entry, &base),
            };
            let bytes = match decoded {
                Ok(bytes) => {
                    let bytes = Arc::new(bytes);
                    if let Some(at) = node.wanted {
                        each(at, Read::Bytes(Arc::clone(&bytes)));
                    }
                    Some(bytes)
                }
                Err(read) => {
                    if let Some(at) = node.wanted {
                        each(at, read);
                    }
                    None
                }
            };
            if node.children > 0 {
                let me = u32::try_from(me).expect("fewer nodes than objects in a pack");
                ancestors.push((me, bytes, node.children));
            }
        }
    }

    /// A whole (undeltified) blob.
    /// A base over the limit is not decoded either: its deltas are read
    /// one by one.
    fn whole(&mut self, pack: usize, entry: &data::Entry) -> Result<Vec<u8>, Read> {
        let size = entry.decompressed_size;
        if size > self.limit {
            return Err(Read::TooLarge(size));
        }
        let mut out = vec![0; size as usize];
        self.inflate(pack, entry, &mut out)?;
        Ok(out)
    }

    /// A delta rebuilt on its base's bytes.
    fn rebuilt(&mut self, pack: usize, entry: &data::Entry, base: &[u8]) -> Result<Vec<u8>, Read> {
        // Delta instructions are never much longer than what they build.
        let size = entry.decompressed_size;
        if size
            > self
                .limit
                .saturating_add(self.limit / 64)
                .saturating_add(64)
        {
            return Err(Read::Elsewhere);
        }
        let mut delta = std::mem::take(&mut self.delta);
        delta.clear();
        delta.resize(size as usize, 0);
        let rebuilt = self
            .inflate(pack, entry, &mut delta)
            .and_then(|()| apply(base, &delta, self.limit));
        self.delta = delta;
        rebuilt
    }
}

/// Rebuilds a blob from its base and a git delta (`gitformat-pack(5)`:
/// two sizes, then copy-from-base and insert instructions), within
/// `limit` bytes. gix applies deltas only inside its own decoding, which
/// rebuilds whole chains.
fn apply(base: &[u8], delta: &[u8], limit: u64) -> Result<Vec<u8>, Read> {
    let (base_size, rest) = size(delta).ok_or(Read::Elsewhere)?;
    if base_size != base.len() as u64 {
        return Err(Read::Elsewhere);
    }
    let (result_size, mut ops) = size(rest).ok_or(Read::Elsewhere)?;
    if result_size > limit {
        return Err(Read::TooLarge(result_size));
    }
    let result_size = result_size as usize;
    let mut out = Vec::with_capacity(result_size);
    while let Some((&op, rest)) = ops.split_first() {
        ops = rest;
        let piece = if op & 0x80 != 0 {
            // Copy: which of the offset's 4 and the size's 3 bytes follow.
            let mut field = |bits: u8, at: u32| -> Option<usize> {
                let mut value = 0usize;
                for i in 0..at {
                    if bits & (1 << i) != 0 {
                        let (&b, rest) = ops.split_first()?;
                        ops = rest;
                        value |= usize::from(b) << (8 * i);
                    }
                }
                Some(value)
            };
            let offset = field(op & 0x0f, 4).ok_or(Read::Elsewhere)?;
            let size = match field(op >> 4 & 0x07, 3).ok_or(Read::Elsewhere)? {
                0 => 0x10000,
                n => n,
            };
            offset
                .checked_add(size)
                .and_then(|end| base.get(offset..end))
                .ok_or(Read::Elsewhere)?
        } else if op != 0 {
            let (insert, rest) = ops
                .split_at_checked(usize::from(op))
                .ok_or(Read::Elsewhere)?;
            ops = rest;
            insert
        } else {
            return Err(Read::Elsewhere);
        };
        if out.len() + piece.len() > result_size {
            return Err(Read::Elsewhere);
        }
        out.extend_from_slice(piece);
    }
    if out.len() != result_size {
        return Err(Read::Elsewhere);
    }
    Ok(out)
}

/// A delta header's size: little-endian groups of 7 bits.
fn size(bytes: &[u8]) -> Option<(u64, &[u8])> {
    let mut value = 0u64;
    for (i, &b) in bytes.iter().enumerate().take(10) {
        value |= u64::from(b & 0x7f) << (7 * i);
        if b & 0x80 == 0 {
            return Some((value, &bytes[i + 1..]));
        }
    }
    None
}

#[cfg(test)]
mod tests;
