use super::view::{self, Cache, Service};
use super::{knowledge, target_version};
use crate::findings::{Finding, Severity};
use crate::inventory::{InfraResource, Inventory};
use crate::knowledge::terraform::{Family, TerraformKnowledge};
use crate::location::Location;
use crate::rules::{Rule, RuleContext};
use serde_json::Value;

/// A parameter that the Valkey family does not have (the `lazyfree-*` parameters and
/// `replica-lazy-flush` left the ElastiCache groups in valkey8), or that no ElastiCache family
/// accepts (`io-threads`, `appendonly`): the apply fails on it.
pub struct ParameterNotInValkeyFamily;

struct Param {
    name: String,
    location: Location,
}

impl Rule for ParameterNotInValkeyFamily {
    fn code(&self) -> &'static str {
        "TF010"
    }

    fn check(&self, cx: &RuleContext, out: &mut Vec<Finding>) {
        let Some(k) = knowledge(cx, out) else { return };
        let target_family = k.family_for_version("elasticache", &target_version(cx, &k, Service::ElastiCache)).cloned();
        let caches = view::caches(cx.inventory, &k);
        for r in cx.inventory.infra.iter().filter(|r| r.resource_type == "aws_elasticache_parameter_group") {
            if left_behind(cx.inventory, r, &caches, &k) {
                continue;
            }
            let params: Vec<Param> = r
                .blocks_of("parameter")
                .filter_map(|b| {
                    let name = b.attributes.get("name")?.as_str()?.to_string();
                    let location = b.spans.get("name").map(|s| s.location.clone()).or(b.location.clone())?;
                    Some(Param { name, location })
                })
                .collect();
            let family = r.attr_str("family").unwrap_or_default().to_string();
            check_params(self.code(), &r.address, &r.dir, &family, &params, &k, target_family.as_ref(), out);
        }
        for c in &caches {
            let (Some(_), Some(key)) = (c.module, c.key("parameters")) else { continue };
            if c.service == Service::MemoryDb {
                continue;
            }
            let Some(Value::Array(items)) = c.r.attr(&key) else { continue };
            let location = c.r.attr_location(&key);
            let params: Vec<Param> = items
                .iter()
                .filter_map(|p| p.get("name")?.as_str())
                .map(|name| Param { name: name.to_string(), location: location.clone() })
                .collect();
            let family = c.str_value("family").unwrap_or_default();
            check_params(self.code(), &c.r.address, &c.r.dir, &family, &params, &k, target_family.as_ref(), out);
        }
    }
}

/// A Redis group the move leaves behind: every cache that uses it runs Valkey now, or none
/// uses it any more and a Valkey copy of it sits beside it (what `valkey-migrate plan`
/// writes; the old group stays for the rollback window). Nothing will move such a group to a
/// Valkey family, so its Redis-only parameters are no concern. An unused group without a copy
/// is still reported: it may be used by name from elsewhere.
fn left_behind(inv: &Inventory, pg: &InfraResource, caches: &[Cache], k: &TerraformKnowledge) -> bool {
    let name = pg.attr_str("name");
    let users: Vec<&Cache> = caches
        .iter()
        .filter(|c| {
            let key = c.key("parameter_group_name").unwrap_or_else(|| "parameter_group_name".into());
            (c.r.dir == pg.dir && view::referenced(c.r, &key, &pg.resource_type).contains(&pg.address))
                || (name.is_some() && c.r.attr_str(&key) == name)
        })
        .collect();
    if !users.is_empty() {
        return users.iter().all(|c| c.engine.name() == Some("valkey"));
    }
    inv.infra.iter().any(|o| o.dir == pg.dir && o.resource_type == pg.resource_type && is_valkey_copy(pg, o, k))
}

/// `copy` is a Valkey-family group with the parameters of `pg`, minus some its family dropped.
fn is_valkey_copy(pg: &InfraResource, copy: &InfraResource, k: &TerraformKnowledge) -> bool {
    let Some(family) = copy.attr_str("family").and_then(|f| k.family(f)).filter(|f| f.engine == "valkey") else {
        return false;
    };
    let names = |r: &InfraResource| -> Vec<String> {
        r.blocks_of("parameter")
            .filter_map(|b| b.attributes.get("name")?.as_str().map(str::to_ascii_lowercase))
            .collect()
    };
    let (old, new) = (names(pg), names(copy));
    new.iter().all(|n| old.contains(n))
        && old.iter().filter(|n| !new.contains(n)).all(|n| family.removed.iter().any(|r| r.eq_ignore_ascii_case(n)))
}

#[allow(clippy::too_many_arguments)]
fn check_params(
    code: &str,
    address: &str,
    dir: &str,
    family: &str,
    params: &[Param],
    k: &TerraformKnowledge,
    target: Option<&Family>,
    out: &mut Vec<Finding>,
) {
    let own = k.family(family).filter(|f| f.engine == "valkey");
    for p in params {
        if let Some(u) = k.unsupported_parameter(&p.name) {
            let mut f = Finding::new(
                code,
                p.location.clone(),
                format!(
                    "{address} sets {}, which no ElastiCache parameter group family accepts: the apply fails",
                    p.name
                ),
            )
            .help(format!("{}; remove the parameter (source: {})", u.reason, u.source))
            .fingerprint(format!("{dir}/{address}/{}", p.name));
            if !u.status.is_verified() {
                f = f.severity_hint(Severity::Info);
            }
            out.push(f);
            continue;
        }
        // A group already on a Valkey family: the parameter is refused now.
        if let Some(own) = own
            && own.removed.iter().any(|r| r.eq_ignore_ascii_case(&p.name))
        {
            out.push(
                Finding::new(
                    code,
                    p.location.clone(),
                    format!(
                        "{address} sets {} in a {} group, which has no such parameter: the apply fails",
                        p.name, own.name
                    ),
                )
                .help(format!("remove it; {} removed it (source: {})", own.name, own.source))
                .severity_hint(Severity::Error)
                .fingerprint(format!("{dir}/{address}/{}", p.name)),
            );
            continue;
        }
        if own.is_none()
            && family.starts_with("redis")
            && let Some(t) = target
            && t.removed.iter().any(|r| r.eq_ignore_ascii_case(&p.name))
        {
            out.push(
                Finding::new(
                    code,
                    p.location.clone(),
                    format!(
                        "{address} sets {}, which the {} family does not have: a copy of this group for Valkey must drop it",
                        p.name, t.name
                    ),
                )
                .help(format!(
                    "Valkey frees memory lazily by default where Redis OSS needed these switches; leave the parameter \
                     out of the {} group (`valkey-migrate plan` does), or target valkey7 to keep it; source: {}",
                    t.name, t.source
                ))
                .fingerprint(format!("{dir}/{address}/{}", p.name)),
            );
        }
    }
}
