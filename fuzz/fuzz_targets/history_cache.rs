#![no_main]
//! Any bytes as a `ward history` cache file: a miss or a cache, never a
//! panic (the checksum is checked before anything is decoded; past it, the
//! decoder itself must hold).
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = ward::scan::history::entries_in(data, "key");
    let mut file = b"ward-cache\n".to_vec();
    file.extend_from_slice(blake3::hash(data).as_bytes());
    file.extend_from_slice(data);
    let _ = ward::scan::history::entries_in(&file, "key");
});
