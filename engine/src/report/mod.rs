//! Findings turned into what people and tools read: the health score,
//! metrics and the audit log, merged shards, and the renderers.

pub mod merge;
pub mod observe;
pub mod render;
pub mod score;
