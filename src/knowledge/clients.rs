//! The client-library table (`rules/clients.toml`): which packages are Redis or Valkey
//! clients, the version bands in which they misbehave on Valkey, and the module client
//! libraries. Every version in the file is checked against its ecosystem's ordering at load
//! time, so a typo cannot silently turn into a wrong finding.

use super::{Knowledge, KnowledgeError};
use crate::findings::Severity;
use crate::inventory::{Dependency, Ecosystem, Feature};
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ClientKind {
    Client,
    ValkeyNative,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Applies {
    Default,
    Conditional,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Evidence {
    Run,
    Code,
    Thread,
    Unverified,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CompatEffect {
    Fixes,
    NoEffect,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Match {
    #[default]
    Exact,
    /// Go module paths with a major-version suffix (`…/v4`).
    Prefix,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Risk {
    pub id: String,
    pub introduced: String,
    /// The first release without the problem.
    #[serde(default)]
    pub fixed: Option<String>,
    /// Where the band ends because a different risk takes over (not a fix).
    #[serde(default)]
    pub until: Option<String>,
    pub severity: Severity,
    pub applies: Applies,
    pub condition: String,
    pub effect: String,
    #[serde(default)]
    pub workaround: Option<String>,
    /// The workaround for code that uses a feature (`cluster`: the cluster client's options),
    /// said instead of `workaround` when the code shows the feature.
    #[serde(default)]
    pub workaround_when: BTreeMap<Feature, String>,
    /// Client features (`client_features` facts) any of which makes a conditional risk happen.
    #[serde(default)]
    pub needs: Vec<Feature>,
    /// Client features any of which switches the behaviour off.
    #[serde(default)]
    pub avoided_by: Vec<Feature>,
    pub extended_redis_compatibility: CompatEffect,
    pub evidence: Evidence,
    pub sources: Vec<String>,
}

/// A Valkey-native client to move to, with what the move means for this client's code.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Alternative {
    /// The id of a `valkey-native` client.
    pub id: String,
    /// What changes in the code when moving from this client to that one.
    pub migration: String,
    pub source: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Client {
    pub id: String,
    pub ecosystem: Ecosystem,
    pub packages: Vec<String>,
    #[serde(default, rename = "match")]
    pub matching: Match,
    pub display: String,
    pub kind: ClientKind,
    #[serde(default)]
    pub latest: Option<String>,
    #[serde(default)]
    pub retracted: Vec<String>,
    #[serde(default)]
    pub alternatives: Vec<Alternative>,
    #[serde(default)]
    pub notes: Option<String>,
    pub source: String,
    #[serde(default, rename = "risk")]
    pub risks: Vec<Risk>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Module {
    pub id: String,
    pub display: String,
    #[serde(default)]
    pub valkey_module: Option<String>,
    pub coverage: String,
    pub source: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModuleClient {
    pub ecosystem: Ecosystem,
    pub packages: Vec<String>,
    #[serde(default, rename = "match")]
    pub matching: Match,
    pub modules: Vec<String>,
    pub source: String,
}

/// A driver line that a BOM or parent POM version sets for dependencies declared without a
/// version (Spring Boot's parent and Lettuce).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Managed {
    pub boms: Vec<String>,
    pub from: String,
    #[serde(default)]
    pub until: Option<String>,
    /// Dependencies whose driver this row sets (the starter, the library, the driver itself).
    pub packages: Vec<String>,
    /// The client id whose risks apply.
    pub client: String,
    pub version: String,
    pub line: String,
    pub evidence: Evidence,
    pub sources: Vec<String>,
}

impl Managed {
    /// Whether this row holds for a dependency managed by `bom` at `bom_version`.
    pub fn applies(&self, bom: &str, bom_version: &str) -> bool {
        self.boms.iter().any(|b| b == bom)
            && crate::versions::in_band(Ecosystem::Maven, bom_version, &self.from, self.until.as_deref()) == Some(true)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Clients {
    #[serde(rename = "client")]
    pub clients: Vec<Client>,
    #[serde(rename = "module")]
    pub modules: Vec<Module>,
    #[serde(rename = "module_client")]
    pub module_clients: Vec<ModuleClient>,
    #[serde(default)]
    pub managed: Vec<Managed>,
    /// Exact package names → (is module client, index): rules look up every dependency of a
    /// monorepo lock file, so a lookup must not scan the table.
    #[serde(skip)]
    exact: std::sync::OnceLock<std::collections::HashMap<(Ecosystem, String), (bool, usize)>>,
}

fn matches(eco: Ecosystem, patterns: &[String], how: Match, dep_eco: Ecosystem, name: &str) -> bool {
    if eco != dep_eco {
        return false;
    }
    let norm = eco.normalize_name(name);
    patterns.iter().any(|p| {
        let p = eco.normalize_name(p);
        match how {
            Match::Exact => p == norm,
            Match::Prefix => norm == p || norm.starts_with(&format!("{p}/")),
        }
    })
}

impl Risk {
    /// Whether `version` lies in this risk's band; `None` when it is not a version.
    pub fn affects(&self, eco: Ecosystem, version: &str) -> Option<bool> {
        crate::versions::in_band(eco, version, &self.introduced, self.fixed.as_deref().or(self.until.as_deref()))
    }

    /// Knowledge we could not check ourselves never makes more than an info.
    pub fn effective_severity(&self) -> Severity {
        if self.evidence == Evidence::Unverified { Severity::Info } else { self.severity }
    }
}

impl Client {
    /// Whether `dep` is this client's package.
    pub fn is_package_of(&self, dep: &Dependency) -> bool {
        matches(self.ecosystem, &self.packages, self.matching, dep.ecosystem, &dep.name)
    }

    /// The risks whose band holds `version`.
    pub fn risks_at<'a>(&'a self, version: &'a str) -> impl Iterator<Item = &'a Risk> + 'a {
        self.risks.iter().filter(move |r| r.affects(self.ecosystem, version) == Some(true))
    }

    /// The lowest known release above `version` that no risk affects (a risk's `fixed`
    /// version or the latest release), if any.
    pub fn safe_upgrade(&self, version: &str) -> Option<String> {
        let eco = self.ecosystem;
        let mut candidates: Vec<&String> =
            self.risks.iter().filter_map(|r| r.fixed.as_ref()).chain(&self.latest).collect();
        candidates.sort_by(|a, b| crate::versions::compare(eco, a, b).unwrap_or(std::cmp::Ordering::Equal));
        candidates
            .into_iter()
            .filter(|c| crate::versions::compare(eco, c, version) == Some(std::cmp::Ordering::Greater))
            .find(|c| self.risks_at(c).next().is_none() && !self.retracted.contains(c))
            .cloned()
    }
}

impl Clients {
    pub(super) fn load(knowledge: &Knowledge) -> Result<Self, KnowledgeError> {
        let clients: Clients = knowledge.parse_toml("clients.toml")?;
        clients.validate().map_err(|message| KnowledgeError {
            message: format!("{}: {message}", knowledge.origin("clients.toml")),
            origin: knowledge.origin("clients.toml"),
            location: None,
            help: Some("versions are written in the ecosystem's own syntax; ids must be unique".into()),
        })?;
        Ok(clients)
    }

    fn validate(&self) -> Result<(), String> {
        let mut ids = std::collections::HashSet::new();
        for c in &self.clients {
            if !ids.insert(c.id.as_str()) {
                return Err(format!("client id `{}` is used twice", c.id));
            }
            let eco = c.ecosystem;
            let check = |v: &str, what: &str| {
                if v == "0" || crate::versions::is_version(eco, v) {
                    Ok(())
                } else {
                    Err(format!("client `{}`: {what} `{v}` is not a {eco} version", c.id))
                }
            };
            for v in c.latest.iter().chain(&c.retracted) {
                check(v, "version")?;
            }
            for r in &c.risks {
                check(&r.introduced, "introduced")?;
                for f in r.fixed.iter().chain(&r.until) {
                    check(f, "fixed/until")?;
                }
                if r.sources.is_empty() {
                    return Err(format!("client `{}` risk `{}` has no source", c.id, r.id));
                }
                if !r.needs.is_empty() && r.applies != Applies::Conditional {
                    return Err(format!("client `{}` risk `{}`: `needs` is for conditional risks", c.id, r.id));
                }
                let starts = ["only when ", "only with ", "only if ", "only on "];
                if r.applies == Applies::Conditional && !starts.iter().any(|s| r.condition.starts_with(s)) {
                    return Err(format!(
                        "client `{}` risk `{}`: a conditional risk's condition starts with \"only when/with/if/on\" (it follows \"this happens\")",
                        c.id, r.id
                    ));
                }
            }
        }
        for c in &self.clients {
            for alt in c.alternatives.iter().map(|a| &a.id) {
                if !self.clients.iter().any(|o| &o.id == alt && o.kind == ClientKind::ValkeyNative) {
                    return Err(format!("client `{}`: alternative `{alt}` is not a valkey-native client id", c.id));
                }
            }
        }
        for m in &self.managed {
            let client = self.by_id(&m.client).ok_or(format!("managed row: unknown client `{}`", m.client))?;
            for v in [&m.from, &m.version].into_iter().chain(&m.until) {
                if !crate::versions::is_version(Ecosystem::Maven, v) {
                    return Err(format!("managed row for {}: `{v}` is not a maven version", client.id));
                }
            }
            if m.sources.is_empty() {
                return Err(format!("managed row for {} has no source", client.id));
            }
        }
        for mc in &self.module_clients {
            for m in &mc.modules {
                if !self.modules.iter().any(|x| &x.id == m) {
                    return Err(format!("module client {:?}: unknown module `{m}`", mc.packages));
                }
            }
        }
        Ok(())
    }

    fn exact_index(&self) -> &std::collections::HashMap<(Ecosystem, String), (bool, usize)> {
        self.exact.get_or_init(|| {
            let mut m = std::collections::HashMap::new();
            for (i, c) in self.clients.iter().enumerate().filter(|(_, c)| c.matching == Match::Exact) {
                for p in &c.packages {
                    m.entry((c.ecosystem, c.ecosystem.normalize_name(p))).or_insert((false, i));
                }
            }
            for (i, c) in self.module_clients.iter().enumerate().filter(|(_, c)| c.matching == Match::Exact) {
                for p in &c.packages {
                    m.entry((c.ecosystem, c.ecosystem.normalize_name(p))).or_insert((true, i));
                }
            }
            m
        })
    }

    fn lookup(&self, dep: &Dependency, module: bool) -> Option<usize> {
        let key = (dep.ecosystem, dep.ecosystem.normalize_name(&dep.name));
        if let Some(&(is_module, i)) = self.exact_index().get(&key)
            && is_module == module
        {
            return Some(i);
        }
        if module {
            self.module_clients.iter().position(|c| {
                c.matching == Match::Prefix && matches(c.ecosystem, &c.packages, c.matching, dep.ecosystem, &dep.name)
            })
        } else {
            self.clients.iter().position(|c| {
                c.matching == Match::Prefix && matches(c.ecosystem, &c.packages, c.matching, dep.ecosystem, &dep.name)
            })
        }
    }

    pub fn client_for(&self, dep: &Dependency) -> Option<&Client> {
        self.lookup(dep, false).map(|i| &self.clients[i])
    }

    pub fn by_id(&self, id: &str) -> Option<&Client> {
        self.clients.iter().find(|c| c.id == id)
    }

    pub fn module_client_for(&self, dep: &Dependency) -> Option<&ModuleClient> {
        self.lookup(dep, true).map(|i| &self.module_clients[i])
    }

    pub fn module(&self, id: &str) -> Option<&Module> {
        self.modules.iter().find(|m| m.id == id)
    }

    pub fn valkey_native(&self, eco: Ecosystem) -> impl Iterator<Item = &Client> {
        self.clients.iter().filter(move |c| c.ecosystem == eco && c.kind == ClientKind::ValkeyNative)
    }
}

impl crate::knowledge::View for Clients {
    fn build(knowledge: &crate::knowledge::Knowledge) -> Result<Self, crate::knowledge::KnowledgeError> {
        Clients::load(knowledge)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_table_loads_and_validates() {
        let k = Knowledge::embedded().unwrap();
        let c = k.clients().unwrap();
        assert!(c.clients.len() >= 20);
        let lettuce = c.by_id("lettuce").unwrap();
        assert_eq!(lettuce.risks[0].affects(Ecosystem::Maven, "7.7.0.RELEASE"), Some(true));
        assert_eq!(lettuce.risks[0].affects(Ecosystem::Maven, "6.8.1.RELEASE"), Some(false));
        let se = c.by_id("stackexchange-redis").unwrap();
        assert_eq!(se.risks[0].affects(Ecosystem::Nuget, "2.8.16"), Some(true));
        assert_eq!(se.risks[0].affects(Ecosystem::Nuget, "2.12.27"), Some(false));
    }

    #[test]
    fn a_bad_version_is_refused() {
        let mut c: Clients = toml::from_str(Knowledge::embedded().unwrap().file("clients.toml").unwrap()).unwrap();
        c.clients[0].risks[0].introduced = "six".into();
        assert!(c.validate().unwrap_err().contains("`six` is not a npm version"));
    }
}

/// The captured handshakes (`rules/handshakes/`, written by scripts/capture-handshakes from
/// real clients and real Valkey servers) must agree with the table: a client that sent the
/// maintenance probe is in a maintenance band, and one that did not is not in a default band.
#[cfg(test)]
mod handshake_tests {
    use super::*;

    #[derive(Deserialize)]
    struct Capture {
        ecosystem: Ecosystem,
        package: String,
        version: String,
        options: String,
        capture: Vec<Run>,
    }

    #[derive(Deserialize)]
    struct Run {
        server: String,
        exchange: Vec<Exchange>,
    }

    #[derive(Deserialize)]
    struct Exchange {
        command: Vec<String>,
    }

    #[test]
    fn captures_back_the_maintenance_bands() {
        let k = Knowledge::embedded().unwrap();
        let clients = k.clients().unwrap();
        let mut checked = 0;
        for (path, text) in k.files_under("handshakes/") {
            let cap: Capture = toml::from_str(text).unwrap_or_else(|e| panic!("{path}: {e}"));
            let dep = Dependency::new(
                cap.ecosystem,
                &cap.package,
                crate::inventory::DepSource::Lockfile,
                crate::location::Location::file_only("x"),
            );
            let Some(client) = clients.client_for(&dep) else { continue };
            let bands: Vec<&Risk> =
                client.risks_at(&cap.version).filter(|r| r.id.starts_with("maint-notifications-probe")).collect();
            assert_eq!(cap.capture.len(), 2, "{path}: one capture per Valkey version");
            for run in &cap.capture {
                let probed = run
                    .exchange
                    .iter()
                    .any(|e| e.command.len() > 1 && e.command[1].eq_ignore_ascii_case("MAINT_NOTIFICATIONS"));
                let default_band = bands.iter().any(|r| r.applies == Applies::Default);
                let conditional_band = bands.iter().any(|r| r.applies == Applies::Conditional);
                assert!(
                    !probed || default_band || conditional_band,
                    "{path} on {}: probe sent outside any band",
                    run.server
                );
                assert!(
                    probed || !default_band,
                    "{path} on {}: no probe although the table says it is the default",
                    run.server
                );
                if conditional_band && !default_band {
                    assert!(
                        probed == (cap.options.contains("RESP: 3") || cap.options.contains("protocol=3")),
                        "{path}: conditional band"
                    );
                }
                checked += 1;
            }
        }
        assert!(checked >= 20, "only {checked} captures checked");
    }
}
