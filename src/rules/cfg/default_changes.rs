use super::SourceSide;
use super::view::{Deployment, deployments};
use crate::findings::Finding;
use crate::inventory::ServerConfigKind;
use crate::knowledge::Profile;
use crate::knowledge::config_rules::ConfigRules;
use crate::rules::{Rule, RuleContext};

/// A config that relies on a default the move changes: it does not set the name, and the
/// source's default (every Redis version's, when the source is not known) differs from the
/// target's. One finding per group of related names (the lazyfree settings go together).
pub struct ReliesOnChangedDefault;

/// One default a deployment relies on that changes across the move.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangedDefault {
    pub name: String,
    pub old: String,
    pub new: String,
}

/// The defaults `d` relies on that differ between the source and the target, grouped as the
/// knowledge groups them (names without an entry form a group each), in catalog order.
pub fn changed_defaults(
    d: &Deployment,
    target: &Profile,
    source: &SourceSide,
    rules: &ConfigRules,
) -> Vec<Vec<ChangedDefault>> {
    // A chart's config block is completed by the chart's own settings: not judged alone.
    if d.kind() != ServerConfigKind::Server || !d.is_whole() || source.profiles().is_empty() {
        return Vec::new();
    }
    let mut changed = Vec::new();
    for c in target.configs.iter().filter(|c| !c.hidden && !c.runtime_only && !c.module_config) {
        if rules.defaults.ignore.contains(&c.name) || d.sets(target, &c.name) {
            continue;
        }
        let Some(new) = &c.default else { continue };
        // The source's default for the same setting (by any of its names); with several
        // candidate sources, they must all agree and differ from the target.
        let olds: Vec<&String> = source
            .profiles()
            .iter()
            .filter_map(|p| {
                std::iter::once(&c.name).chain(&c.aliases).find_map(|n| p.config(n)).and_then(|sc| sc.default.as_ref())
            })
            .collect();
        let Some(old) = olds.first() else { continue };
        if olds.iter().any(|o| o != old) || *old == new {
            continue;
        }
        if let Some(cond) = rules.default_change(&c.name).and_then(|dc| dc.only_if.as_ref()) {
            let set = d.last(target, &cond.name).and_then(|l| l.first_arg().map(str::to_ascii_lowercase));
            let default = target.config(&cond.name).and_then(|x| x.default.clone());
            if set.or(default).as_deref() != Some(cond.value.as_str()) {
                continue;
            }
        }
        changed.push(ChangedDefault { name: c.name.clone(), old: (*old).clone(), new: new.clone() });
    }
    let mut groups: Vec<Vec<ChangedDefault>> = Vec::new();
    for dc in &rules.default_changes {
        let g: Vec<ChangedDefault> =
            dc.names.iter().filter_map(|n| changed.iter().find(|c| &c.name == n).cloned()).collect();
        if !g.is_empty() {
            groups.push(g);
        }
    }
    for c in changed {
        if rules.default_change(&c.name).is_none() {
            groups.push(vec![c]);
        }
    }
    groups
}

/// `1048576` → `1048576 (1mb)`: sizes as a reader knows them.
fn readable(name: &str, v: &str, target: &Profile) -> String {
    let memory = target.config(name).is_some_and(|c| {
        matches!(
            c.kind,
            crate::knowledge::profile::ConfigType::Memory | crate::knowledge::profile::ConfigType::MemoryPercent
        )
    });
    match v.parse::<u64>() {
        Ok(n) if memory && n >= 1024 && n % 1024 == 0 => {
            let (q, unit) = if n % (1 << 20) == 0 { (n >> 20, "mb") } else { (n >> 10, "kb") };
            format!("{v} ({q}{unit})")
        }
        _ => super::shown(v),
    }
}

impl Rule for ReliesOnChangedDefault {
    fn code(&self) -> &'static str {
        "CFG004"
    }

    fn check(&self, cx: &RuleContext, out: &mut Vec<Finding>) {
        let Some(rules) = super::config_rules(cx, self.code(), out) else { return };
        let source = SourceSide::of(cx);
        let target = &cx.target;
        for d in deployments(cx.inventory) {
            let groups = changed_defaults(&d, target, &source, &rules);
            if groups.is_empty() {
                continue;
            }
            let count: usize = groups.iter().map(Vec::len).sum();
            let parts: Vec<String> = groups
                .iter()
                .map(|group| {
                    let names: Vec<&str> = group.iter().map(|c| c.name.as_str()).collect();
                    let (old, new) = (&group[0].old, &group[0].new);
                    let same = group.iter().all(|c| &c.old == old && &c.new == new);
                    let values = if same {
                        format!(
                            "{} {} → {}",
                            names.join(", "),
                            readable(names[0], old, target),
                            readable(names[0], new, target)
                        )
                    } else {
                        group
                            .iter()
                            .map(|c| {
                                format!(
                                    "{} {} → {}",
                                    c.name,
                                    readable(&c.name, &c.old, target),
                                    readable(&c.name, &c.new, target)
                                )
                            })
                            .collect::<Vec<_>>()
                            .join(", ")
                    };
                    match rules.default_change(names[0]) {
                        Some(dc) => format!("{values} ({})", dc.meaning),
                        None => values,
                    }
                })
                .collect();
            let pin: Vec<String> =
                groups.iter().flatten().map(|c| format!("`{} {}`", c.name, super::shown(&c.old))).collect();
            let first = &groups[0][0].name;
            out.push(
                Finding::new(
                    self.code(),
                    d.anchor(),
                    format!(
                        "this config leaves {} at the default, which changes from {} to {}: {}",
                        if count == 1 { first.clone() } else { format!("{count} settings") },
                        source.label(),
                        target.display_name(),
                        parts.join("; "),
                    ),
                )
                .help(format!(
                    "to keep today's behaviour, set {} (the plan's rewritten config does, with a comment); to take \
                     {}'s defaults, set them explicitly so the choice is visible",
                    pin.join(", "),
                    target.display_name()
                ))
                .fingerprint("changed-defaults".to_string()),
            );
        }
    }
}
