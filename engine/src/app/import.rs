//! `ward import gitleaks`: another tool's configuration as a ward rule pack.

use super::cli::ImportGitleaksArgs;
use super::output::{emit, EXIT_CLEAN};
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
    emit(&translation.pack_toml, args.output.as_deref(), "rule pack")?;
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
