use super::view::{self, Service};
use super::{knowledge, moves, target_version, valkey_family};
use crate::findings::{Finding, Severity};
use crate::rules::{Rule, RuleContext};

/// A custom Redis parameter group that a moving cache uses, with a fixed name and no
/// `create_before_destroy`: editing its `family` forces a replacement, and AWS will not delete
/// a group a cache still uses, nor create a second group with the same name.
pub struct FamilyChangeReplacesGroup;

impl Rule for FamilyChangeReplacesGroup {
    fn code(&self) -> &'static str {
        "TF011"
    }

    fn check(&self, cx: &RuleContext, out: &mut Vec<Finding>) {
        let Some(k) = knowledge(cx, out) else { return };
        for c in view::caches(cx.inventory, &k).iter().filter(|c| moves(c) && c.module.is_none()) {
            let ty = match c.service {
                Service::MemoryDb => "aws_memorydb_parameter_group",
                _ => "aws_elasticache_parameter_group",
            };
            let version = target_version(cx, &k, c.service);
            let Some(family) = valkey_family(c, &k, &version) else { continue };
            for address in view::referenced(c.r, "parameter_group_name", ty) {
                let Some(pg) = view::find(cx.inventory, &c.r.dir, &address) else { continue };
                let current = pg.attr_str("family").unwrap_or_default();
                if current.contains("valkey") {
                    continue;
                }
                let fixed_name = pg.has("name");
                if !fixed_name && pg.create_before_destroy() {
                    continue;
                }
                // MemoryDB: that family forces a replacement is not verified (the ElastiCache
                // resource's schema was read, not MemoryDB's).
                let problem = if pg.create_before_destroy() {
                    "create_before_destroy is set, but the new group would take the same fixed name"
                } else {
                    "without create_before_destroy, Terraform deletes it first and AWS refuses while the cache uses it"
                };
                out.push(
                    Finding::new(
                        self.code(),
                        pg.attr_location("family"),
                        format!(
                            "changing {address}'s family from {current} to {family} replaces the group (family forces a new \
                             resource), and {} uses it: {problem}",
                            c.r.address
                        ),
                    )
                    .help(format!(
                        "create a new {family} group beside it and point parameter_group_name at it in the same apply as \
                         the engine change (`valkey-migrate plan` writes it to valkey_parameter_groups.tf); delete the old \
                         group afterwards. Or give the group name_prefix and lifecycle {{ create_before_destroy = true }}"
                    ))
                    .fingerprint(format!("{}/{address}", c.r.dir))
                    .severity_hint_if(c.service == Service::MemoryDb, Severity::Info),
                );
            }
        }
    }
}

trait SeverityHintIf {
    fn severity_hint_if(self, cond: bool, severity: Severity) -> Self;
}

impl SeverityHintIf for Finding {
    fn severity_hint_if(self, cond: bool, severity: Severity) -> Self {
        if cond { self.severity_hint(severity) } else { self }
    }
}
