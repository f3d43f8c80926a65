//! Rust: `Cargo.toml` (dependencies of every kind and target, `workspace.dependencies`,
//! renamed packages, git/path sources) and `Cargo.lock` v1 to v4.

use crate::inventory::{DepOrigin, DepSource, Dependency, Ecosystem};
use crate::sources::pkg::{in_vendored_tree, toml_or_report};
use crate::sources::{Claim, Facts, ParseContext, SourceFile, SourceParser};
use crate::versions::Requirement;
use serde::Deserialize;
use std::collections::{BTreeMap, HashSet};
use toml::Spanned;

pub struct CargoTomlParser;
pub struct CargoLockParser;

type DepTable = BTreeMap<String, Spanned<toml::Value>>;

#[derive(Deserialize, Default)]
struct DepSections {
    #[serde(default)]
    dependencies: DepTable,
    #[serde(default, rename = "dev-dependencies")]
    dev_dependencies: DepTable,
    #[serde(default, rename = "build-dependencies")]
    build_dependencies: DepTable,
}

#[derive(Deserialize, Default)]
struct Manifest {
    #[serde(default)]
    dependencies: DepTable,
    #[serde(default, rename = "dev-dependencies")]
    dev_dependencies: DepTable,
    #[serde(default, rename = "build-dependencies")]
    build_dependencies: DepTable,
    #[serde(default)]
    target: BTreeMap<String, DepSections>,
    #[serde(default)]
    workspace: Option<Workspace>,
}

#[derive(Deserialize, Default)]
struct Workspace {
    #[serde(default)]
    dependencies: DepTable,
}

impl SourceParser for CargoTomlParser {
    fn id(&self) -> &'static str {
        "cargo-toml"
    }

    fn claim(&self, rel_path: &str, file_name: &str) -> Claim {
        if file_name == "Cargo.toml" && !in_vendored_tree(rel_path) { Claim::Yes } else { Claim::No }
    }

    fn parse(&self, src: &SourceFile, _cx: &ParseContext, out: &mut Facts) {
        let Some(m) = toml_or_report::<Manifest>(src, out, "Cargo.toml") else { return };
        let mut all: Vec<(&DepTable, bool)> =
            vec![(&m.dependencies, false), (&m.build_dependencies, false), (&m.dev_dependencies, true)];
        for t in m.target.values() {
            all.extend([(&t.dependencies, false), (&t.build_dependencies, false), (&t.dev_dependencies, true)]);
        }
        if let Some(w) = &m.workspace {
            all.push((&w.dependencies, false));
        }
        for (table, dev) in all {
            for (key, value) in table {
                out.inventory.dependencies.push(manifest_dep(src, key, value, dev));
            }
        }
    }
}

fn manifest_dep(src: &SourceFile, key: &str, value: &Spanned<toml::Value>, dev: bool) -> Dependency {
    let location = src.location(value.span());
    let mk = |name: &str| Dependency::new(Ecosystem::Cargo, name, DepSource::Manifest, location.clone()).dev(dev);
    let with_req = |dep: Dependency, req: &str| {
        let exact = Requirement::parse(Ecosystem::Cargo, req).ok().and_then(|r| r.exact());
        let dep = dep.requirement(req);
        match exact {
            Some(v) => dep.version(v),
            None => dep,
        }
    };
    match value.get_ref() {
        toml::Value::String(req) => with_req(mk(key), req),
        toml::Value::Table(t) => {
            let s = |k: &str| t.get(k).and_then(toml::Value::as_str);
            let name = s("package").unwrap_or(key);
            let mut dep = mk(name);
            if name != key {
                dep = dep.declared_as(key);
            }
            if let Some(g) = s("git") {
                dep.origin(DepOrigin::Git).requirement(g)
            } else if let Some(p) = s("path") {
                dep.origin(DepOrigin::Path).requirement(p)
            } else if t.get("workspace").and_then(toml::Value::as_bool) == Some(true) {
                dep.origin(DepOrigin::Workspace).requirement("workspace = true")
            } else if let Some(v) = s("version") {
                with_req(dep, v)
            } else {
                dep
            }
        }
        _ => mk(key),
    }
}

#[derive(Deserialize)]
struct Lock {
    #[serde(default)]
    package: Vec<LockPackage>,
}

#[derive(Deserialize)]
struct LockPackage {
    name: Spanned<String>,
    version: Spanned<String>,
    #[serde(default)]
    source: Option<String>,
    #[serde(default)]
    dependencies: Vec<String>,
}

impl SourceParser for CargoLockParser {
    fn id(&self) -> &'static str {
        "cargo-lock"
    }

    fn claim(&self, rel_path: &str, file_name: &str) -> Claim {
        if file_name == "Cargo.lock" && !in_vendored_tree(rel_path) { Claim::Yes } else { Claim::No }
    }

    fn parse(&self, src: &SourceFile, _cx: &ParseContext, out: &mut Facts) {
        let Some(lock) = toml_or_report::<Lock>(src, out, "Cargo.lock") else { return };
        // Packages without a source are the workspace's own crates; what they depend on is
        // direct. Entries read `name`, `name version` or (v1) `name version (source)`.
        let mut direct: HashSet<(String, Option<String>)> = HashSet::new();
        for p in lock.package.iter().filter(|p| p.source.is_none()) {
            for d in &p.dependencies {
                let mut f = d.split_whitespace();
                let name = f.next().unwrap_or("").to_string();
                direct.insert((name, f.next().map(str::to_string)));
            }
        }
        for p in &lock.package {
            let name = p.name.get_ref();
            let version = p.version.get_ref();
            let is_direct =
                direct.contains(&(name.clone(), None)) || direct.contains(&(name.clone(), Some(version.clone())));
            let mut dep = Dependency::new(Ecosystem::Cargo, name, DepSource::Lockfile, src.location(p.version.span()))
                .direct(is_direct);
            match p.source.as_deref() {
                None => dep = dep.origin(DepOrigin::Workspace).requirement("path"),
                Some(s) if s.starts_with("git+") => dep = dep.origin(DepOrigin::Git).requirement(s),
                Some(_) => dep = dep.version(version),
            }
            out.inventory.dependencies.push(dep);
        }
    }
}
