use crate::findings::{Finding, Severity};
use crate::knowledge::images::Product;
use crate::knowledge::modules::ModuleCatalog;
use crate::rules::{Rule, RuleContext};

/// A Redis ≥ 7.4 image (RDB 12) when the target Valkey cannot load its snapshots, or can only
/// with `rdb-version-check relaxed` and data free of hash-field TTLs and module types.
pub struct RdbSnapshotIncompatible;

impl Rule for RdbSnapshotIncompatible {
    fn code(&self) -> &'static str {
        "IMG003"
    }

    fn check(&self, cx: &RuleContext, out: &mut Vec<Finding>) {
        let Some(target) = super::valkey_target(cx) else {
            return;
        };
        let Some(catalog) = super::catalog(cx, self.code(), out) else {
            return;
        };
        let Some(rule) = catalog.rdb_target(target) else {
            return;
        };
        let modules = ModuleCatalog::load(cx.knowledge).ok();
        // Uses in the repository that make a relaxed load fail.
        let blockers: Vec<_> = cx
            .inventory
            .command_uses
            .iter()
            .filter(|u| {
                rule.blocked_by_commands.contains(&u.command)
                    || modules.as_ref().is_some_and(|m| {
                        m.family_of(&u.command)
                            .is_some_and(|f| m.module(&f.module).is_some_and(|module| !module.data_types.is_empty()))
                    })
            })
            .collect();
        let target_name = cx.target.display_name();
        for fact in &cx.inventory.images {
            let Some(r) = super::resolve(&catalog, fact) else {
                continue;
            };
            if !matches!(r.info.product, Product::Redis | Product::RedisStack) {
                continue;
            }
            let Some(version) = r.version else {
                continue;
            };
            let Some(rdb) = catalog.rdb_version("redis", version).filter(|f| f.version >= 12) else {
                continue;
            };
            let reference = super::reference_text(fact);
            let label = super::server_label(&r);
            let what = rule.message.replace("{target}", &target.to_string());
            let mut finding = if rule.loads_rdb12 == "never" {
                Finding::new(
                    self.code(),
                    fact.location.clone(),
                    format!("{reference} runs {label}, which writes RDB version {}: {what}", rdb.version),
                )
                .help(format!(
                    "a snapshot, an AOF with an RDB preamble, DUMP/RESTORE or a replica sync from it fails on {target_name}; target Valkey 9.0 or later with `rdb-version-check relaxed`, or move the data logically (read the keys and re-issue the commands on Valkey)"
                ))
                .severity_hint(Severity::Error)
            } else {
                let mut message = format!("{reference} runs {label}, which writes RDB version {}: {what}", rdb.version);
                let severity = if blockers.is_empty() {
                    Severity::Warning
                } else {
                    let names: Vec<&str> = blockers
                        .iter()
                        .map(|u| u.command.as_str())
                        .collect::<std::collections::BTreeSet<_>>()
                        .into_iter()
                        .collect();
                    message.push_str(&format!("; this repository uses {}", names.join(", ")));
                    Severity::Error
                };
                Finding::new(self.code(), fact.location.clone(), message)
                    .help("set `rdb-version-check relaxed` on the target for the import, and make sure no hash field carries a TTL and no module data is in the snapshot; otherwise move the data logically (read the keys and re-issue the commands on Valkey)")
                    .severity_hint(severity)
            };
            for u in blockers.iter().take(3) {
                finding = finding.related(u.location.clone(), format!("{} here", u.command));
            }
            out.push(finding.fingerprint(format!("rdb:{}:{}", fact.name, version.line_text())));
        }
    }
}
