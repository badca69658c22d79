#![no_main]
//! Any bytes as a result-cache file: a miss or a cache, never a panic. A
//! poisoned CI cache must cost speed, never findings (the checksum is
//! checked before anything is decoded).
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = ward::scan::cache::entries_in(data, "key");
    // With a valid checksum over the fuzzed payload: the decoder itself.
    let mut file = b"ward-cache\n".to_vec();
    file.extend_from_slice(blake3::hash(data).as_bytes());
    file.extend_from_slice(data);
    let _ = ward::scan::cache::entries_in(&file, "key");
});
