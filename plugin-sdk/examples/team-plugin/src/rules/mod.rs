pub mod changelog;
pub mod tab_indent;
