//! `poetry.lock`, lock-version 1.x (`category = "dev"`) and 2.x (`groups = [...]`), with
//! `[package.source]` for git, directory, file and url packages.

use super::pyproject::Pyproject;
use crate::inventory::{DepOrigin, DepSource, Dependency, Ecosystem};
use crate::sources::pkg::{in_vendored_tree, toml_or_report};
use crate::sources::{Claim, Facts, ParseContext, SourceFile, SourceParser};
use serde::Deserialize;
use std::collections::HashMap;
use toml::Spanned;

pub struct PoetryLockParser;

#[derive(Deserialize)]
struct Lock {
    #[serde(default)]
    package: Vec<Package>,
}

#[derive(Deserialize)]
struct Package {
    name: Spanned<String>,
    version: Spanned<String>,
    #[serde(default)]
    category: Option<String>,
    #[serde(default)]
    groups: Option<Vec<String>>,
    #[serde(default)]
    source: Option<Source>,
}

#[derive(Deserialize)]
struct Source {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    url: Option<String>,
}

/// Names declared by the sibling pyproject.toml (normalised) → dev.
pub(super) fn sibling_pyproject(src: &SourceFile, cx: &ParseContext) -> HashMap<String, bool> {
    let Ok(p) = cx.read_relative(src, "pyproject.toml") else { return HashMap::new() };
    let Some(doc) = p.text().and_then(|t| toml::from_str::<Pyproject>(t).ok()) else { return HashMap::new() };
    let mut out = HashMap::new();
    for (n, dev) in doc.declared_names() {
        let e = out.entry(n).or_insert(dev);
        *e = *e && dev;
    }
    out
}

pub(super) fn origin_of_source(kind: &str) -> Option<DepOrigin> {
    match kind {
        "git" => Some(DepOrigin::Git),
        "directory" | "file" => Some(DepOrigin::Path),
        "url" => Some(DepOrigin::Url),
        _ => None,
    }
}

impl SourceParser for PoetryLockParser {
    fn id(&self) -> &'static str {
        "poetry-lock"
    }

    fn claim(&self, rel_path: &str, file_name: &str) -> Claim {
        if file_name == "poetry.lock" && !in_vendored_tree(rel_path) { Claim::Yes } else { Claim::No }
    }

    fn parse(&self, src: &SourceFile, cx: &ParseContext, out: &mut Facts) {
        let Some(lock) = toml_or_report::<Lock>(src, out, "poetry.lock") else { return };
        let declared = sibling_pyproject(src, cx);
        for p in lock.package {
            let name = p.name.get_ref();
            let dev_by_lock = p.category.as_deref() == Some("dev")
                || p.groups.as_ref().is_some_and(|g| !g.iter().any(|x| x == "main"));
            let norm = Ecosystem::Pypi.normalize_name(name);
            let mut dep = Dependency::new(Ecosystem::Pypi, name, DepSource::Lockfile, src.location(p.version.span()))
                .dev(dev_by_lock)
                .direct(declared.contains_key(&norm));
            match p.source.as_ref().and_then(|s| origin_of_source(&s.kind).map(|o| (o, s))) {
                Some((o, s)) => dep = dep.origin(o).requirement(s.url.clone().unwrap_or_default()),
                None => dep = dep.version(p.version.get_ref()),
            }
            out.inventory.dependencies.push(dep);
        }
    }
}
