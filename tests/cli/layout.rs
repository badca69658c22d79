//! The engine's layout is the flow: each top-level module is a stage, and a
//! file may use only its own stage and the stages before it. No two files
//! use each other, even through others, and the crate root stays small.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::support::workspace;

/// The stages in the order data flows through them.
const STAGES: &[&str] = &[
    "finding", "registry", "config", "source", "host", "scan", "findings", "report", "app",
];

/// Every `.rs` file under `dir`, as its module path (`scan/cache.rs` →
/// `scan::cache`, `scan/mod.rs` → `scan`).
fn modules(dir: &Path) -> BTreeMap<String, PathBuf> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let rel = path.strip_prefix(dir).unwrap().with_extension("");
                let mut parts: Vec<String> = rel
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect();
                if parts.last().is_some_and(|p| p == "mod") {
                    parts.pop();
                }
                out.insert(parts.join("::"), path);
            }
        }
    }
    out
}

/// The module paths a file's code names through `crate::` or `super::`,
/// with grouped imports expanded; test modules are left out.
fn references(module: &str, is_dir_module: bool, text: &str) -> BTreeSet<String> {
    let code = text.split("#[cfg(test)]").next().unwrap_or(text);
    let code = code.split("#[cfg(all(test").next().unwrap_or(code);
    let mut out = BTreeSet::new();
    let parent: Vec<&str> = {
        let mut parts: Vec<&str> = module.split("::").filter(|p| !p.is_empty()).collect();
        if !is_dir_module {
            parts.pop();
        }
        parts
    };
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == ':';
    for (prefix, base) in [("crate::", Vec::new()), ("super::", parent)] {
        let mut rest = code;
        while let Some(i) = rest.find(prefix) {
            let before = rest[..i].chars().last();
            rest = &rest[i + prefix.len()..];
            if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':') {
                continue;
            }
            let path: String = rest.chars().take_while(|c| ident(*c)).collect();
            let mut full: Vec<String> = base.iter().map(|s| s.to_string()).collect();
            full.extend(
                path.split("::")
                    .filter(|p| !p.is_empty())
                    .map(str::to_string),
            );
            let after = &rest[path.len()..];
            if after.starts_with('{') {
                let group = &after[1..after.find('}').unwrap_or(after.len())];
                for item in group.split(',') {
                    let item = item.trim().split(" as ").next().unwrap_or("").trim();
                    let mut one = full.clone();
                    if item != "self" && !item.is_empty() {
                        one.extend(item.split("::").map(str::to_string));
                    }
                    out.insert(one.join("::"));
                }
            } else {
                out.insert(full.join("::"));
            }
        }
    }
    out
}

/// The file a path names: its longest prefix that is a module.
fn resolve<'a>(path: &str, modules: &'a BTreeMap<String, PathBuf>) -> Option<&'a str> {
    let parts: Vec<&str> = path.split("::").collect();
    (0..=parts.len())
        .rev()
        .map(|n| parts[..n].join("::"))
        .find_map(|candidate| modules.get_key_value(&candidate).map(|(k, _)| k.as_str()))
}

fn stage(module: &str) -> Option<usize> {
    let top = module.split("::").next()?;
    STAGES.iter().position(|s| *s == top)
}

/// Which engine files each engine file uses.
fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = workspace().join("engine/src");
    let modules = modules(&src);
    let mut graph = BTreeMap::new();
    for (module, path) in &modules {
        let text = std::fs::read_to_string(path).unwrap();
        let is_dir_module = path.file_name().is_some_and(|n| n == "mod.rs");
        let mut refs = references(module, is_dir_module, &text);
        // A folder's mod.rs names its own children without a prefix.
        if is_dir_module {
            let prefix = if module.is_empty() {
                String::new()
            } else {
                format!("{module}::")
            };
            for child in modules.keys().filter_map(|m| m.strip_prefix(&prefix)) {
                if child.contains("::") || child.is_empty() {
                    continue;
                }
                let code = text.split("#[cfg(test)]").next().unwrap_or(&text);
                let named = code.match_indices(&format!("{child}::")).any(|(i, _)| {
                    !code[..i]
                        .chars()
                        .last()
                        .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
                });
                if named {
                    refs.insert(format!("{prefix}{child}"));
                }
            }
        }
        let used: BTreeSet<String> = refs
            .iter()
            .filter_map(|r| resolve(r, &modules))
            .filter(|target| target != module)
            .map(str::to_string)
            .collect();
        graph.insert(module.clone(), used);
    }
    graph
}

#[test]
fn no_stage_uses_a_later_one_and_nothing_calls_up_into_the_root() {
    let graph = graph();
    let mut wrong = Vec::new();
    for (module, used) in &graph {
        if module == "lib" || module == "main" {
            continue;
        }
        let Some(mine) = stage(module) else {
            wrong.push(format!("{module} is in no stage"));
            continue;
        };
        for target in used {
            match stage(target) {
                Some(theirs) if theirs <= mine => {}
                _ => wrong.push(format!("{module} uses {target}")),
            }
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn no_two_engine_files_use_each_other() {
    let graph = graph();
    // Depth-first search for a cycle, reporting the first one found.
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(i) = path.iter().position(|p| p == node) {
            let mut cycle = path[i..].to_vec();
            cycle.push(node.to_string());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(next, graph, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    for node in graph.keys() {
        let cycle = visit(node, &graph, &mut Vec::new(), &mut done);
        assert!(
            cycle.is_none(),
            "import cycle: {}",
            cycle.unwrap().join(" -> ")
        );
    }
}

#[test]
fn the_checker_sees_a_cycle_and_a_backward_use() {
    let graph = graph();
    assert!(graph["scan::files"].contains("scan::convert"), "{graph:#?}");
    assert!(graph["scan"].contains("scan::outcome"), "{graph:#?}");

    let modules: BTreeMap<String, PathBuf> = ["scan", "scan::files", "scan::stream", "report"]
        .iter()
        .map(|m| (m.to_string(), PathBuf::new()))
        .collect();
    let refs = references(
        "scan::files",
        false,
        "use super::stream::check;\nuse crate::{report, finding};\n#[cfg(test)]\nuse crate::app;",
    );
    let resolved: BTreeSet<&str> = refs.iter().filter_map(|r| resolve(r, &modules)).collect();
    assert_eq!(
        resolved,
        BTreeSet::from(["scan::stream", "report"]),
        "{refs:?}"
    );
    assert!(stage("report") > stage("scan"));
}

#[test]
fn the_root_and_every_file_stay_small() {
    let src = workspace().join("engine/src");
    for (module, path) in modules(&src) {
        let lines = std::fs::read_to_string(&path).unwrap().lines().count();
        let limit = if module == "lib" { 150 } else { 600 };
        assert!(
            lines <= limit,
            "{} has {lines} lines (at most {limit})",
            path.display()
        );
    }
}
