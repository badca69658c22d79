//! The check that `check`, `baseline` and `score` share: config, plugins
//! and packs, the walk, the scan, the baseline.

use std::path::{Path, PathBuf};

use super::cli::ScanArgs;
use super::progress;
use super::setup::{load_all, resolve_config, resolved_root, start_dir, switch_off_defaults};
use crate::config::Config;
use crate::finding;
use crate::findings::baseline;
use crate::host::{self, packs};
use crate::registry::Registry;
use crate::report::observe;
use crate::scan::{self, cache};
use crate::source::{self, git};

/// What a run needs beyond the scan arguments: what its command will do
/// with the findings.
#[derive(Default)]
pub(super) struct RunOptions<'a> {
    /// The baseline to leave findings out by (`--baseline`), or `None` for
    /// the config's; `ward baseline` uses none at all.
    pub baseline: Option<&'a Path>,
    pub use_baseline: bool,
    pub fix: bool,
    pub show_secrets: bool,
    pub timings: bool,
    /// Whether the report is text on a terminal, where a progress bar helps.
    pub progress: bool,
}

/// What a check found, before it is rendered.
pub(super) struct CheckRun {
    pub outcome: scan::Outcome,
    /// Secrets found in file names (in memory only), for masking at the
    /// output edge.
    pub name_secrets: Vec<String>,
    pub registry: Registry,
    pub root: PathBuf,
    pub baselined: usize,
    /// Findings left out as older than the change (`--diff-base`).
    pub pre_existing: usize,
    /// Plugins and packs that ran, for metrics and the audit log.
    pub components: Vec<observe::Component>,
    pub config: Config,
    /// Kept only so that `check` can skip freeing them (see there).
    _tree: source::Tree,
    _cache: Option<cache::Cache>,
}

/// Every secret of the run (in file contents and file names), masked in
/// every finding, whatever rule produced it: the output edge, after `--fix`
/// (which needs the real paths) and before anything is written.
pub(super) fn mask_secrets(run: &mut CheckRun, show_secrets: bool) {
    if show_secrets {
        return;
    }
    let mut secrets = crate::findings::mask::secrets_of(&run.root, &run.outcome.findings);
    secrets.extend(run.name_secrets.iter().cloned());
    secrets.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
    secrets.dedup();
    crate::findings::mask::mask_all(&mut run.outcome.findings, &secrets);
}

/// Loads config, plugins and packs, walks and scans, and applies the baseline.
pub(super) fn scan_repository(
    args: &ScanArgs,
    options: &RunOptions<'_>,
) -> miette::Result<CheckRun> {
    let start = start_dir(&args.paths);
    let root = if args.staged {
        git::toplevel(&start)?
    } else {
        resolved_root(&start)
    };
    // The repository's config; configs below it apply to their subtrees.
    let mut config = resolve_config(&args.plugin, &root)?;
    let mut loaded = load_all(&args.plugin, &config)?;
    switch_off_defaults(&mut config, &loaded.registry);
    let mut active = host::activate(&loaded.plugins, &config, &root)?;
    let mut active_packs = packs::activate(&loaded.packs, &config);
    let baseline = if options.use_baseline {
        load_baseline(options.baseline, &config, &root)?
    } else {
        None
    };

    let pool = worker_pool(args.threads)?;

    let walk = source::WalkOptions {
        threads: pool.current_num_threads(),
        ignore_files: !args.no_ignore,
        skip_vendored: true,
    };
    // A list of files (a commit hook's batch) is checked faster than the
    // whole repository's cache file is read: the cache serves directories.
    let files_only = !args.paths.is_empty() && args.paths.iter().all(|p| !p.is_dir());
    let cache_usable = !(args.no_cache
        || options.fix
        || options.show_secrets
        || args.staged
        || args.repo_only
        || files_only);
    let cache_dir = cache_usable
        .then(|| args.cache_dir.clone().or_else(cache::default_dir))
        .flatten();
    let cache_key = cache_dir
        .as_ref()
        .map(|_| cache_key(&config, &active, &loaded.packs));
    // The cache file is read and parsed while the tree is walked: neither
    // needs the other until the scan.
    let (tree, mut cache) = std::thread::scope(|scope| {
        let opening = scope.spawn(|| {
            let (dir, key) = (cache_dir.as_ref()?, cache_key.clone()?);
            // Each shard keeps its own cache file: shards sharing one would
            // keep replacing each other's entries.
            let scope_name = args.shard.map(|s| s.to_string()).unwrap_or_default();
            Some(cache::Cache::open(dir, &root, &scope_name, key))
        });
        let tree = walk_paths(args, &root, &config, walk);
        (tree, opening.join().ok().flatten())
    });
    let mut tree = tree?;
    let nested = args.plugin.config.is_none()
        && super::nested::attach(
            &mut config,
            &mut tree,
            &root,
            &args.paths,
            &loaded.registry,
            args.plugin.verbose,
        )?;
    if nested {
        // Their packs, rules and plugin settings make other instances and
        // another cache key.
        packs::load_nested(&config, &mut loaded.packs)?;
        loaded.registry = Registry::new(host::registered(&loaded.plugins, &loaded.packs))?;
        active = host::activate(&loaded.plugins, &config, &root)?;
        active_packs = packs::activate(&loaded.packs, &config);
        if let (Some(dir), true) = (&cache_dir, cache.is_some()) {
            let scope_name = args.shard.map(|s| s.to_string()).unwrap_or_default();
            let key = self::cache_key(&config, &active, &loaded.packs);
            cache = Some(cache::Cache::open(dir, &root, &scope_name, key));
        }
    }
    finish_tree(&mut tree, args, &root, &config);
    let changed = match &args.diff_base {
        Some(reference) => Some(source::diffbase::changes(&root, reference, args.staged)?),
        None => None,
    };
    let only: Option<std::collections::HashSet<String>> =
        changed.as_ref().map(|c| c.files.keys().cloned().collect());
    if let Some(cache) = cache.as_mut() {
        cache.set_environment(environment(&tree, &root));
    }
    let known_rules = loaded.registry.ids().map(str::to_string).collect();
    let progress = progress::Progress::new(options.progress && !args.no_progress, || {
        tree.files()
            .filter(|e| args.shard.is_none_or(|s| s.owns(&e.path)))
            .count()
    });
    let advance = |files: usize| {
        if let Some(progress) = &progress {
            progress.advance(files);
        }
    };
    let rule_classes = rule_classes(&loaded.registry);
    let checks = scan::Checks {
        rule_classes: &rule_classes,
        plugins: &active,
        packs: active_packs.as_ref(),
        config: &config,
        show_secrets: options.show_secrets,
        known_rules: &known_rules,
        absent_plugins: &loaded.absent_plugins,
        repo_only: args.repo_only,
        stamp_files: options.fix,
        cache: cache.as_ref(),
        shard: args.shard,
        only: only.as_ref(),
        timings: options.timings,
        verbose: args.plugin.verbose,
        progress: progress
            .is_some()
            .then_some(&advance as &(dyn Fn(usize) + Sync)),
    };
    let mut outcome = pool.install(|| scan::run(&tree, &root, &checks));
    if let Some(progress) = &progress {
        progress.finish();
    }
    if let Some(cache) = &mut cache {
        if let Err(e) = cache.save() {
            eprintln!("warning: {e}");
        }
    }
    finding::finalize(&mut outcome.findings);
    let mut pre_existing = 0;
    if let Some(changed) = &changed {
        let before = outcome.findings.len();
        outcome.findings.retain(|f| changed.owns(&f.path, f.line));
        pre_existing = before - outcome.findings.len();
    }
    let mut baselined = 0;
    if let Some(baseline) = &baseline {
        let before = outcome.findings.len();
        outcome.findings.retain(|f| !baseline.contains(f));
        baselined = before - outcome.findings.len();
    }
    let mut components: Vec<observe::Component> = active
        .iter()
        .map(|p| observe::Component {
            name: p.name.clone(),
            version: p.version.clone(),
            kind: "plugin",
        })
        .collect();
    components.extend(loaded.packs.iter().map(|p| observe::Component {
        name: p.pack.name.clone(),
        version: p.text_hash[..16].to_string(),
        kind: "pack",
    }));
    // Secrets in file names: every path of the tree, scanned as text by the
    // rules whose finds are secrets.
    let mut name_secrets = Vec::new();
    if let Some(packs) = active_packs.as_ref().filter(|_| !options.show_secrets) {
        let mut found = Vec::new();
        for entry in tree.files() {
            packs
                .set
                .scan(&entry.path, entry.path.as_bytes(), &mut found);
            name_secrets.extend(found.drain(..).filter_map(|m| m.secret));
        }
    }
    Ok(CheckRun {
        outcome,
        name_secrets,
        registry: loaded.registry,
        root,
        baselined,
        pre_existing,
        components,
        config,
        _tree: tree,
        _cache: cache,
    })
}

/// The threads a run works on: `-j N`, else one per core.
pub(super) fn worker_pool(threads: Option<usize>) -> miette::Result<rayon::ThreadPool> {
    let mut pool = rayon::ThreadPoolBuilder::new();
    if let Some(threads) = threads {
        // More threads than a few per core only add stacks and contention
        // (`-j 20000` used to run out of threads and panic).
        pool = pool.num_threads(threads.clamp(1, max_threads()));
    }
    pool.build()
        .map_err(|e| miette::miette!("cannot start worker threads: {e}"))
}

/// The baseline a run leaves findings out by: the one named, else the
/// config's, else `ward-baseline.json` at the root (which `ward baseline`
/// writes there; a regular file only, never a link).
pub(super) fn load_baseline(
    named: Option<&Path>,
    config: &Config,
    root: &Path,
) -> miette::Result<Option<baseline::Baseline>> {
    let file = named
        .map(Path::to_path_buf)
        .or_else(|| config.baseline.clone())
        .or_else(|| {
            let default = root.join(baseline::DEFAULT_FILE);
            std::fs::symlink_metadata(&default)
                .is_ok_and(|meta| meta.is_file())
                .then_some(default)
        });
    match file {
        Some(path) => Ok(Some(baseline::Baseline::load(&path)?)),
        None => Ok(None),
    }
}

/// The file classes each plugin or pack rule runs on (the engine's own
/// diagnostics run on every file).
pub(super) fn rule_classes(
    registry: &Registry,
) -> std::collections::HashMap<&str, source::classes::Classes> {
    registry
        .rules()
        .iter()
        .filter(|r| r.source != crate::registry::ENGINE)
        .map(|r| {
            let names = r.rule.classes_or_default();
            (
                r.rule.id.as_str(),
                source::classes::Classes::from_names(names),
            )
        })
        .collect()
}

/// The classes of the walked (or staged) tree's files: the configs',
/// `.gitattributes`, and vendored files left out unless included.
fn finish_tree(tree: &mut source::Tree, args: &ScanArgs, root: &Path, config: &Config) {
    let include_vendored = args.include_vendored || config.include_vendored == Some(true);
    apply_config_classes(tree, config);
    apply_gitattributes(tree, root, args.staged);
    if !include_vendored {
        tree.entries
            .retain(|e| !e.forced.set.contains(source::classes::Classes::VENDORED));
    }
}

/// Gives each file the classes the config's `[classes]` globs give it, in
/// the config's order (a later `text` glob takes them away again).
pub(super) fn apply_config_classes(tree: &mut source::Tree, config: &Config) {
    use source::classes::{Classes, Forced};
    let nested = &config.nested;
    if config.classes.is_empty() && nested.layers.iter().all(|l| l.config.classes.is_empty()) {
        return;
    }
    for entry in &mut tree.entries {
        let chain = nested.chain(&entry.path);
        let configs = chain
            .inherits_root
            .then_some(config)
            .into_iter()
            .chain(chain.layers().map(|l| &l.config));
        for globs in configs
            .flat_map(|c| c.classes.iter())
            .filter(|g| g.files.is_match(&entry.path))
        {
            let said = match Classes::named(globs.class) {
                Some(class) => Forced {
                    set: class,
                    unset: Classes::TEXT,
                },
                None => Forced {
                    set: Classes::TEXT,
                    unset: Classes::BINARY
                        .with(Classes::GENERATED)
                        .with(Classes::VENDORED)
                        .with(Classes::TEST_FIXTURE),
                },
            };
            entry.forced = entry.forced.then(said);
        }
    }
}

/// Gives each file the classes `.gitattributes` set for it, over what the
/// config said. Git is asked
/// only when some attributes file could say something.
pub(super) fn apply_gitattributes(tree: &mut source::Tree, root: &Path, staged: bool) {
    let git_dir = root.join(".git");
    if !git_dir.exists() {
        return;
    }
    let named_dirs = || {
        tree.files()
            .filter_map(|e| e.path.rsplit_once('/').map(|(dir, _)| dir.to_string()))
            .collect::<std::collections::BTreeSet<String>>()
    };
    let any = git_dir.join("info/attributes").is_file()
        || root.join(".gitattributes").is_file()
        || tree
            .entries
            .iter()
            .any(|e| e.path.ends_with(".gitattributes"))
        || (!tree.walked_dir
            && named_dirs().iter().any(|dir| {
                std::path::Path::new(dir)
                    .ancestors()
                    .any(|a| root.join(a).join(".gitattributes").is_file())
            }));
    if !any {
        return;
    }
    // git opens every `.gitattributes` it meets: a FIFO there would block it
    // forever. Such a tree gets no attributes, and a warning.
    let special = tree
        .entries
        .iter()
        .filter(|e| e.path.rsplit('/').next() == Some(".gitattributes"))
        .map(|e| e.abs.clone())
        .chain(std::iter::once(root.join(".gitattributes")))
        .find(|path| {
            std::fs::symlink_metadata(path)
                .is_ok_and(|m| !m.is_file() && !m.file_type().is_symlink())
        });
    if let Some(path) = special {
        eprintln!(
            "warning: {} is not a regular file: .gitattributes are not read",
            path.display()
        );
        return;
    }
    // Each path once: a history holds many versions of one path.
    let mut paths: Vec<&str> = tree.files().map(|e| e.path.as_str()).collect();
    paths.sort_unstable();
    paths.dedup();
    let forced = git::attribute_classes(root, &paths, staged);
    if forced.is_empty() {
        return;
    }
    for entry in &mut tree.entries {
        if let Some(f) = forced.get(&entry.path) {
            entry.forced = entry.forced.then(*f);
        }
    }
}

/// The walked (or staged) tree, before `.gitattributes` are applied.
fn walk_paths(
    args: &ScanArgs,
    root: &Path,
    config: &Config,
    walk: source::WalkOptions,
) -> miette::Result<source::Tree> {
    let include_vendored = args.include_vendored || config.include_vendored == Some(true);
    if args.staged {
        // The index is listed, not walked: vendored paths are left out by glob.
        let vendored = if include_vendored {
            Vec::new()
        } else {
            source::classes::vendored_globs()
        };
        let exclude = config.exclude_with(&vendored);
        let only: Vec<String> = args
            .paths
            .iter()
            .map(|p| source::relative(root, &source::absolute(p)))
            .filter(|p| !p.is_empty())
            .collect();
        let mut tree = git::staged_tree(root, &only, &exclude, config.max_file_size())?;
        if !include_vendored {
            // Library files (`jquery.min.js`, `wwwroot/lib/`) no glob lists.
            tree.entries.retain(|e| {
                !source::classes::by_path(&e.path).contains(source::classes::Classes::VENDORED)
            });
        }
        return Ok(tree);
    }
    let walk = source::WalkOptions {
        skip_vendored: !include_vendored,
        ..walk
    };
    let mut tree = source::collect(root, &args.paths, &config.exclude, walk);
    if root.join(".git").exists() {
        // Explicit files (a hook's batch): ask git about those only.
        let only: Vec<String> = if tree.walked_dir {
            Vec::new()
        } else {
            tree.files().map(|e| e.path.clone()).collect()
        };
        if tree.walked_dir || !only.is_empty() {
            let modes = git::index_modes(root, &only);
            for entry in &mut tree.entries {
                if let Some(mode) = modes.get(&entry.path) {
                    // The index knows only 755 and 644: take its executable
                    // bits, keep the filesystem's other bits.
                    entry.mode = (entry.mode & !0o111) | (mode & 0o111);
                }
            }
        }
    }
    Ok(tree)
}

/// The most worker threads `-j` gets: four per core, at most 256.
fn max_threads() -> usize {
    std::thread::available_parallelism()
        .map_or(4, std::num::NonZeroUsize::get)
        .saturating_mul(4)
        .clamp(4, 256)
}

/// A digest of the files that shape the findings of files that did not
/// change: every `.editorconfig` and `.gitattributes` of the tree, and the
/// `.editorconfig` files above it that editors (and ec4rs) read too.
fn environment(tree: &source::Tree, root: &Path) -> String {
    let read = |path: &Path| -> Vec<u8> {
        use std::io::Read;
        let mut bytes = Vec::new();
        if let Ok((file, _)) = source::read::open_regular(path) {
            let _ = file.take(1 << 20).read_to_end(&mut bytes);
        }
        bytes
    };
    let mut parts: Vec<Vec<u8>> = Vec::new();
    for entry in tree.files() {
        let name = entry.path.rsplit('/').next().unwrap_or(&entry.path);
        if name == ".editorconfig" || name == ".gitattributes" {
            parts.push(entry.path.as_bytes().to_vec());
            parts.push(read(&entry.abs));
        }
    }
    for dir in root.ancestors().skip(1) {
        let path = dir.join(".editorconfig");
        if path.is_file() {
            parts.push(path.to_string_lossy().as_bytes().to_vec());
            parts.push(read(&path));
        }
    }
    let refs: Vec<&[u8]> = parts.iter().map(Vec::as_slice).collect();
    source::digest::key_of(&refs)
}

/// Everything that decides a file's findings, hashed: a cache entry made
/// under another key is never used.
pub(super) fn cache_key(
    config: &Config,
    plugins: &[host::ActivePlugin],
    packs: &[packs::LoadedPack],
) -> String {
    let mut parts: Vec<Vec<u8>> = vec![env!("CARGO_PKG_VERSION").as_bytes().to_vec()];
    parts.extend(config.texts.iter().map(|t| t.as_bytes().to_vec()));
    parts.extend(
        config
            .nested
            .texts()
            .map(|(dir, text)| format!("{dir}\n{text}").into_bytes()),
    );
    for plugin in plugins {
        parts.push(plugin.identity.as_bytes().to_vec());
        if let Some(path) = &plugin.library {
            // A rebuilt plugin library is another plugin.
            if let Ok(meta) = std::fs::metadata(path) {
                parts.push(format!("{:?} {}", meta.modified().ok(), meta.len()).into_bytes());
            }
        }
    }
    parts.extend(packs.iter().map(|p| p.text_hash.as_bytes().to_vec()));
    let refs: Vec<&[u8]> = parts.iter().map(Vec::as_slice).collect();
    source::digest::key_of(&refs)
}
