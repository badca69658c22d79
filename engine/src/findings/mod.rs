//! What happens to findings after the scan: the baseline that leaves old
//! ones out, and `--fix`, which applies the edits they carry.

pub mod baseline;
pub mod fix;
pub mod mask;
pub mod temps;
