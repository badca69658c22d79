//! `ward plugins`: the loaded plugins and rule packs.

use super::cli::{ListArgs, ListFormat};
use super::output::{write_stdout, EXIT_CLEAN};
use super::setup::{load_all, resolve_config, start_dir};

pub(super) fn run(list: &ListArgs) -> miette::Result<u8> {
    let args = &list.plugin;
    let start = start_dir(&[]);
    let config = resolve_config(args, &start)?;
    let loaded = load_all(args, &config)?;
    let mut rows: Vec<serde_json::Value> = loaded
        .plugins
        .iter()
        .map(|p| {
            serde_json::json!({
                "name": p.manifest.name,
                "version": p.manifest.version,
                "description": p.manifest.description,
                "source": p.source.to_string(),
                "sdk": p.sdk_version,
                "rules": p.manifest.rules.len(),
            })
        })
        .collect();
    rows.extend(loaded.packs.iter().map(|p| {
        serde_json::json!({
            "name": p.pack.name,
            "version": if p.builtin { env!("CARGO_PKG_VERSION") } else { "-" },
            "description": p.pack.description,
            "source": if p.builtin { "built-in rule pack".to_string() } else { format!("rule pack {}", p.pack.source_name) },
            "rules": p.pack.rules.len(),
        })
    }));
    let text = match list.format {
        ListFormat::Json => format!("{}\n", serde_json::Value::Array(rows)),
        ListFormat::Text => std::iter::once(format!("ward {}\n", super::cli::version()))
            .chain(rows.iter().map(|p| {
                let sdk = p["sdk"]
                    .as_str()
                    .map(|v| format!(", ward-plugin-sdk {v}"))
                    .unwrap_or_default();
                format!(
                    "{} {} ({}{sdk}, {} rules): {}\n",
                    p["name"].as_str().unwrap_or_default(),
                    p["version"].as_str().unwrap_or_default(),
                    p["source"].as_str().unwrap_or_default(),
                    p["rules"],
                    p["description"].as_str().unwrap_or_default()
                )
            }))
            .collect(),
    };
    write_stdout(&text)?;
    Ok(EXIT_CLEAN)
}
