//! Naming conventions and portable names.

use regex::Regex;

/// A naming convention: a named one or a regex.
pub struct Convention {
    regex: Regex,
}

const NAMED: &[(&str, &str)] = &[
    ("kebab-case", r"^[a-z0-9]+(?:-[a-z0-9]+)*$"),
    ("snake_case", r"^[a-z0-9]+(?:_[a-z0-9]+)*$"),
    ("camelCase", r"^[a-z][a-zA-Z0-9]*$"),
    ("PascalCase", r"^[A-Z][a-zA-Z0-9]*$"),
    ("SCREAMING_SNAKE_CASE", r"^[A-Z0-9]+(?:_[A-Z0-9]+)*$"),
    ("lowercase", r"^[a-z0-9]+$"),
];

impl Convention {
    /// `kebab-case`, `snake_case`, `camelCase`, `PascalCase`,
    /// `SCREAMING_SNAKE_CASE`, `lowercase` or `regex:PATTERN`.
    pub fn parse(text: &str) -> Result<Convention, String> {
        let pattern = match text.strip_prefix("regex:") {
            Some(p) => p.to_string(),
            None => NAMED
                .iter()
                .find(|(name, _)| *name == text)
                .map(|(_, p)| (*p).to_string())
                .ok_or_else(|| {
                    let names: Vec<&str> = NAMED.iter().map(|(n, _)| *n).collect();
                    format!(
                        "unknown naming convention `{text}`: use one of {}, or regex:PATTERN",
                        names.join(", ")
                    )
                })?,
        };
        let anchored = if pattern.starts_with('^') {
            pattern
        } else {
            format!("^(?:{pattern})$")
        };
        Ok(Convention {
            regex: Regex::new(&anchored)
                .map_err(|e| format!("invalid naming regex `{text}`: {e}"))?,
        })
    }

    /// Whether `name` follows it.
    pub fn accepts(&self, name: &str) -> bool {
        self.regex.is_match(name)
    }

    /// The regex, for messages.
    pub fn pattern_text(&self) -> String {
        self.regex.as_str().to_string()
    }
}

const RESERVED: &[&str] = &[
    "con", "prn", "aux", "nul", "com1", "com2", "com3", "com4", "com5", "com6", "com7", "com8",
    "com9", "lpt1", "lpt2", "lpt3", "lpt4", "lpt5", "lpt6", "lpt7", "lpt8", "lpt9",
];

/// Why a name is not portable to Windows and macOS, if it is not.
pub fn unportable(name: &str) -> Option<String> {
    let stem = name.split('.').next().unwrap_or(name).to_ascii_lowercase();
    if RESERVED.contains(&stem.as_str()) {
        return Some(format!(
            "is a reserved device name on Windows (`{}`)",
            stem.to_uppercase()
        ));
    }
    if name.ends_with('.') || name.ends_with(' ') {
        return Some("ends with a dot or a space, which Windows drops".into());
    }
    if let Some(c) = name.chars().find(|c| "<>:\"|?*\\".contains(*c)) {
        return Some(format!("contains `{c}`, which Windows forbids in names"));
    }
    if let Some(c) = name.chars().find(|c| c.is_control()) {
        return Some(format!("contains the control character U+{:04X}", c as u32));
    }
    None
}
