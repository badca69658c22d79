//! The rules, one module each.

pub mod changelog_format;
pub mod duplicate_key;
pub mod syntax;
pub mod version_mismatch;
