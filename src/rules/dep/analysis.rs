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

/// How to move a dependency to a version: a command to run, or an edit to make by hand
/// (pom.xml, Gradle, a pinned requirement), which a script can only carry as a comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UpdateCommand {
    Run(String),
    Edit(String),
}

impl UpdateCommand {
    /// The line for a shell script: the command, or the edit as a comment.
    pub fn script_line(&self) -> String {
        match self {
            UpdateCommand::Run(c) => c.clone(),
            UpdateCommand::Edit(e) => format!("# {}", e.replace('\n', " ")),
        }
    }

    /// In prose: the command in backquotes, or the edit in words.
    pub fn describe(&self) -> String {
        match self {
            UpdateCommand::Run(c) => format!("`{c}`"),
            UpdateCommand::Edit(e) => e.clone(),
        }
    }
}

/// A word for a shell command line: as is when it is only safe characters, else quoted.
fn sh(word: &str) -> String {
    let safe = |c: char| c.is_ascii_alphanumeric() || "@/._:+-=^,~".contains(c);
    if !word.is_empty() && word.chars().all(safe) {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

/// What moves `dep` (a lock entry or an exact manifest pin) to `version`, in the file's own
/// tool. `in_range`: the manifest's range already allows the version, so only the lock moves
/// (`npm update`); otherwise the command changes the manifest too (`npm install x@v`).
pub fn update_command(dep: &Dependency, version: &str, in_range: bool) -> UpdateCommand {
    use UpdateCommand::{Edit, Run};
    let name = dep.name.as_str();
    let v = version.trim_start_matches('v');
    let file = dep.file_name();
    let at = |sep: &str| sh(&format!("{name}{sep}{v}"));
    match (dep.ecosystem, file) {
        (_, "package-lock.json" | "npm-shrinkwrap.json") if in_range => Run(format!("npm update {}", sh(name))),
        (_, "package-lock.json" | "npm-shrinkwrap.json" | "package.json") => Run(format!("npm install {}", at("@"))),
        (_, "yarn.lock") if in_range => Run(format!("yarn up {}  # yarn classic: yarn upgrade {}", sh(name), sh(name))),
        (_, "yarn.lock") => Run(format!("yarn add {}", at("@"))),
        (_, "pnpm-lock.yaml") if in_range => Run(format!("pnpm update {}", sh(name))),
        (_, "pnpm-lock.yaml") => Run(format!("pnpm add {}", at("@"))),
        (_, "poetry.lock") if in_range => Run(format!("poetry update {}", sh(name))),
        (_, "poetry.lock") => Run(format!("poetry add {}", at(">="))),
        (_, "uv.lock") if in_range => Run(format!("uv lock --upgrade-package {}", sh(name))),
        (_, "uv.lock") => Run(format!("uv add {}", at(">="))),
        (_, "Pipfile.lock") if in_range => Run(format!("pipenv update {}", sh(name))),
        (_, "Pipfile.lock" | "Pipfile") => Run(format!("pipenv install {}", at(">="))),
        (Ecosystem::Pypi, f) if f.ends_with(".txt") || f.ends_with(".in") => {
            Edit(format!("{f}: change the {name} requirement to {name}=={v}, then pip install -r {f}"))
        }
        (Ecosystem::Pypi, _) => Run(format!("pip install {}", at("=="))),
        (Ecosystem::Go, _) => Run(format!("go get {} && go mod tidy", sh(&format!("{name}@{version}")))),
        (_, "Cargo.lock") if in_range => Run(format!("cargo update -p {} --precise {}", sh(name), sh(v))),
        (Ecosystem::Cargo, _) => Run(format!("cargo add {}", at("@"))),
        (_, "Gemfile.lock" | "gems.locked") if in_range => Run(format!("bundle update {} --conservative", sh(name))),
        (Ecosystem::Rubygems, _) => {
            Edit(format!("Gemfile: require {name} '>= {v}', then run bundle update {name} --conservative"))
        }
        (_, "composer.lock") if in_range => Run(format!("composer update {}", sh(name))),
        (Ecosystem::Packagist, _) => Run(format!("composer require {}", at(":^"))),
        (Ecosystem::Nuget, "Directory.Packages.props") => {
            Edit(format!("Directory.Packages.props: set <PackageVersion Include=\"{name}\" Version=\"{v}\" />"))
        }
        (Ecosystem::Nuget, _) => Run(format!("dotnet add package {} --version {}", sh(name), sh(v))),
        (Ecosystem::Maven, "pom.xml") => Edit(format!("pom.xml: set the version of {name} to {version}")),
        (Ecosystem::Maven, f) => Edit(format!(
            "{f}: set {name} to {version}, then refresh the lock with ./gradlew dependencies --write-locks"
        )),
        (eco, f) => Edit(format!("{f}: set {name} to {version} ({eco})")),
    }
}

/// Every kind of file `update_command` knows, per ecosystem (the tests check each line it
/// gives is valid shell).
#[cfg(test)]
pub const UPDATE_FILE_KINDS: &[(Ecosystem, &str)] = &[
    (Ecosystem::Npm, "package-lock.json"),
    (Ecosystem::Npm, "npm-shrinkwrap.json"),
    (Ecosystem::Npm, "package.json"),
    (Ecosystem::Npm, "yarn.lock"),
    (Ecosystem::Npm, "pnpm-lock.yaml"),
    (Ecosystem::Pypi, "poetry.lock"),
    (Ecosystem::Pypi, "uv.lock"),
    (Ecosystem::Pypi, "Pipfile.lock"),
    (Ecosystem::Pypi, "Pipfile"),
    (Ecosystem::Pypi, "requirements.txt"),
    (Ecosystem::Pypi, "requirements-dev.in"),
    (Ecosystem::Pypi, "pyproject.toml"),
    (Ecosystem::Go, "go.mod"),
    (Ecosystem::Cargo, "Cargo.lock"),
    (Ecosystem::Cargo, "Cargo.toml"),
    (Ecosystem::Rubygems, "Gemfile.lock"),
    (Ecosystem::Rubygems, "gems.locked"),
    (Ecosystem::Rubygems, "Gemfile"),
    (Ecosystem::Packagist, "composer.lock"),
    (Ecosystem::Packagist, "composer.json"),
    (Ecosystem::Nuget, "packages.lock.json"),
    (Ecosystem::Nuget, "Basket.Api.csproj"),
    (Ecosystem::Nuget, "Directory.Packages.props"),
    (Ecosystem::Maven, "pom.xml"),
    (Ecosystem::Maven, "gradle.lockfile"),
    (Ecosystem::Maven, "build.gradle.kts"),
    (Ecosystem::Maven, "libs.versions.toml"),
];

pub fn evidence_note(risk: &Risk) -> &'static str {
    use crate::knowledge::clients::Evidence::*;
    match risk.evidence {
        Run => "seen against a real Valkey server",
        Code => "read in the library's source",
        Thread => "reported in a public issue",
        Unverified => "UNVERIFIED: a lead, not checked",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::DepSource;
    use crate::location::Location;

    /// Every line `update_command` can produce, for every file kind and both cases, parses as
    /// shell (`sh -n`), also with package names that need quoting.
    #[test]
    fn every_update_line_is_valid_shell() {
        let mut script = String::from("set -eu\n");
        let mut lines = 0;
        for (eco, file) in UPDATE_FILE_KINDS {
            for name in ["redis", "@redis/client", "StackExchange.Redis", "io.lettuce:lettuce-core", "we'ird name"] {
                for in_range in [true, false] {
                    let dep =
                        Dependency::new(*eco, name, DepSource::Lockfile, Location::file_only(format!("svc/{file}")));
                    let update = update_command(&dep, "v2.12.27", in_range);
                    let line = update.script_line();
                    assert!(!line.contains('\n'), "{line}");
                    if let UpdateCommand::Run(cmd) = &update {
                        assert!(!cmd.starts_with("update ") && !cmd.starts_with("set "), "not a command: {cmd}");
                    }
                    // Each line alone, and chained as the plan's script chains them.
                    let out = std::process::Command::new("sh").args(["-n", "-c", &line]).output().unwrap();
                    assert!(out.status.success(), "{eco}/{file}: `{line}`: {}", String::from_utf8_lossy(&out.stderr));
                    script.push_str(&format!("(\n  cd svc\n  {line}\n)\n"));
                    lines += 1;
                }
            }
        }
        let out = std::process::Command::new("sh").args(["-n", "-c", &script]).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        assert!(lines >= 200);
    }

    #[test]
    fn a_project_file_without_a_lock_gets_a_real_command() {
        let csproj = Dependency::new(
            Ecosystem::Nuget,
            "StackExchange.Redis",
            DepSource::Manifest,
            Location::file_only("src/Api/Api.csproj"),
        );
        assert_eq!(
            update_command(&csproj, "2.12.27", false),
            UpdateCommand::Run("dotnet add package StackExchange.Redis --version 2.12.27".into())
        );
        let pom = Dependency::new(
            Ecosystem::Maven,
            "io.lettuce:lettuce-core",
            DepSource::Manifest,
            Location::file_only("pom.xml"),
        );
        assert_eq!(
            update_command(&pom, "7.7.0.RELEASE", false).script_line(),
            "# pom.xml: set the version of io.lettuce:lettuce-core to 7.7.0.RELEASE"
        );
        let lock =
            Dependency::new(Ecosystem::Npm, "ioredis", DepSource::Lockfile, Location::file_only("package-lock.json"));
        assert_eq!(update_command(&lock, "5.8.2", true).describe(), "`npm update ioredis`");
        assert_eq!(update_command(&lock, "6.0.0", false).describe(), "`npm install ioredis@6.0.0`");
    }
}
