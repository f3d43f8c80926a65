//! Typed views of the data under `rules/`: what the tool knows, each entry with its source.
//!
//! The files are embedded at build time (see `build.rs`); `--rules-dir` layers a user's own
//! directory on top, file by file, so a team can add a profile or amend the client table
//! without rebuilding.

pub mod catalog;
pub mod client_features;
pub mod clients;
pub mod commands;
pub mod config_rules;
pub mod images;
pub mod migration;
pub mod modules;
pub mod profile;
pub mod terraform;

use crate::location::{LineIndex, Location, Span};
use std::any::{Any, TypeId};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

pub use catalog::{Catalog, Phase, RuleMeta};
pub use clients::Clients;
pub use profile::Profile;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded_rules.rs"));
}

/// A data file that could not be read or understood, with where and why.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct KnowledgeError {
    pub message: String,
    /// `rules/<path>` for embedded data, the real path for `--rules-dir` files.
    pub origin: String,
    pub location: Option<Box<Location>>,
    pub help: Option<String>,
}

#[derive(Debug, Clone)]
struct DataFile {
    origin: String,
    text: Arc<str>,
}

pub struct Knowledge {
    files: BTreeMap<String, DataFile>,
    pub catalog: Catalog,
    profiles: Mutex<BTreeMap<String, Arc<Profile>>>,
    views: Mutex<HashMap<TypeId, Arc<dyn Any + Send + Sync>>>,
}

/// A typed view of some data files (the client table, the image catalog, …). Built once per
/// `Knowledge` — so a `--rules-dir` overlay applies to parsers and rules alike, and no data
/// file is parsed twice in a run.
pub trait View: Sized + Send + Sync + 'static {
    fn build(knowledge: &Knowledge) -> Result<Self, KnowledgeError>;
}

impl std::fmt::Debug for Knowledge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Knowledge").field("files", &self.files.keys().collect::<Vec<_>>()).finish()
    }
}

impl Knowledge {
    /// The data shipped in the binary.
    pub fn embedded() -> Result<Self, KnowledgeError> {
        Self::build(Self::embedded_files(), None)
    }

    /// Embedded data with a user's directory layered on top (same relative paths replace,
    /// new paths add).
    pub fn with_overlay(dir: Option<&Path>) -> Result<Self, KnowledgeError> {
        let mut files = Self::embedded_files();
        if let Some(dir) = dir {
            overlay(&mut files, dir, dir)?;
        }
        Self::build(files, dir)
    }

    fn embedded_files() -> BTreeMap<String, DataFile> {
        embedded::EMBEDDED
            .iter()
            .map(|(rel, text)| (rel.to_string(), DataFile { origin: format!("rules/{rel}"), text: Arc::from(*text) }))
            .collect()
    }

    fn build(files: BTreeMap<String, DataFile>, _overlay: Option<&Path>) -> Result<Self, KnowledgeError> {
        let mut knowledge = Knowledge {
            files,
            catalog: Catalog::default(),
            profiles: Mutex::new(BTreeMap::new()),
            views: Mutex::new(HashMap::new()),
        };
        knowledge.catalog = Catalog::load(&knowledge)?;
        Ok(knowledge)
    }

    /// Text of one data file by its path under `rules/`.
    pub fn file(&self, rel: &str) -> Option<&str> {
        self.files.get(rel).map(|f| &*f.text)
    }

    /// Every data file whose path starts with `prefix`, in path order.
    pub fn files_under<'a>(&'a self, prefix: &'a str) -> impl Iterator<Item = (&'a str, &'a str)> + 'a {
        self.files
            .range(prefix.to_string()..)
            .take_while(move |(k, _)| k.starts_with(prefix))
            .map(|(k, v)| (k.as_str(), &*v.text))
    }

    /// Where a data file came from, for error messages.
    pub fn origin(&self, rel: &str) -> String {
        self.files.get(rel).map_or_else(|| format!("rules/{rel}"), |f| f.origin.clone())
    }

    /// Parses a TOML data file into `T`, turning a parse error into a located `KnowledgeError`.
    pub fn parse_toml<T: serde::de::DeserializeOwned>(&self, rel: &str) -> Result<T, KnowledgeError> {
        let text = self.file(rel).ok_or_else(|| KnowledgeError {
            message: format!("data file rules/{rel} is missing"),
            origin: self.origin(rel),
            location: None,
            help: None,
        })?;
        toml::from_str(text).map_err(|e| {
            let origin = self.origin(rel);
            let location = e.span().map(|span| Box::new(span_location(&origin, text, span.start..span.end)));
            KnowledgeError { message: format!("{origin}: {}", e.message()), origin, location, help: None }
        })
    }

    /// Names of the server profiles available (`valkey-9.1`, `redis-7.4`, …), sorted.
    pub fn profile_names(&self) -> Vec<String> {
        self.files_under("profiles/")
            .filter_map(|(path, _)| path.strip_prefix("profiles/")?.strip_suffix(".toml").map(str::to_string))
            .collect()
    }

    /// The client-library table (`rules/clients.toml`), loaded once and shared.
    pub fn clients(&self) -> Result<Arc<Clients>, KnowledgeError> {
        self.view::<Clients>()
    }

    /// A typed view of the data, built on first use and shared after. A view that fails to
    /// build is not cached: the error reaches every caller.
    pub fn view<T: View>(&self) -> Result<Arc<T>, KnowledgeError> {
        if let Some(v) = self.views.lock().unwrap().get(&TypeId::of::<T>()) {
            return Ok(v.clone().downcast::<T>().expect("views are keyed by their type"));
        }
        let built = Arc::new(T::build(self)?);
        self.views.lock().unwrap().insert(TypeId::of::<T>(), built.clone());
        Ok(built)
    }

    /// The embedded knowledge, built once per process, for code that has no run's
    /// `Knowledge` at hand (unit tests of the views).
    pub fn shared_embedded() -> Result<&'static Knowledge, KnowledgeError> {
        static SHARED: std::sync::OnceLock<Result<Knowledge, KnowledgeError>> = std::sync::OnceLock::new();
        SHARED.get_or_init(Knowledge::embedded).as_ref().map_err(Clone::clone)
    }

    /// A server profile by name, loaded once and shared.
    pub fn profile(&self, name: &str) -> Result<Arc<Profile>, KnowledgeError> {
        if let Some(p) = self.profiles.lock().unwrap().get(name) {
            return Ok(p.clone());
        }
        let loaded = Arc::new(Profile::load(self, name)?);
        self.profiles.lock().unwrap().insert(name.to_string(), loaded.clone());
        Ok(loaded)
    }
}

pub(crate) fn span_location(file: &str, text: &str, range: std::ops::Range<usize>) -> Location {
    let idx = LineIndex::new(text.as_bytes());
    let (line, column) = idx.position(text.as_bytes(), range.start);
    let (end_line, end_column) = idx.position(text.as_bytes(), range.end);
    Location { file: file.to_string(), line, column, end_line, end_column, span: Span::from(range) }
}

fn overlay(files: &mut BTreeMap<String, DataFile>, root: &Path, dir: &Path) -> Result<(), KnowledgeError> {
    let entries = std::fs::read_dir(dir).map_err(|e| KnowledgeError {
        message: format!("cannot read rules directory {}: {e}", dir.display()),
        origin: dir.display().to_string(),
        location: None,
        help: Some("--rules-dir takes a directory laid out like the project's rules/ folder".into()),
    })?;
    let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            overlay(files, root, &path)?;
            continue;
        }
        let rel = path.strip_prefix(root).unwrap_or(&path).to_string_lossy().replace('\\', "/");
        let text = std::fs::read_to_string(&path).map_err(|e| KnowledgeError {
            message: format!("cannot read {}: {e}", path.display()),
            origin: path.display().to_string(),
            location: None,
            help: None,
        })?;
        files.insert(rel, DataFile { origin: path.display().to_string(), text: Arc::from(text) });
    }
    Ok(())
}
