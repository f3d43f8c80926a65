use super::view::{self, AssumedEngine, Engine, Service};
use super::{change_text, knowledge, moves, target_version, valkey_family};
use crate::findings::Finding;
use crate::knowledge::terraform::parse_version;
use crate::rules::{Rule, RuleContext};

/// A Redis cache that can move to Valkey by editing Terraform: the change to make, with the
/// parts the provider insists on (engine and engine_version together, a Valkey parameter
/// group in the same apply).
pub struct EngineMovesInPlace;

impl Rule for EngineMovesInPlace {
    fn code(&self) -> &'static str {
        "TF001"
    }

    fn check(&self, cx: &RuleContext, out: &mut Vec<Finding>) {
        let Some(k) = knowledge(cx, out) else { return };
        for c in view::caches(cx.inventory, &k).iter().filter(|c| moves(c)) {
            if creates_only_a_cache_cluster(c) {
                continue;
            }
            let version = target_version(cx, &k, c.service);
            let what = match (&c.engine, c.module) {
                _ if c.assumed => "runs Redis OSS, presumably (no engine is written)".to_string(),
                (Engine::Default(_), Some(m)) => format!("runs Redis OSS (the {} module's default engine)", m.id),
                (Engine::Default(_), None) => "runs Redis OSS (the provider's default engine)".to_string(),
                _ => "runs Redis OSS".to_string(),
            };
            let mut help = vec![match c.service {
                Service::Serverless => {
                    "change engine and major_engine_version in the same apply (AWS: modify-serverless-cache \
                     --engine valkey --major-engine-version N); check the plan says `~ update in-place`, not `-/+`"
                        .to_string()
                }
                _ => "change engine and engine_version in the same apply: the provider refuses an engine change alone \
                      (\"must explicitly set 'engine_version' attribute … when updating engine to 'valkey'\")"
                    .to_string(),
            }];
            if let Some(o) = c.key("engine").and_then(|key| c.r.origins.get(&key)) {
                help.push(format!("the engine is set through {} at {}:{}", o.via, o.file, o.line));
            }
            help.extend(parameter_group_step(c, &k, &version));
            if let Some(current) = c.str_value("engine_version")
                && parse_version(&current) < parse_version(&k.service.slow_failover_below)
                && c.service == Service::ElastiCache
            {
                help.push(format!(
                    "from Redis OSS {current} (before {}) the switch fails over for 30-60 s while DNS propagates",
                    k.service.slow_failover_below
                ));
            }
            help.push(format!("rollback: {}", k.service.rollback));
            help.push("`valkey-migrate plan` writes this change as valkey_override.tf".into());
            out.push(
                Finding::new(
                    self.code(),
                    c.location("engine"),
                    format!("{} {what} and can move to Valkey in place: {}", c.r.address, change_text(c, &k, &version)),
                )
                .help(help.join("; "))
                .fingerprint(format!("{}/{}", c.r.dir, c.r.address))
                .assumed(c.assumed),
            );
        }
    }
}

/// terraform-aws-modules/elasticache with `create_cluster = true` and no replication group
/// makes an `aws_elasticache_cluster`, which TF002 covers.
pub fn creates_only_a_cache_cluster(c: &view::Cache) -> bool {
    c.module.is_some_and(|m| m.inputs.contains_key("create_cluster"))
        && c.value("create_cluster").and_then(|v| v.as_bool()) == Some(true)
        && c.value("create_replication_group").and_then(|v| v.as_bool()) == Some(false)
}

fn parameter_group_step(
    c: &view::Cache,
    k: &crate::knowledge::terraform::TerraformKnowledge,
    version: &str,
) -> Option<String> {
    let family = valkey_family(c, k, version)?;
    if c.module.is_some() {
        return Some(format!(
            "the module creates or picks the parameter group from its family input: set it to {family}"
        ));
    }
    let pg = c.r.attr_str("parameter_group_name").map(String::from);
    let referenced = c.r.spans.get("parameter_group_name").map(|s| s.expr.clone());
    Some(match (pg, referenced) {
        (Some(name), _) if name.starts_with("default.") => {
            let suffix = if name.contains(".cluster.on") { ".cluster.on" } else { "" };
            let default = k.family(&family).map_or_else(|| format!("default.{family}"), |f| f.default_group.clone());
            format!("switch parameter_group_name from {name} to {default}{suffix} in the same apply")
        }
        (None, None) => format!("the cache uses the default group; AWS moves it with the engine (default.{family})"),
        (_, expr) => format!(
            "parameter_group_name = {expr} is a custom group: point it at a new {family} group with the same static \
             parameter values, in the same apply (AWS requires it for a custom group)",
            expr = expr.unwrap_or_default()
        ),
    })
}
