use crate::findings::{Finding, Severity};
use crate::knowledge::images::Product;
use crate::knowledge::migration::{LoadVerdict, Migration};
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
        if super::valkey_target(cx).is_none() {
            return;
        }
        let Some(catalog) = super::catalog(cx, self.code(), out) else {
            return;
        };
        let Ok(migration) = cx.knowledge.view::<Migration>() else {
            return;
        };
        let target = cx.settings.target.as_str();
        let modules = cx.knowledge.view::<ModuleCatalog>().ok();
        // Uses in the repository that make a relaxed load fail.
        let blockers: Vec<_> = cx
            .inventory
            .command_uses
            .iter()
            .filter(|u| {
                migration.relaxed_load.refused_commands.contains(&u.command)
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
            let (major, minor) = version.line();
            let Some(rdb) = migration.writes_for("redis", major, minor) else {
                continue;
            };
            let reference = super::reference_text(fact);
            let label = super::server_label(&r);
            let opening = format!("{reference} runs {label}, which writes RDB version {}", rdb.version);
            let mut finding = match migration.verdict(target, rdb.version) {
                None | Some(LoadVerdict::Loads) => continue,
                Some(LoadVerdict::Refused) => Finding::new(
                    self.code(),
                    fact.location.clone(),
                    format!(
                        "{opening}: {target_name} refuses RDB version {v} even with `rdb-version-check relaxed` (\"Can't handle RDB format version {v}\"; versions 12–79 are reserved for foreign formats)",
                        v = rdb.version
                    ),
                )
                .help(format!(
                    "a snapshot, an AOF with an RDB preamble, DUMP/RESTORE or a replica sync from it fails on {target_name}; target Valkey 9.0 or later with `rdb-version-check relaxed`, or move the data logically (read the keys and re-issue the commands on Valkey)"
                ))
                .severity_hint(Severity::Error),
                Some(LoadVerdict::NeedsRelaxed) => {
                    let mut message = format!(
                        "{opening}: {target_name} loads it only with `rdb-version-check relaxed`, and only when the data holds no hash-field TTLs and no module types (\"Can't handle foreign type or opcode 25\"; \"no matching module type 'vectorset'\")"
                    );
                    let severity = if blockers.is_empty() {
                        Severity::Warning
                    } else {
                        let names: std::collections::BTreeSet<&str> = blockers.iter().map(|u| u.command.as_str()).collect();
                        message.push_str(&format!("; this repository uses {}", names.into_iter().collect::<Vec<_>>().join(", ")));
                        Severity::Error
                    };
                    Finding::new(self.code(), fact.location.clone(), message)
                        .help("set `rdb-version-check relaxed` on the target for the import, and make sure no hash field carries a TTL and no module data is in the snapshot; otherwise move the data logically (read the keys and re-issue the commands on Valkey)")
                        .severity_hint(severity)
                }
            };
            for u in blockers.iter().take(3) {
                finding = finding.related(u.location.clone(), format!("{} here", u.command));
            }
            out.push(finding.fingerprint(format!("rdb:{}:{}", fact.name, version.line_text())));
        }
    }
}
