use super::constraint::{Allows, allows_at_least};
use super::view::{self, Service};
use super::{knowledge, moves};
use crate::findings::{Finding, Severity};
use crate::knowledge::terraform::{ProviderMinimum, TerraformKnowledge, parse_version};
use crate::rules::{Rule, RuleContext};
use std::collections::BTreeMap;

/// The `hashicorp/aws` constraint (or the version the lock file holds) cannot reach the first
/// provider release that accepts the change a directory needs.
pub struct ProviderTooOldForValkey;

impl Rule for ProviderTooOldForValkey {
    fn code(&self) -> &'static str {
        "TF006"
    }

    fn check(&self, cx: &RuleContext, out: &mut Vec<Finding>) {
        let Some(k) = knowledge(cx, out) else { return };
        for (dir, needs) in needs_by_dir(cx, &k) {
            for p in cx.inventory.providers.iter().filter(|p| p.dir == dir && p.source == "hashicorp/aws") {
                for need in &needs {
                    let mut f = match (&p.constraint, &p.locked) {
                        (_, Some(locked)) => {
                            if parse_version(locked) >= parse_version(&need.version) {
                                continue;
                            }
                            Finding::new(
                                self.code(),
                                p.location.clone(),
                                format!(
                                    "the lock file holds hashicorp/aws {locked}, older than {} which {} needs",
                                    need.version, need.summary
                                ),
                            )
                            .help(format!(
                                "after raising the constraint, run `terraform init -upgrade` so the lock file selects \
                                 >= {} (source: {})",
                                need.version, need.source
                            ))
                            .severity_hint(Severity::Warning)
                        }
                        (Some(constraint), None) => {
                            if allows_at_least(constraint, &need.version) != Some(Allows::Never) {
                                continue;
                            }
                            Finding::new(
                                self.code(),
                                p.location.clone(),
                                format!(
                                    "hashicorp/aws \"{constraint}\" never reaches {}, the first release with {}",
                                    need.version, need.summary
                                ),
                            )
                            .help(format!(
                                "raise the constraint to allow >= {} (the override `valkey-migrate plan` writes does it \
                                 in a terraform block); source: {}",
                                need.version, need.source
                            ))
                        }
                        (None, None) => continue,
                    };
                    f = f.fingerprint(format!("{dir}/{}/{}", p.source, need.feature));
                    if !need.status.is_verified() {
                        f.message.push_str(" (the exact release is unverified)");
                        f = f.severity_hint(Severity::Info);
                    }
                    out.push(f);
                }
            }
        }
    }
}

/// Per directory, the provider features its move needs, strictest first.
pub fn needs_by_dir<'k>(cx: &RuleContext, k: &'k TerraformKnowledge) -> BTreeMap<String, Vec<&'k ProviderMinimum>> {
    let mut needs: BTreeMap<String, Vec<&ProviderMinimum>> = BTreeMap::new();
    let mut add = |dir: &str, feature: &str| {
        if let Some(m) = k.minimum(feature) {
            let list = needs.entry(dir.to_string()).or_default();
            if !list.iter().any(|x| x.feature == m.feature) {
                list.push(m);
            }
        }
    };
    for c in view::caches(cx.inventory, k) {
        if c.module.is_some() {
            continue;
        }
        let dir = c.r.dir.as_str();
        match c.service {
            Service::MemoryDb if moves(&c) => add(dir, "memorydb-engine"),
            Service::ElastiCache | Service::Serverless if moves(&c) => add(dir, "elasticache-valkey"),
            Service::Global => add(dir, "global-engine"),
            _ => {}
        }
    }
    for r in &cx.inventory.infra {
        let valkey_rbac = matches!(r.resource_type.as_str(), "aws_elasticache_user" | "aws_elasticache_user_group")
            && r.attr_str("engine").is_some_and(|e| e.eq_ignore_ascii_case("valkey"));
        if valkey_rbac {
            add(&r.dir, "rbac-valkey");
        }
    }
    for list in needs.values_mut() {
        list.sort_by_key(|m| std::cmp::Reverse(parse_version(&m.version)));
    }
    needs
}
