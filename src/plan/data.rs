//! Phase 5: how the data moves — in place on a managed service, by snapshot, or by
//! replication — decided from the source and target RDB formats (`rules/migration.toml`, from
//! runs on the real servers) and from what the data holds (module types, hash-field TTLs).

use super::model::{Step, StepKind};
use super::{Contributor, PlanBuilder, PlanContext};
use crate::knowledge::Phase;
use crate::knowledge::migration::{LoadVerdict, Migration};
use crate::knowledge::modules::ModuleCatalog;

pub struct DataMigration;

fn is_managed(resource_type: &str) -> bool {
    resource_type.starts_with("aws_elasticache_") || resource_type.starts_with("aws_memorydb_")
}

impl Contributor for DataMigration {
    fn contribute(&self, cx: &PlanContext, plan: &mut PlanBuilder) {
        let Ok(migration) = cx.knowledge.view::<Migration>() else { return };
        let inv = cx.inventory;
        let target = &cx.settings.target;
        let server = cx.target.display_name();

        let managed: Vec<&str> = inv
            .infra
            .iter()
            .filter(|r| {
                is_managed(&r.resource_type)
                    && !r.resource_type.contains("parameter_group")
                    && !r.resource_type.contains("user")
            })
            .map(|r| r.address.as_str())
            .collect();
        let self_hosted = inv.images.iter().any(|i| i.image.rsplit('/').next().is_some_and(|n| n.starts_with("redis")))
            || !inv.server_configs.is_empty();
        let modules = cx.knowledge.view::<ModuleCatalog>().ok();
        // Commands that create module data types, which no RDB path carries into Valkey.
        let module_cmds: Vec<&str> = unique(inv.command_uses.iter().map(|c| c.command.as_str()).filter(|c| {
            modules.as_ref().is_some_and(|m| {
                m.family_of(c).is_some_and(|f| m.module(&f.module).is_some_and(|module| !module.data_types.is_empty()))
            })
        }));
        // Hash-field TTLs: Redis 7.4+ stores them in RDB types a relaxed load refuses.
        let hfe_cmds: Vec<&str> = unique(
            inv.command_uses
                .iter()
                .map(|c| c.command.as_str())
                .filter(|c| migration.relaxed_load.refused_commands.iter().any(|r| r == c)),
        );

        if !managed.is_empty() {
            let mut step = Step::new(
                StepKind::Check,
                "Managed caches change engine in place: snapshot first",
                format!(
                    "{} keep their data through the engine change (ElastiCache and MemoryDB switch the engine \
                     on the running cluster; node IPs change, DNS names do not). Take a manual snapshot just \
                     before applying the Terraform change: it is the fallback if the change has to be undone.\n",
                    list(&managed)
                ),
            );
            step.commands =
                vec!["aws elasticache create-snapshot --replication-group-id <id> --snapshot-name pre-valkey".into()];
            plan.add(Phase::Data, step);
        }

        if !module_cmds.is_empty() {
            plan.add(
                Phase::Data,
                Step::new(
                    StepKind::Blocker,
                    "Module data cannot move to Valkey by snapshot or replication",
                    format!(
                        "The code uses {}. {} Either keep those keys on Redis, or export them and re-create them \
                         on {server} with the Valkey module that covers the commands (see phase 1).\n",
                        list(&module_cmds),
                        modules
                            .as_ref()
                            .and_then(|m| m.rdb_note(module_cmds.iter().copied()))
                            .unwrap_or_else(|| format!("{server} refuses to load module data without the same module (`no matching module type`)."))
                    ),
                ),
            );
        }

        if !self_hosted && managed.is_empty() {
            plan.add(
                Phase::Data,
                Step::new(
                    StepKind::Note,
                    "Where the data lives is not in this repository",
                    format!(
                        "No server config, image or managed cache was found, so the data path depends on the \
                         server you run: a Redis up to 7.2 (RDB 11 or older) moves to {server} by snapshot or \
                         replication; Redis 7.4 and 8.x write RDB 12, which only Valkey 9 loads (with \
                         `rdb-version-check relaxed`). Check with `INFO server` (`redis_version`).\n"
                    ),
                ),
            );
            return;
        }
        if !self_hosted {
            return;
        }

        let Some(source) = cx.source.profile.as_deref() else {
            let said = if cx.source.evidence.is_empty() {
                "Nothing in the repository says which Redis version runs today (no pinned image tag or engine \
                 version)."
                    .to_string()
            } else {
                let what: Vec<&str> = cx.source.evidence.iter().map(|e| e.what.as_str()).collect();
                format!("The repository names {}, a version no server profile covers.", what.join(", "))
            };
            plan.add(
                Phase::Data,
                Step::new(
                    StepKind::Check,
                    "Confirm the source server version before choosing the data path",
                    format!(
                        "{said} Run `INFO server` on it: up to 7.2 the data moves by snapshot or replication; from \
                         7.4 the RDB format is 12, which only Valkey 9 loads. Re-run the plan with `--source \
                         redis-X.Y` to get the exact path.\n"
                    ),
                ),
            );
            return;
        };
        let (Some(writes), Some(loads)) = (migration.writes(source), migration.loads(target)) else { return };
        let rdb = writes.version;
        let evidence = format!("Source {source} writes RDB {rdb} ({}); {server}: {}.", writes.source, loads.source);
        let verdict = migration.verdict(target, rdb).unwrap_or(LoadVerdict::Refused);
        if verdict == LoadVerdict::Loads {
            let mut step = Step::new(
                StepKind::Change,
                format!("Move the data by replication (or snapshot): {source} RDB {rdb} loads on {server}"),
                format!(
                    "Replication keeps the cut-over short: start {server} as a replica (`REPLICAOF <redis-host> \
                     6379`), wait for `master_link_status:up` and a matching key count, then promote it with \
                     `REPLICAOF NO ONE` and move the clients. A snapshot (`dump.rdb` copied into the new \
                     server's `dir`) also works, with downtime from the last write to the restore.\n\n{evidence}\n"
                ),
            );
            step.commands = vec![
                "valkey-cli -h <valkey-host> REPLICAOF <redis-host> 6379".into(),
                "valkey-cli -h <valkey-host> INFO replication".into(),
            ];
            plan.add(Phase::Data, step);
        } else if verdict == LoadVerdict::NeedsRelaxed {
            plan.target_reason(format!(
                "{source} writes RDB {rdb}, which Valkey loads only from 9.0, with `rdb-version-check relaxed`"
            ));
            let hfe_note = if hfe_cmds.is_empty() {
                String::new()
            } else {
                format!(
                    "\n\nThe code uses {} (hash-field TTLs): while any hash field has a TTL, the snapshot and \
                     the replica's full sync fail (`Can't handle foreign type or opcode 25`). Let those TTLs \
                     lapse or remove them before the sync, or migrate those keys logically.",
                    list(&hfe_cmds)
                )
            };
            let mut step = Step::new(
                if hfe_cmds.is_empty() { StepKind::Change } else { StepKind::Blocker },
                format!("Replicate with `rdb-version-check relaxed`: {source} writes RDB {rdb}"),
                format!(
                    "{server} loads Redis RDB {rdb} only with `rdb-version-check relaxed`, and only when the data \
                     holds no hash-field TTLs and no module types. Set it on the Valkey side, replicate \
                     (`REPLICAOF <redis-host> 6379`), promote, then set it back to `strict`.{hfe_note}\n\n{evidence}\n"
                ),
            );
            step.commands = vec![
                "valkey-cli -h <valkey-host> CONFIG SET rdb-version-check relaxed".into(),
                "valkey-cli -h <valkey-host> REPLICAOF <redis-host> 6379".into(),
            ];
            plan.add(Phase::Data, step);
        } else {
            plan.add(
                Phase::Data,
                Step::new(
                    StepKind::Blocker,
                    format!("{server} cannot load {source}'s RDB {rdb}: target Valkey 9.x or migrate logically"),
                    format!(
                        "Neither a snapshot nor replication works: {server} refuses RDB {rdb} even with \
                         `rdb-version-check relaxed` (`Can't handle RDB format version {rdb}`), and DUMP/RESTORE \
                         payloads carry the same version. Either target Valkey 9.1 (`--target valkey-9.1`), which \
                         loads it with `rdb-version-check relaxed`, or copy the keys logically (SCAN and re-write \
                         each value with a migration tool).\n\n{evidence}\n"
                    ),
                ),
            );
        }
    }
}

fn unique<'a>(items: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let mut v: Vec<&str> = items.collect();
    v.sort();
    v.dedup();
    v
}

fn list(items: &[&str]) -> String {
    let quoted: Vec<String> = items.iter().take(8).map(|i| format!("`{i}`")).collect();
    let more = if items.len() > 8 { format!(" and {} more", items.len() - 8) } else { String::new() };
    format!("{}{more}", quoted.join(", "))
}
