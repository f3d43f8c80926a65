//! `pyproject.toml`: PEP 621 `[project]` dependencies and optional-dependencies, PEP 735
//! `[dependency-groups]`, and Poetry's `[tool.poetry.*dependencies]` (its own range syntax,
//! tables with `version`, `git`, `path`, `url`).

use super::{Pep508, url_origin};
use crate::inventory::{DepOrigin, DepSource, Dependency, Ecosystem};
use crate::sources::pkg::{in_vendored_tree, toml_or_report};
use crate::sources::{Claim, Facts, ParseContext, SourceFile, SourceParser};
use crate::versions::Requirement;
use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;

pub struct PyprojectParser;

#[derive(Deserialize, Default)]
pub(super) struct Pyproject {
    #[serde(default)]
    pub project: Option<Project>,
    #[serde(default, rename = "dependency-groups")]
    pub groups: Option<BTreeMap<String, Vec<Spanned<toml::Value>>>>,
    #[serde(default)]
    pub tool: Option<Tool>,
}

#[derive(Deserialize, Default)]
pub(super) struct Project {
    #[serde(default)]
    pub dependencies: Option<Vec<Spanned<toml::Value>>>,
    #[serde(default, rename = "optional-dependencies")]
    pub optional: Option<BTreeMap<String, Vec<Spanned<toml::Value>>>>,
}

#[derive(Deserialize, Default)]
pub(super) struct Tool {
    #[serde(default)]
    pub poetry: Option<Poetry>,
}

type PoetryDeps = BTreeMap<String, Spanned<toml::Value>>;

#[derive(Deserialize, Default)]
pub(super) struct Poetry {
    #[serde(default)]
    pub dependencies: Option<PoetryDeps>,
    #[serde(default, rename = "dev-dependencies")]
    pub dev_dependencies: Option<PoetryDeps>,
    #[serde(default)]
    pub group: Option<BTreeMap<String, PoetryGroup>>,
}

#[derive(Deserialize, Default)]
pub(super) struct PoetryGroup {
    #[serde(default)]
    pub dependencies: Option<PoetryDeps>,
}

impl Pyproject {
    /// Every declared name, normalised, for marking lock entries as direct.
    pub fn declared_names(&self) -> Vec<(String, bool)> {
        let mut out = Vec::new();
        let mut pep = |list: &[Spanned<toml::Value>], dev: bool| {
            for v in list {
                if let Some(r) = v.get_ref().as_str().and_then(Pep508::parse) {
                    out.push((Ecosystem::Pypi.normalize_name(&r.name), dev));
                }
            }
        };
        if let Some(p) = &self.project {
            pep(p.dependencies.as_deref().unwrap_or(&[]), false);
            for list in p.optional.iter().flat_map(|m| m.values()) {
                pep(list, false);
            }
        }
        for list in self.groups.iter().flat_map(|m| m.values()) {
            pep(list, true);
        }
        if let Some(poetry) = self.tool.as_ref().and_then(|t| t.poetry.as_ref()) {
            for (deps, dev) in poetry_sections(poetry) {
                out.extend(deps.keys().filter(|k| *k != "python").map(|k| (Ecosystem::Pypi.normalize_name(k), dev)));
            }
        }
        out
    }
}

fn poetry_sections(p: &Poetry) -> Vec<(&PoetryDeps, bool)> {
    let mut v = Vec::new();
    if let Some(d) = &p.dependencies {
        v.push((d, false));
    }
    if let Some(d) = &p.dev_dependencies {
        v.push((d, true));
    }
    for g in p.group.iter().flat_map(|g| g.values()) {
        if let Some(d) = &g.dependencies {
            v.push((d, true));
        }
    }
    v
}

impl SourceParser for PyprojectParser {
    fn id(&self) -> &'static str {
        "pyproject"
    }

    fn claim(&self, rel_path: &str, file_name: &str) -> Claim {
        if file_name == "pyproject.toml" && !in_vendored_tree(rel_path) { Claim::Yes } else { Claim::No }
    }

    fn parse(&self, src: &SourceFile, _cx: &ParseContext, out: &mut Facts) {
        let Some(doc) = toml_or_report::<Pyproject>(src, out, "pyproject.toml") else { return };
        let pep = |list: &[Spanned<toml::Value>], dev: bool, out: &mut Facts| {
            for v in list {
                let Some(text) = v.get_ref().as_str() else { continue };
                let location = src.location(v.span());
                let Some(r) = Pep508::parse(text) else {
                    crate::sources::pkg::unparsable(
                        out,
                        location,
                        "pyproject.toml",
                        &format!("cannot read requirement '{text}'"),
                        "expected a PEP 508 requirement such as `redis>=5`",
                    );
                    continue;
                };
                let mut dep = Dependency::new(Ecosystem::Pypi, &r.name, DepSource::Manifest, location).dev(dev);
                if let Some(url) = &r.url {
                    dep = dep.origin(url_origin(url)).requirement(url.as_str());
                } else {
                    dep = dep.requirement(&r.specifier);
                    if let Some(pin) = r.pinned() {
                        dep = dep.version(pin);
                    }
                }
                out.inventory.dependencies.push(dep);
            }
        };
        if let Some(p) = &doc.project {
            pep(p.dependencies.as_deref().unwrap_or(&[]), false, out);
            for list in p.optional.iter().flat_map(|m| m.values()) {
                pep(list, false, out);
            }
        }
        for list in doc.groups.iter().flat_map(|m| m.values()) {
            pep(list, true, out);
        }
        if let Some(poetry) = doc.tool.as_ref().and_then(|t| t.poetry.as_ref()) {
            for (deps, dev) in poetry_sections(poetry) {
                for (name, value) in deps {
                    if name == "python" {
                        continue;
                    }
                    out.inventory.dependencies.push(poetry_dep(src, name, value, dev));
                }
            }
        }
    }
}

fn poetry_dep(src: &SourceFile, name: &str, value: &Spanned<toml::Value>, dev: bool) -> Dependency {
    let location = src.location(value.span());
    let dep = Dependency::new(Ecosystem::Pypi, name, DepSource::Manifest, location).dev(dev);
    let with_range = |dep: Dependency, range: &str| {
        let exact = Requirement::parse(Ecosystem::Pypi, range).ok().and_then(|r| r.exact());
        let dep = dep.requirement(range);
        match exact {
            Some(v) => dep.version(v),
            None => dep,
        }
    };
    match value.get_ref() {
        toml::Value::String(range) => with_range(dep, range),
        toml::Value::Table(t) => {
            let s = |k: &str| t.get(k).and_then(toml::Value::as_str);
            if let Some(g) = s("git") {
                dep.origin(DepOrigin::Git).requirement(g)
            } else if let Some(p) = s("path") {
                dep.origin(DepOrigin::Path).requirement(p)
            } else if let Some(u) = s("url") {
                dep.origin(DepOrigin::Url).requirement(u)
            } else if let Some(v) = s("version") {
                with_range(dep, v)
            } else {
                dep
            }
        }
        // Multiple constraints (per Python version): a list of tables; keep the first range.
        toml::Value::Array(a) => match a.iter().find_map(|t| t.get("version").and_then(toml::Value::as_str)) {
            Some(v) => with_range(dep, v),
            None => dep,
        },
        _ => dep,
    }
}
