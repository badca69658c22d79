//! `ward import gitleaks`: another tool's configuration as a ward rule pack.

use super::cli::ImportGitleaksArgs;
use super::output::{write_stdout, EXIT_CLEAN};
use crate::host::packs;

pub(super) fn gitleaks(args: &ImportGitleaksArgs) -> miette::Result<u8> {
    let text = std::fs::read_to_string(&args.file)
        .map_err(|e| miette::miette!("cannot read {}: {e}", args.file.display()))?;
    if !ward_rules::pack::valid_name(&args.name) {
        return Err(miette::miette!(
            "`{}` is not a valid pack name (lowercase kebab-case)",
            args.name
        ));
    }
    let name = args.file.display().to_string();
    let translation = ward_rules::gitleaks::translate(&text, &name, &args.name)
        .map_err(|e| miette::miette!("{e}"))?;
    for warning in &translation.warnings {
        eprintln!("warning: {name}: {warning}");
    }
    // The pack must load as written; anything else is a bug in the translation.
    ward_rules::parse(&ward_rules::PackSource {
        name: args.name.clone(),
        text: translation.pack_toml.clone(),
    })
    .map_err(packs::PackDiagnostic::from)?;
    match &args.output {
        Some(path) => std::fs::write(path, &translation.pack_toml)
            .map_err(|e| miette::miette!("cannot write {}: {e}", path.display()))?,
        None => write_stdout(&translation.pack_toml),
    }
    eprintln!(
        "ward: translated {} rules, left out {}",
        translation.translated,
        translation
            .warnings
            .iter()
            .filter(|w| w.contains("left out"))
            .count()
    );
    Ok(EXIT_CLEAN)
}
