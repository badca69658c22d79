//! Nested configs by directory, and which of them apply to a path: the
//! structure only (the loader is the `nested` module), generic over the
//! config so that the config can hold its nested configs.

use std::collections::HashMap;
use std::path::PathBuf;

/// What the layers need of a config.
pub trait LayerConfig {
    /// `root = true`: inherits nothing from the configs above.
    fn is_root(&self) -> bool;
    /// Whether its `exclude` leaves `path` out.
    fn excludes(&self, path: &str) -> bool;
    /// The texts of the files it was made of.
    fn texts(&self) -> &[String];
}

/// A config below the repository's root.
#[derive(Debug)]
pub struct Layer<C> {
    /// Its directory, repository-relative (`services/api`).
    pub dir: String,
    /// Its file.
    pub file: PathBuf,
    /// What it says; its globs already start with `dir/`.
    pub config: C,
    /// The nearest layer above it, if any.
    pub parent: Option<usize>,
}

/// Every nested config of a run, by directory.
#[derive(Debug)]
pub struct Nested<C> {
    /// Parents before their children.
    pub layers: Vec<Layer<C>>,
    by_dir: HashMap<String, usize>,
}

impl<C> Default for Nested<C> {
    fn default() -> Self {
        Nested {
            layers: Vec::new(),
            by_dir: HashMap::new(),
        }
    }
}

/// The configs that apply to one path, besides the root config.
pub struct Chain<'a, C> {
    nested: &'a Nested<C>,
    /// Innermost first.
    indices: Vec<usize>,
    /// No `root = true` on the way up: the root config applies too.
    pub inherits_root: bool,
}

impl<'a, C> Chain<'a, C> {
    /// The layers, outermost first (the order they apply in).
    pub fn layers(&self) -> impl Iterator<Item = &'a Layer<C>> + '_ {
        self.indices.iter().rev().map(|&i| &self.nested.layers[i])
    }
}

impl<C: LayerConfig> Nested<C> {
    /// No nested config.
    pub fn is_empty(&self) -> bool {
        self.layers.is_empty()
    }

    /// Adds the config of directory `dir`; directories come sorted, so a
    /// parent is added before its children.
    pub fn push(&mut self, dir: String, file: PathBuf, config: C) {
        let parent = self.deepest(&format!("{dir}/"));
        self.by_dir.insert(dir.clone(), self.layers.len());
        self.layers.push(Layer {
            dir,
            file,
            config,
            parent,
        });
    }

    /// The deepest layer whose directory holds `path`.
    pub fn deepest(&self, path: &str) -> Option<usize> {
        if self.layers.is_empty() {
            return None;
        }
        let mut end = path.len();
        while let Some(slash) = path[..end].rfind('/') {
            if let Some(&layer) = self.by_dir.get(&path[..slash]) {
                return Some(layer);
            }
            end = slash;
        }
        None
    }

    /// The layers that apply to `path`, up to the first `root = true`.
    pub fn chain(&self, path: &str) -> Chain<'_, C> {
        let mut indices = Vec::new();
        let mut inherits_root = true;
        let mut at = self.deepest(path);
        while let Some(layer) = at {
            indices.push(layer);
            if self.layers[layer].config.is_root() {
                inherits_root = false;
                break;
            }
            at = self.layers[layer].parent;
        }
        Chain {
            nested: self,
            indices,
            inherits_root,
        }
    }

    /// Whether a nested config's `exclude` leaves `path` out (the root
    /// config's excludes apply while walking).
    pub fn excludes(&self, path: &str) -> bool {
        self.chain(path).layers().any(|l| l.config.excludes(path))
    }

    /// Every nested config's text with its directory, for the result
    /// cache's key.
    pub fn texts(&self) -> impl Iterator<Item = (&str, &str)> {
        self.layers.iter().flat_map(|l| {
            l.config
                .texts()
                .iter()
                .map(move |t| (l.dir.as_str(), t.as_str()))
        })
    }
}
