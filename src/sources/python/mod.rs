//! Python: `requirements*.txt` (with `-r` includes), `pyproject.toml` (PEP 621, PEP 735
//! groups and Poetry), `poetry.lock` (1.x and 2.x), `uv.lock`, `Pipfile` and `Pipfile.lock`.

mod pipfile;
mod poetry_lock;
mod pyproject;
mod requirements;
mod uv_lock;

pub use pipfile::{PipfileLockParser, PipfileParser};
pub use poetry_lock::PoetryLockParser;
pub use pyproject::PyprojectParser;
pub use requirements::RequirementsParser;
pub use uv_lock::UvLockParser;

use crate::inventory::{DepOrigin, Ecosystem};
use crate::versions::Requirement;

/// One PEP 508 requirement: `name[extras] specifiers ; marker` or `name @ url`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pep508 {
    pub name: String,
    pub specifier: String,
    pub url: Option<String>,
}

impl Pep508 {
    pub fn parse(text: &str) -> Option<Pep508> {
        let t = text.trim();
        let end = t.find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))).unwrap_or(t.len());
        if end == 0 {
            return None;
        }
        let name = t[..end].to_string();
        let mut rest = t[end..].trim_start();
        if rest.starts_with('[') {
            rest = rest[rest.find(']')? + 1..].trim_start();
        }
        let rest = rest.split(';').next().unwrap_or("").trim();
        if let Some(url) = rest.strip_prefix('@') {
            return Some(Pep508 { name, specifier: String::new(), url: Some(url.trim().to_string()) });
        }
        let spec = rest.trim_start_matches('(').trim_end_matches(')').trim().to_string();
        Some(Pep508 { name, specifier: spec, url: None })
    }

    /// The pinned version when the specifier is a single `==` (or `===`) without wildcard.
    pub fn pinned(&self) -> Option<String> {
        if self.specifier.contains('*') || !self.specifier.starts_with("==") {
            return None;
        }
        Requirement::parse(Ecosystem::Pypi, &self.specifier).ok()?.exact()
    }
}

pub fn url_origin(url: &str) -> DepOrigin {
    if url.starts_with("git+") || url.contains(".git@") || url.ends_with(".git") {
        DepOrigin::Git
    } else if url.starts_with("file:") || url.starts_with('.') || url.starts_with('/') {
        DepOrigin::Path
    } else {
        DepOrigin::Url
    }
}

#[cfg(test)]
mod tests;
