//! Joins lock-file entries with the manifest lines that declare them, and tells which
//! version of each client a project really runs.

use crate::inventory::{DepSource, Dependency, Ecosystem, Inventory};
use crate::knowledge::clients::{Client, Clients, Risk};
use std::collections::{HashMap, HashSet};

/// A dependency that is a known client, with the version that runs.
pub struct Resolved<'a> {
    pub dep: &'a Dependency,
    pub client: &'a Client,
    pub version: &'a str,
    /// The manifest line that declares it (lock entries), when one does.
    pub manifest: Option<&'a Dependency>,
}

pub struct Index<'a> {
    pub clients: &'a Clients,
    /// (ecosystem, normalised name) → lock entries.
    locks: HashMap<(Ecosystem, String), Vec<&'a Dependency>>,
    /// (ecosystem, normalised name) → manifest entries.
    manifests: HashMap<(Ecosystem, String), Vec<&'a Dependency>>,
}

fn key(d: &Dependency) -> (Ecosystem, String) {
    (d.ecosystem, d.ecosystem.normalize_name(&d.name))
}

/// `dir` is `ancestor` or below it.
pub fn is_within(dir: &str, ancestor: &str) -> bool {
    ancestor.is_empty() || dir == ancestor || dir.strip_prefix(ancestor).is_some_and(|r| r.starts_with('/'))
}

impl<'a> Index<'a> {
    pub fn new(inventory: &'a Inventory, clients: &'a Clients) -> Self {
        let mut locks: HashMap<_, Vec<_>> = HashMap::new();
        let mut manifests: HashMap<_, Vec<_>> = HashMap::new();
        // Only dependencies the client table knows are indexed: a monorepo lock holds
        // hundreds of thousands of packages, and rules look at a few dozen names.
        for d in &inventory.dependencies {
            if clients.client_for(d).is_none() && clients.module_client_for(d).is_none() {
                continue;
            }
            match d.source {
                DepSource::Lockfile => locks.entry(key(d)).or_default().push(d),
                DepSource::Manifest => manifests.entry(key(d)).or_default().push(d),
            }
        }
        Index { clients, locks, manifests }
    }

    /// The lock entries that resolve a manifest line (same or ancestor directory).
    pub fn locks_for(&self, manifest: &Dependency) -> Vec<&'a Dependency> {
        self.locks
            .get(&key(manifest))
            .map(|v| v.iter().copied().filter(|l| is_within(manifest.dir(), l.dir())).collect())
            .unwrap_or_default()
    }

    /// The manifest line declaring a lock entry: in the lock's directory, else a workspace
    /// member below it.
    pub fn manifest_for(&self, lock: &Dependency) -> Option<&'a Dependency> {
        let candidates = self.manifests.get(&key(lock))?;
        let alias_ok = |m: &&Dependency| m.declared_as == lock.declared_as || lock.declared_as.is_none();
        candidates
            .iter()
            .copied()
            .filter(alias_ok)
            .filter(|m| is_within(m.dir(), lock.dir()))
            .min_by_key(|m| (m.dir() != lock.dir(), m.dev, m.location.file.len()))
    }

    pub fn manifests(&self) -> impl Iterator<Item = &'a Dependency> + '_ {
        self.manifests.values().flatten().copied()
    }

    pub fn all_indexed(&self) -> impl Iterator<Item = &'a Dependency> + '_ {
        self.manifests.values().flatten().chain(self.locks.values().flatten()).copied()
    }

    /// Every place a client version really runs: lock entries, and exact manifest pins that
    /// no lock file resolves (go.mod, pom.xml, *.csproj without packages.lock.json, …).
    pub fn resolved(&self) -> Vec<Resolved<'a>> {
        let mut out = Vec::new();
        for d in self.locks.values().flatten().chain(self.manifests.values().flatten()) {
            let (Some(version), None) = (d.version.as_deref(), d.origin) else { continue };
            let Some(client) = self.clients.client_for(d) else { continue };
            let manifest = match d.source {
                DepSource::Lockfile => self.manifest_for(d),
                DepSource::Manifest => {
                    if !self.locks_for(d).is_empty() {
                        continue;
                    }
                    None
                }
            };
            out.push(Resolved { dep: d, client, version, manifest });
        }
        out.sort_by(|a, b| a.dep.location.cmp(&b.dep.location));
        out
    }
}

/// Resolved entries with the risks that hold at their version. Transitive lock entries of a
/// client whose direct entry in the same file is affected by the same risk are dropped:
/// `redis` and the `@redis/client` it pulls are one problem, not two.
pub fn affected<'a>(index: &Index<'a>) -> Vec<(Resolved<'a>, Vec<&'a Risk>)> {
    let resolved = index.resolved();
    let mut direct_hits: HashSet<(&str, &str, &str)> = HashSet::new();
    let mut rows = Vec::new();
    for r in resolved {
        let risks: Vec<&Risk> = r.client.risks_at(r.version).collect();
        if risks.is_empty() {
            continue;
        }
        if r.dep.direct || r.manifest.is_some() {
            for risk in &risks {
                direct_hits.insert((r.dep.location.file.as_str(), r.client.id.as_str(), risk.id.as_str()));
            }
        }
        rows.push((r, risks));
    }
    rows.into_iter()
        .filter_map(|(r, risks)| {
            if r.dep.direct || r.manifest.is_some() {
                return Some((r, risks));
            }
            let kept: Vec<&Risk> = risks
                .into_iter()
                .filter(|risk| {
                    !direct_hits.contains(&(r.dep.location.file.as_str(), r.client.id.as_str(), risk.id.as_str()))
                })
                .collect();
            (!kept.is_empty()).then_some((r, kept))
        })
        .collect()
}

/// The one-line command that moves a lock file to `version`, in the lock's own tool.
pub fn update_command(lock: &Dependency, version: &str) -> String {
    let name = &lock.name;
    let v = version.trim_start_matches('v');
    match (lock.ecosystem, lock.file_name()) {
        (_, "package-lock.json" | "npm-shrinkwrap.json") => format!("npm update {name}"),
        (_, "yarn.lock") => format!("yarn up {name}   (yarn classic: yarn upgrade {name})"),
        (_, "pnpm-lock.yaml") => format!("pnpm update {name}"),
        (_, "poetry.lock") => format!("poetry update {name}"),
        (_, "uv.lock") => format!("uv lock --upgrade-package {name}"),
        (_, "Pipfile.lock") => format!("pipenv update {name}"),
        (Ecosystem::Pypi, _) => format!("pip install '{name}=={v}'"),
        (Ecosystem::Go, _) => format!("go get {name}@{version} && go mod tidy"),
        (_, "Cargo.lock") => format!("cargo update -p {name}"),
        (_, "Gemfile.lock" | "gems.locked") => format!("bundle update {name} --conservative"),
        (_, "composer.lock") => format!("composer update {name}"),
        (_, "packages.lock.json") => format!("dotnet add package {name} --version {v}"),
        (Ecosystem::Maven, _) => {
            format!("set {name} to {version} (then refresh the lock: gradle dependencies --write-locks)")
        }
        (eco, _) => format!("update {name} to {version} ({eco})"),
    }
}

/// What a risk's condition means for the wording: stated, not asserted.
pub fn condition_clause(risk: &Risk) -> String {
    match risk.applies {
        crate::knowledge::clients::Applies::Default => format!("— the default behaviour: {}", risk.condition),
        crate::knowledge::clients::Applies::Conditional => {
            format!("— this happens {}; check whether your code does that", risk.condition)
        }
    }
}

pub fn evidence_note(risk: &Risk) -> &'static str {
    use crate::knowledge::clients::Evidence::*;
    match risk.evidence {
        Run => "seen against a real Valkey server",
        Code => "read in the library's source",
        Thread => "reported in a public issue",
        Unverified => "UNVERIFIED: a lead, not checked",
    }
}
