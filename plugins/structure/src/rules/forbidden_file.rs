//! `structure/forbidden-file`

use ward_plugin_sdk::{category, class, File, Finding, RuleInfo, Severity};

use super::whole_file;
use crate::config::Compiled;

/// The rule's id.
pub const ID: &str = "structure/forbidden-file";

const DOCS: &str = r"## What it does
Finds files matching `forbidden` globs (a `forbidden` list in
`[plugins.structure]` replaces the default). The default list:

- `.env` and `.env.*`, except the templates `.env.example`, `.env.sample`,
  `.env.template`, `.env.dist`, `.env.defaults` and `.env.schema`;
- `.DS_Store`, `Thumbs.db`, `desktop.ini`;
- editor swap and backup files: `*.swp`, `*.swo`, `*~`;
- merge leftovers: `*.orig`, `*.rej`;
- SSH private keys: `id_rsa`, `id_dsa`, `id_ecdsa`, `id_ed25519`;
- key stores: `*.p12`, `*.pfx`, `*.keystore`, `*.jks`;
- and `*.pem` or `*.key` files that hold a `PRIVATE KEY`.

## Why is this bad?
Credentials in a commit stay in every clone's history; machine litter makes
noisy diffs.

## Bad
`.env` with production credentials.

## Good
`.env.example` with placeholders.";

/// The rule's metadata.
pub fn info() -> RuleInfo {
    RuleInfo::new(
        ID,
        "A file that must not be committed",
        Severity::Error,
        DOCS,
    )
    .category(category::SECURITY)
    // Not test fixtures: a TLS test key under `testdata/` is the test's
    // input, and the secrets pack still reports a key's content there.
    .classes(&[class::BINARY, class::GENERATED, class::DOCUMENTATION])
}

/// Reports a file that matches a `forbidden` glob.
pub fn check_file(config: &Compiled, file: &File<'_>, out: &mut Vec<Finding>) {
    if let Some(why) = config.forbidden(file.path, file.bytes) {
        out.push(whole_file(file.path, ID, why));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::*;

    #[test]
    fn forbidden_files_by_default() {
        let p = plugin(serde_json::Value::Null);
        for path in [
            ".env",
            "app/.env.production",
            ".DS_Store",
            "x/Thumbs.db",
            "a.rs.orig",
            ".a.swp",
            "home/id_rsa",
            "cert.p12",
        ] {
            let found = file_findings(&p, path, b"x");
            assert_eq!(found.len(), 1, "{path}: {found:?}");
            assert_eq!(found[0].0, ID);
        }
        assert_eq!(
            file_findings(&p, ".env", b"")[0].1,
            "`.env` must not be committed (forbidden: `**/.env`)"
        );
        for path in [
            ".env.example",
            "config/.env.sample",
            "environment.rs",
            "cert.pem",
        ] {
            assert_eq!(
                file_findings(&p, path, b"-----BEGIN CERTIFICATE-----"),
                [],
                "{path}"
            );
        }
        let key = file_findings(&p, "tls/server.pem", b"-----BEGIN RSA PRIVATE KEY-----\n");
        assert_eq!(
            key,
            [(
                ID.to_string(),
                "`server.pem` holds a private key".to_string()
            )]
        );
    }

    /// The docs list the default globs: they drifted apart once.
    #[test]
    fn the_docs_name_every_default_glob_and_template() {
        for glob in crate::config::DEFAULT_FORBIDDEN {
            let name = glob.trim_start_matches("**/");
            assert!(DOCS.contains(&format!("`{name}`")), "{name}");
        }
        for template in crate::config::ENV_TEMPLATES {
            assert!(DOCS.contains(&format!("`.env.{template}`")), "{template}");
        }
    }
}
