//! The rules, one module each.

pub mod branch_pin;
pub mod missing_key;
pub mod syntax;
pub mod tab;
pub mod unpinned_action;
