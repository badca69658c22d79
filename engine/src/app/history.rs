//! `ward history`: the secrets (and, on request, every rule) of a git
//! history. Each blob the range's commits introduced is checked once, whole;
//! each finding names the first commit that introduced it.

use std::collections::{HashMap, HashSet};
use std::time::Instant;

use ward_plugin_sdk::EntryKind;

use super::check::{threshold, write_report};
use super::cli::HistoryArgs;
use super::output::{EXIT_CLEAN, EXIT_FINDINGS};
use super::run::{
    apply_config_classes, apply_gitattributes, cache_key, load_baseline, rule_classes, worker_pool,
};
use super::setup::{load_all, resolve_config, switch_off_defaults};
use crate::finding::{self, Finding};
use crate::host::{self, packs};
use crate::report::render;
use crate::scan::history::{Blob, HistoryCache};
use crate::scan::{self, cache};
use crate::source::classes::Classes;
use crate::source::history::{self, RangeSpec};
use crate::source::{self, git};

pub(super) fn run(args: &HistoryArgs) -> miette::Result<u8> {
    let started = Instant::now();
    // A bare repository (a server's, in a pre-receive hook) has no work
    // tree: it is its own root.
    let root = git::toplevel(&args.repo).unwrap_or_else(|_| args.repo.clone());
    let (repo, _quarantine) = history::open(&root).map_err(|e| miette::miette!("{e}"))?;
    let mut config = resolve_config(&args.plugin, &root)?;
    let loaded = load_all(&args.plugin, &config)?;
    switch_off_defaults(&mut config, &loaded.registry);
    // By default the rules that make sense in history: secrets, and the
    // packs a team wrote for its own repository.
    let plugins = if args.all_rules {
        host::activate(&loaded.plugins, &config, &root)?
    } else {
        Vec::new()
    };
    let chosen: Vec<&packs::LoadedPack> = loaded
        .packs
        .iter()
        .filter(|p| args.all_rules || !p.builtin || p.pack.name == "secrets")
        .collect();
    let active_packs = packs::activate_some(&chosen, &config);
    let baseline = load_baseline(args.baseline.as_deref(), &config, &root)?;
    let pool = worker_pool(args.threads)?;
    let limit = args
        .max_blob_size
        .unwrap_or(u64::MAX)
        .min(config.max_file_size());

    let spec = RangeSpec {
        revisions: args.revisions.clone(),
        since_commit: args.since_commit.clone(),
        branches: args.branches,
        max_count: args.max_count,
    };
    let only_staged =
        args.staged && args.revisions.is_empty() && args.since_commit.is_none() && !args.branches;
    let local = repo.to_thread_local();
    let mut cache = match (args.no_cache || args.show_secrets, args.cache_dir.clone()) {
        (true, _) => HistoryCache::none(),
        (false, dir) => match dir.or_else(cache::default_dir) {
            Some(dir) => {
                let mut key = cache_key(&config, &plugins, &loaded.packs);
                key.push_str(&format!(" all-rules={} limit={limit}", args.all_rules));
                HistoryCache::open(&dir, &root, key)
            }
            None => HistoryCache::none(),
        },
    };
    let mut walk_key = None;
    let (commits, listed, mut introduced, mut warnings) = if only_staged {
        (Vec::new(), None, Vec::new(), Vec::new())
    } else {
        let range = history::range(&local, &spec).map_err(|e| miette::miette!("{e}"))?;
        let key = range.key();
        let found = match cache.walk(&key) {
            // The index is not part of a walk: its blobs are listed anew.
            Some(commits) => match cache.listed(&key).filter(|_| !args.staged) {
                Some(listed) => (commits, Some(listed), Vec::new(), Vec::new()),
                None => {
                    let (introduced, warnings) =
                        pool.install(|| scan::history::introduced(&repo, &commits, &cache));
                    (commits, None, introduced, warnings)
                }
            },
            None => {
                let mut done = pool
                    .install(|| scan::history::walk_and_introduce(&repo, &range, &cache))
                    .map_err(|e| miette::miette!("{e}"))?;
                // A walk cut short by a missing commit is not kept.
                if done.walk_warnings.is_empty() {
                    cache.remember_walk(&key, &done.commits);
                }
                done.walk_warnings.append(&mut done.warnings);
                (done.commits, None, done.introduced, done.walk_warnings)
            }
        };
        walk_key = Some(key);
        found
    };
    let listed = match listed {
        Some(listed) => listed,
        None => {
            if args.staged {
                introduced.push(
                    history::staged(&local, &mut warnings).map_err(|e| miette::miette!("{e}"))?,
                );
            }
            let listed = list(&local, &commits, &introduced, &config, &mut cache);
            if let Some(key) = walk_key.as_ref().filter(|_| !args.staged) {
                cache.remember_listed(key, &listed);
            }
            introduced.truncate(commits.len());
            cache.remember_introduced(&commits, introduced);
            listed
        }
    };
    let mut entries = Vec::with_capacity(listed.len());
    let mut ids = Vec::with_capacity(listed.len());
    let mut origin = Vec::with_capacity(listed.len());
    for blob in listed {
        entries.push(source::Entry {
            path: blob.path.to_string(),
            abs: root.join(&*blob.path),
            kind: EntryKind::File,
            size: 0,
            mode: blob.mode,
            staged: None,
            staged_blob: None,
            link_target: None,
            stat: None,
            forced: Default::default(),
        });
        ids.push(blob.blob);
        origin.push(blob.origin);
    }
    // Classes come from the config and from the work tree's attributes
    // (`.gitattributes` as it is now, for every version of a path).
    let mut tree = source::Tree {
        entries,
        // As for a walked tree, the attributes files are those the work
        // tree and the blobs have: no look for one above every path.
        walked_dir: true,
        ..Default::default()
    };
    apply_config_classes(&mut tree, &config);
    apply_gitattributes(&mut tree, &root, false);
    let include_vendored = args.include_vendored || config.include_vendored == Some(true);
    let mut blobs = Vec::with_capacity(tree.entries.len());
    let mut blob_origin = Vec::with_capacity(tree.entries.len());
    for ((entry, id), at) in tree.entries.into_iter().zip(ids).zip(origin) {
        let vendored = entry.forced.set.contains(Classes::VENDORED)
            || (!entry.forced.unset.contains(Classes::VENDORED)
                && history::is_vendored_path(&entry.path));
        if include_vendored || !vendored {
            blobs.push(Blob { id, entry });
            blob_origin.push(at);
        }
    }

    // The walk mapped the pack to read its trees, and those pages would
    // count in the resident set through the whole scan: a fresh handle
    // maps only what is read through it from here on.
    drop(local);
    drop(repo);
    let (repo, _quarantine_again) = history::open(&root).map_err(|e| miette::miette!("{e}"))?;
    let local = repo.to_thread_local();
    let known_rules = loaded.registry.ids().map(str::to_string).collect();
    let rule_classes = rule_classes(&loaded.registry);
    let checks = scan::Checks {
        rule_classes: &rule_classes,
        plugins: &plugins,
        packs: active_packs.as_ref(),
        config: &config,
        show_secrets: args.show_secrets,
        known_rules: &known_rules,
        absent_plugins: &loaded.absent_plugins,
        repo_only: false,
        stamp_files: false,
        cache: None,
        shard: None,
        only: None,
        timings: false,
        verbose: args.plugin.verbose,
        progress: None,
    };
    let scanned = pool.install(|| scan::history::scan(&repo, &blobs, &checks, limit, &cache));
    scanned.remember_in(&blobs, &mut cache);
    if let Err(e) = cache.save() {
        eprintln!("warning: cannot write the history cache: {e}");
    }
    // Freeing the cache's maps, a small allocation per commit, path and
    // blob, costs a cached run more than a tenth of its time; the process
    // ends with this command.
    std::mem::forget(cache);
    warnings.extend(scanned.warnings.iter().cloned());

    // Each finding names its commit; the same finding (rule, path and
    // secret or text: its fingerprint) kept across later versions is
    // reported once, at the first.
    let mut infos: HashMap<usize, Box<finding::Commit>> = HashMap::new();
    let mut fingerprints = HashSet::new();
    let mut findings: Vec<Finding> = Vec::new();
    let mut secret_blobs = Vec::new();
    let mut reported_blobs = Vec::new();
    for (index, found) in scanned.findings.iter().enumerate() {
        let at = blob_origin[index];
        let mut kept_secret = false;
        let mut kept = false;
        for f in found {
            if !fingerprints.insert(f.fingerprint.clone()) {
                continue;
            }
            let info = infos.entry(at).or_insert_with(|| {
                Box::new(match commits.get(at) {
                    Some(commit) => history::info(&local, commit.id),
                    None => finding::Commit {
                        commit: "staged".into(),
                        author: String::new(),
                        date: String::new(),
                        summary: "the index".into(),
                    },
                })
            });
            let mut f = f.clone();
            f.commit = Some(info.clone());
            kept_secret |= f.secret_span;
            kept = true;
            findings.push(f);
        }
        if kept_secret {
            secret_blobs.push(index);
        }
        if kept {
            reported_blobs.push(index);
        }
    }
    finding::finalize(&mut findings);
    let mut baselined = 0;
    if let Some(baseline) = &baseline {
        let before = findings.len();
        findings.retain(|f| !baseline.contains(f));
        baselined = before - findings.len();
    }
    if !args.show_secrets {
        mask(
            &local,
            &blobs,
            &secret_blobs,
            &reported_blobs,
            &scanned.findings,
            active_packs.as_ref(),
            &mut findings,
        );
    }
    for warning in &warnings {
        eprintln!("warning: {warning}");
    }
    eprintln!(
        "ward history: {} commits, {} blobs checked{}",
        commits.len(),
        blobs.len() - scanned.skipped.len(),
        if scanned.too_large > 0 {
            format!(
                ", {} over {limit} bytes left out (--max-blob-size)",
                scanned.too_large
            )
        } else {
            String::new()
        }
    );

    let repository = root
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| root.to_string_lossy().into_owned());
    let uri = format!("file://{}", render::sarif::uri(&root.to_string_lossy()));
    let threshold = threshold(args.report.fail_on);
    let report = render::Report {
        findings: &findings,
        all_findings: &findings,
        fail_on: threshold,
        rules: loaded
            .registry
            .rules()
            .iter()
            .map(|r| (r.rule.id.as_str(), &r.rule))
            .collect(),
        tallied: HashSet::new(),
        files_scanned: scanned.outcome.files_scanned,
        bytes_scanned: scanned.outcome.bytes_scanned,
        suppressed: scanned.outcome.suppressed,
        baselined,
        pre_existing: 0,
        truncated: 0,
        duration: started.elapsed(),
        repository: &repository,
        shard: None,
        repository_uri: Some(&uri),
        timings: None,
        score: None,
    };
    write_report(&report, &args.report)?;
    let failed = threshold.is_some_and(|t| findings.iter().any(|f| f.severity >= t));
    Ok(if failed { EXIT_FINDINGS } else { EXIT_CLEAN })
}

/// Each blob once, at the first commit (parents come first) and path that
/// introduced it; excluded paths and blobs a merge only carried over from
/// another parent left out.
fn list(
    repo: &gix::Repository,
    commits: &[history::Walked],
    introduced: &[Vec<history::Introduced>],
    config: &crate::config::Config,
    cache: &mut HistoryCache,
) -> Vec<history::Listed> {
    let mut seen = gix::hashtable::HashSet::default();
    let mut listed = Vec::new();
    let mut answers = Vec::new();
    for (at, found) in introduced.iter().enumerate() {
        for blob in found {
            if seen.contains(&blob.blob) || config.exclude.is_match(&*blob.path) {
                continue;
            }
            if let Some(merge) = commits.get(at).filter(|c| c.parents.len() > 1) {
                let carried = cache
                    .carried_over(&merge.id, &blob.path, &blob.blob)
                    .unwrap_or_else(|| {
                        let carried = history::carried_over(repo, merge, &blob.path, blob.blob);
                        answers.push((merge.id, blob.path.clone(), blob.blob, carried));
                        carried
                    });
                if carried {
                    continue;
                }
            }
            seen.insert(blob.blob);
            listed.push(history::Listed {
                blob: blob.blob,
                path: blob.path.clone(),
                mode: blob.mode,
                origin: at,
            });
        }
    }
    cache.remember_carried(&answers);
    listed
}

/// Masks every secret found, as `ward check` does at its output edge: the
/// blobs with secret findings are read again for the secrets' text, and
/// the paths of blobs with findings are scanned for secrets in file names.
fn mask(
    repo: &gix::Repository,
    blobs: &[Blob],
    secret_blobs: &[usize],
    reported_blobs: &[usize],
    found: &[Vec<Finding>],
    packs: Option<&packs::ActivePacks>,
    findings: &mut [Finding],
) {
    let mut secrets = Vec::new();
    for &index in secret_blobs {
        if let Ok(bytes) = history::read_blob(repo, blobs[index].id) {
            secrets.extend(crate::findings::mask::secrets_in(
                &bytes,
                found[index].iter(),
            ));
        }
    }
    if let Some(packs) = packs {
        let mut matches = Vec::new();
        for blob in reported_blobs.iter().map(|&i| &blobs[i]) {
            packs
                .set
                .scan(&blob.entry.path, blob.entry.path.as_bytes(), &mut matches);
            secrets.extend(matches.drain(..).filter_map(|m| m.secret));
        }
    }
    secrets.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
    secrets.dedup();
    crate::findings::mask::mask_all(findings, &secrets);
}
