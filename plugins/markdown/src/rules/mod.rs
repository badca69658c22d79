//! The rules, one module each.

pub mod broken_anchor;
pub mod broken_link;
pub mod external_link;
