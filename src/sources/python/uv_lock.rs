//! `uv.lock`: `[[package]]` with `source = { registry | git | path | directory | editable |
//! virtual }`. The project itself (editable or virtual `.`) is not a dependency; its
//! `dependencies` say which packages are direct.

use crate::inventory::{DepOrigin, DepSource, Dependency, Ecosystem};
use crate::sources::pkg::{in_vendored_tree, toml_or_report};
use crate::sources::{Claim, Facts, ParseContext, SourceFile, SourceParser};
use serde::Deserialize;
use std::collections::{BTreeMap, HashSet};
use toml::Spanned;

pub struct UvLockParser;

#[derive(Deserialize)]
struct Lock {
    #[serde(default)]
    package: Vec<Package>,
}

#[derive(Deserialize)]
struct Package {
    name: Spanned<String>,
    #[serde(default)]
    version: Option<Spanned<String>>,
    #[serde(default)]
    source: BTreeMap<String, toml::Value>,
    #[serde(default)]
    dependencies: Vec<DepRef>,
    #[serde(default, rename = "dev-dependencies")]
    dev_dependencies: BTreeMap<String, Vec<DepRef>>,
    #[serde(default, rename = "optional-dependencies")]
    optional_dependencies: BTreeMap<String, Vec<DepRef>>,
}

#[derive(Deserialize)]
struct DepRef {
    name: String,
}

impl SourceParser for UvLockParser {
    fn id(&self) -> &'static str {
        "uv-lock"
    }

    fn claim(&self, rel_path: &str, file_name: &str) -> Claim {
        if file_name == "uv.lock" && !in_vendored_tree(rel_path) { Claim::Yes } else { Claim::No }
    }

    fn parse(&self, src: &SourceFile, _cx: &ParseContext, out: &mut Facts) {
        let Some(lock) = toml_or_report::<Lock>(src, out, "uv.lock") else { return };
        let is_member = |p: &Package| p.source.contains_key("editable") || p.source.contains_key("virtual");
        let mut direct = HashSet::new();
        let mut dev = HashSet::new();
        for p in lock.package.iter().filter(|p| is_member(p)) {
            direct.extend(
                p.dependencies
                    .iter()
                    .chain(p.optional_dependencies.values().flatten())
                    .map(|d| Ecosystem::Pypi.normalize_name(&d.name)),
            );
            dev.extend(p.dev_dependencies.values().flatten().map(|d| Ecosystem::Pypi.normalize_name(&d.name)));
        }
        for p in &lock.package {
            let name = p.name.get_ref();
            let root_member =
                p.source.get("editable").or(p.source.get("virtual")).and_then(toml::Value::as_str) == Some(".");
            if root_member {
                continue;
            }
            let norm = Ecosystem::Pypi.normalize_name(name);
            let span = p.version.as_ref().map_or(p.name.span(), |v| v.span());
            let mut dep = Dependency::new(Ecosystem::Pypi, name, DepSource::Lockfile, src.location(span))
                .direct(direct.contains(&norm) || dev.contains(&norm))
                .dev(dev.contains(&norm) && !direct.contains(&norm));
            let s = |k: &str| p.source.get(k).and_then(toml::Value::as_str);
            if let Some(g) = s("git") {
                dep = dep.origin(DepOrigin::Git).requirement(g);
            } else if let Some(path) = s("editable").or(s("virtual")) {
                dep = dep.origin(DepOrigin::Workspace).requirement(path);
            } else if let Some(path) = s("path").or(s("directory")) {
                dep = dep.origin(DepOrigin::Path).requirement(path);
            } else if let Some(u) = s("url") {
                dep = dep.origin(DepOrigin::Url).requirement(u);
            } else if let Some(v) = &p.version {
                dep = dep.version(v.get_ref());
            }
            out.inventory.dependencies.push(dep);
        }
    }
}
