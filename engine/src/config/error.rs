//! What goes wrong in a config, and where: errors point into the file.

use miette::{Diagnostic, NamedSource, SourceSpan};

/// A config error that points into the file.
#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("{message}")]
#[diagnostic(code(ward::config))]
pub struct ConfigError {
    pub(super) message: String,
    #[source_code]
    pub(super) src: NamedSource<String>,
    #[label("{label}")]
    pub(super) span: SourceSpan,
    pub(super) label: String,
    #[help]
    pub(super) help: Option<String>,
}

/// A config file that could not be read at all.
#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("cannot read config file {path}: {source}")]
#[diagnostic(code(ward::config))]
pub struct ConfigReadError {
    pub(super) path: String,
    #[source]
    pub(super) source: std::io::Error,
}

/// Where a config value came from, for later diagnostics (an unknown rule,
/// a plugin that rejects its settings).
///
/// Every origin of one file shares its text: a config with thousands of
/// `[rules]` entries once held a copy of itself per entry (8,000 entries of
/// a 240 KB file: 1.9 GB).
#[derive(Debug, Clone)]
pub struct Origin {
    pub(super) name: std::sync::Arc<str>,
    pub(super) text: std::sync::Arc<str>,
    pub(super) span: SourceSpan,
}

impl Origin {
    /// `file:line` of this place.
    pub fn location(&self) -> String {
        let text = &self.text;
        let before = &text[..self.span.offset().min(text.len())];
        format!("{}:{}", self.name, before.matches('\n').count() + 1)
    }

    /// A diagnostic at this place.
    pub fn error(&self, message: String, label: &str, help: Option<String>) -> Box<ConfigError> {
        Box::new(ConfigError {
            message: super::shipped::mask_secrets(&message),
            src: NamedSource::new(&self.name, super::shipped::mask_secrets(&self.text)),
            span: self.span,
            label: label.into(),
            help,
        })
    }
}

/// Why a config could not be loaded.
#[derive(Debug, thiserror::Error, Diagnostic)]
pub enum LoadError {
    /// Wrong at a place in a config file.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Config(Box<ConfigError>),
    /// A config file that could not be read at all.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Read(ConfigReadError),
    /// A file the checked tree names that leads out of it: refused unread.
    #[error("{0}")]
    #[diagnostic(code(ward::config_outside))]
    Outside(String),
}

/// The source an error quotes, with its secrets masked byte for byte.
pub(super) fn masked(src: &NamedSource<String>) -> NamedSource<String> {
    NamedSource::new(src.name(), super::shipped::mask_secrets(src.inner()))
}
