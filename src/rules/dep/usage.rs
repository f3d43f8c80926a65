//! What the code shows about the features a client risk depends on: the `client_features`
//! facts of the code scanner (and Sentinel or cluster server configs), matched with a risk's
//! `needs` and `avoided_by`, decide whether a conditional risk is definite, absent or
//! switched off.

use super::analysis::is_within;
use crate::findings::Severity;
use crate::inventory::{Feature, Inventory, ServerConfigKind};
use crate::knowledge::clients::{Applies, Client, Risk};
use crate::location::Location;

/// One place that shows a feature.
#[derive(Debug, Clone)]
pub struct Seen {
    pub feature: Feature,
    /// The option or setting as written: `cache_config=`, `sentinel monitor basket …`.
    pub what: String,
    pub location: Location,
}

impl Seen {
    fn cite(&self) -> String {
        format!("`{}` at {}:{}", self.what, self.location.file, self.location.line)
    }

    /// The note a finding attaches to the place.
    pub fn note(&self) -> String {
        format!("{} here (`{}`)", self.feature.describe(), self.what)
    }
}

#[derive(Debug, Clone)]
pub enum Trigger {
    /// The code cannot answer: a default behaviour, or a condition the scanner does not look for.
    Unknown,
    /// The code does what the condition names.
    Shown(Vec<Seen>),
    /// The scanned code shows none of what the condition names.
    Absent,
    /// The code switches the behaviour off (for a conditional risk: after turning it on).
    Avoided { shown: Vec<Seen>, avoided: Vec<Seen> },
}

/// The places that show any of `features` for `client`: code in the project's directory
/// first, else anywhere in the repository; Sentinel and cluster server configs anywhere (they
/// describe the deployment, not one project).
fn seen(inv: &Inventory, client: &Client, features: &[Feature], project_dir: &str) -> Vec<Seen> {
    let code: Vec<Seen> = inv
        .client_features
        .iter()
        .filter(|f| features.contains(&f.feature) && f.clients.iter().any(|c| c == &client.id))
        .map(|f| Seen { feature: f.feature, what: f.option.clone(), location: f.location.clone() })
        .collect();
    let local: Vec<Seen> = code
        .iter()
        .filter(|s| is_within(crate::location::parent_dir(&s.location.file), project_dir))
        .cloned()
        .collect();
    // Code outside the project's directory counts (requirements/base.txt beside app/), unless
    // it belongs to another project that uses the same client (a monorepo's other service).
    let others: Vec<&str> = inv
        .dependencies
        .iter()
        .filter(|d| client.is_package_of(d) && !is_within(project_dir, d.dir()))
        .map(|d| d.dir())
        .collect();
    let mut out = if local.is_empty() {
        code.into_iter()
            .filter(|s| !others.iter().any(|o| is_within(crate::location::parent_dir(&s.location.file), o)))
            .collect()
    } else {
        local
    };
    // Code first, in file order: it is what a reader changes; deployment files after.
    out.sort_by(|a, b| a.location.cmp(&b.location));
    for config in &inv.server_configs {
        let directive = match config.kind {
            ServerConfigKind::Sentinel if features.contains(&Feature::Sentinel) => config
                .directives
                .iter()
                .find(|d| d.name == "sentinel" && d.arg_values().next() == Some("monitor"))
                .map(|d| (Feature::Sentinel, d)),
            ServerConfigKind::Server if features.contains(&Feature::Cluster) => config
                .directives
                .iter()
                .find(|d| d.name == "cluster-enabled" && d.arg_values().next() == Some("yes"))
                .map(|d| (Feature::Cluster, d)),
            _ => None,
        };
        if let Some((feature, d)) = directive {
            out.push(Seen { feature, what: d.text.clone(), location: d.location(&config.file) });
        }
    }
    out
}

/// How the code stands to `risk` of `client`, for a dependency of the project at `project_dir`.
pub fn trigger(inv: &Inventory, client: &Client, risk: &Risk, project_dir: &str) -> Trigger {
    let avoided =
        if risk.avoided_by.is_empty() { Vec::new() } else { seen(inv, client, &risk.avoided_by, project_dir) };
    match risk.applies {
        Applies::Default if avoided.is_empty() => Trigger::Unknown,
        Applies::Default => Trigger::Avoided { shown: Vec::new(), avoided },
        Applies::Conditional if risk.needs.is_empty() => Trigger::Unknown,
        Applies::Conditional => {
            let shown = seen(inv, client, &risk.needs, project_dir);
            if shown.is_empty() {
                Trigger::Absent
            } else if avoided.is_empty() {
                Trigger::Shown(shown)
            } else {
                Trigger::Avoided { shown, avoided }
            }
        }
    }
}

impl Trigger {
    /// The risk's severity once the code is taken into account: what the code does not do, or
    /// switches off, is worth an info.
    pub fn severity(&self, risk: &Risk) -> Severity {
        match self {
            Trigger::Unknown | Trigger::Shown(_) => risk.effective_severity(),
            Trigger::Absent | Trigger::Avoided { .. } => Severity::Info,
        }
    }

    /// Every place worth pointing at, with its note.
    pub fn places(&self) -> Vec<&Seen> {
        match self {
            Trigger::Unknown | Trigger::Absent => Vec::new(),
            Trigger::Shown(s) => s.iter().collect(),
            Trigger::Avoided { shown, avoided } => shown.iter().chain(avoided).collect(),
        }
    }

    /// The sentence about the risk's condition, after its effect: always a sentence, whatever
    /// the code shows.
    pub fn clause(&self, risk: &Risk) -> String {
        let cites = |s: &[Seen]| s.iter().take(3).map(Seen::cite).collect::<Vec<_>>().join(", ");
        match (risk.applies, self) {
            (Applies::Default, Trigger::Avoided { avoided, .. }) => format!(
                "— the default behaviour: {}; your code switches it off ({}), so only clients created without that option still do it",
                risk.condition,
                cites(avoided)
            ),
            (Applies::Default, _) => format!("— the default behaviour: {}", risk.condition),
            (Applies::Conditional, Trigger::Unknown) => {
                format!("— this happens {}; check whether your code does that", risk.condition)
            }
            (Applies::Conditional, Trigger::Shown(shown)) => {
                format!("— this happens {}, and this repository does that: {}", risk.condition, cites(shown))
            }
            (Applies::Conditional, Trigger::Absent) => {
                let looked: Vec<&str> = risk.needs.iter().map(|f| f.describe()).collect();
                format!(
                    "— this happens {}, and the scanned code shows no {}: nothing in this repository triggers it unless configuration outside the code does",
                    risk.condition,
                    looked.join(" or ")
                )
            }
            (Applies::Conditional, Trigger::Avoided { shown, avoided }) => format!(
                "— this happens {}; this repository does that ({}) but switches the behaviour off ({})",
                risk.condition,
                cites(shown),
                cites(avoided)
            ),
        }
    }

    /// The workaround to give, naming the option to change and where: for a feature the code
    /// shows, that feature's workaround when the risk has one.
    pub fn workaround(&self, inv: &Inventory, client: &Client, risk: &Risk, project_dir: &str) -> Option<String> {
        let general = risk.workaround.clone();
        match self {
            Trigger::Unknown => default_workaround(inv, client, risk, project_dir),
            // The option to change, where the risk says what to change it to; otherwise the
            // feature is not the thing to change (a Sentinel deployment) and the general
            // workaround stands.
            Trigger::Shown(shown) => {
                match shown.iter().find_map(|s| risk.workaround_when.get(&s.feature).map(|w| (s, w))) {
                    Some((s, w)) => Some(format!("change {}: {w}", s.cite())),
                    None => general,
                }
            }
            Trigger::Absent => general.map(|g| {
                let features: Vec<&str> = risk.needs.iter().map(|f| f.describe()).collect();
                format!("nothing to change while the code does not use {}; if it does: {g}", features.join(" or "))
            }),
            Trigger::Avoided { avoided, .. } => {
                general.map(|g| format!("keep {} on every client (the workaround: {g})", avoided[0].cite()))
            }
        }
    }
}

/// For default risks with per-feature workarounds (go-redis `ClusterClient`): the code's
/// features decide which workaround applies.
pub fn default_workaround(inv: &Inventory, client: &Client, risk: &Risk, project_dir: &str) -> Option<String> {
    if risk.workaround_when.is_empty() {
        return risk.workaround.clone();
    }
    let features: Vec<Feature> = risk.workaround_when.keys().copied().collect();
    let shown = seen(inv, client, &features, project_dir);
    match shown.first() {
        Some(s) => risk
            .workaround_when
            .get(&s.feature)
            .map(|w| format!("the code builds {} ({}): {w}", s.feature.describe(), s.cite())),
        None => risk.workaround.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::knowledge::Knowledge;

    fn place(feature: Feature) -> Seen {
        let location = Location { line: 7, end_line: 7, ..Location::file_only("app/client.py") };
        Seen { feature, what: "option=".into(), location }
    }

    /// Every condition of the shipped table, in every form the code can give it, reads as a
    /// sentence after the effect: "— this happens only when …", never "— this happens Sentinel …".
    #[test]
    fn every_condition_reads_as_a_sentence() {
        let k = Knowledge::embedded().unwrap();
        let clients = k.clients().unwrap();
        let mut checked = 0;
        for c in &clients.clients {
            for risk in &c.risks {
                let feature = risk.needs.first().copied().unwrap_or(Feature::Sentinel);
                let forms = [
                    Trigger::Unknown,
                    Trigger::Absent,
                    Trigger::Shown(vec![place(feature)]),
                    Trigger::Avoided {
                        shown: vec![place(feature)],
                        avoided: vec![place(Feature::MaintNotificationsOff)],
                    },
                ];
                for t in &forms {
                    let clause = t.clause(risk);
                    let rest = clause.strip_prefix("— ").unwrap_or_else(|| panic!("{}: {clause}", risk.id));
                    let ok = match risk.applies {
                        Applies::Default => rest.starts_with("the default behaviour: "),
                        Applies::Conditional => [
                            "this happens only when ",
                            "this happens only with ",
                            "this happens only if ",
                            "this happens only on ",
                        ]
                        .iter()
                        .any(|p| rest.starts_with(p)),
                    };
                    assert!(ok, "{} / {}: {clause}", c.id, risk.id);
                    assert!(!clause.contains("  ") && !clause.ends_with('.') && !clause.contains(";;"), "{clause}");
                    checked += 1;
                }
                if risk.applies == Applies::Default {
                    assert!(!risk.condition.starts_with("only "), "{}: a default risk is not `only …`", risk.id);
                }
            }
        }
        assert!(checked >= 40, "{checked}");
    }

    #[test]
    fn conditional_risks_with_needs_cover_the_brief() {
        let k = Knowledge::embedded().unwrap();
        let clients = k.clients().unwrap();
        let needs = |id: &str, risk: &str| {
            clients.by_id(id).unwrap().risks.iter().find(|r| r.id == risk).unwrap().needs.clone()
        };
        assert_eq!(needs("redis-py", "csc-requires-redis-server"), vec![Feature::ClientSideCaching]);
        assert_eq!(needs("jedis", "csc-requires-redis-server"), vec![Feature::ClientSideCaching]);
        assert_eq!(
            needs("stackexchange-redis", "topology-reads-redis-mode"),
            vec![Feature::Sentinel, Feature::Cluster]
        );
        assert_eq!(needs("node-redis", "maint-notifications-probe-resp3"), vec![Feature::Resp3]);
    }
}
