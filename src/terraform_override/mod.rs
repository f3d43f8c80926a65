//! Terraform override files for the move to Valkey: per Terraform directory, a
//! `valkey_override.tf` that overrides exactly the arguments that must change, and a normal
//! `valkey_parameter_groups.tf` for the new Valkey parameter groups (a new resource cannot
//! live in an override file: "Missing resource to override").
//!
//! Terraform's merge rules shape what is written: an argument replaces the argument of the
//! same name; a nested block replaces every block of its type, so nested blocks are never
//! overridden here; `depends_on` cannot be overridden; the target must be a block of the same
//! directory; a module's inputs can be overridden, the resources inside it cannot.
//!
//! This function never writes: it returns file contents for the caller (the plan) to write.

mod global;
mod modules;
mod names;
mod resources;
mod writer;

use crate::inventory::{InfraResource, Inventory};
use crate::knowledge::terraform::TerraformKnowledge;
use crate::rules::tf::constraint::{Allows, allows_at_least};
use crate::rules::tf::moves;
use crate::rules::tf::view::{self, Cache, Engine, Service};
use serde::Serialize;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use writer::{Block, Expr};

pub use writer::quote;

pub const OVERRIDE_FILE: &str = "valkey_override.tf";
pub const NEW_RESOURCES_FILE: &str = "valkey_parameter_groups.tf";

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GeneratedFile {
    /// The Terraform directory, relative to the scan root (`.` for the root).
    pub dir: String,
    /// `dir/valkey_override.tf`, relative to the scan root.
    pub path: String,
    pub contents: String,
}

/// A cache the generator left alone, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Skipped {
    pub dir: String,
    pub address: String,
    pub reason: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Overrides {
    pub files: Vec<GeneratedFile>,
    pub skipped: Vec<Skipped>,
    /// Things a reviewer must know about a generated change (same shape as `skipped`).
    pub notes: Vec<Skipped>,
    /// The Valkey release each managed cache runs once the files are applied (see
    /// [`ManagedEngine`]), in inventory order.
    pub engines: Vec<ManagedEngine>,
    /// Directories whose files raise a module version or the provider requirement: Terraform
    /// refuses to plan there until `terraform init` has installed the new module release
    /// (`terraform init -upgrade` when the provider requirement rises past the lock file).
    pub init_dirs: Vec<String>,
}

/// The Valkey engine a managed cache runs after the move: the version the generated files
/// write for a cache they move, or the version already written for a cache that runs Valkey.
///
/// The services lag the open-source releases (MemoryDB offers Valkey 7.2 while ElastiCache
/// offers 9.1), so a cache can end up on an older Valkey than the plan's target profile: the
/// commands and configuration it will accept are those of `version`, and that is the server
/// to validate the applications that use it against. Caches that stay on Redis OSS (blocked,
/// skipped, or not moved by these files) are not listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ManagedEngine {
    /// The Terraform directory, relative to the scan root.
    pub dir: String,
    /// The cache's address in that directory (`aws_memorydb_cluster.inventory`,
    /// `module.sessions_cache`, or `module.cache.aws_elasticache_replication_group.c` for a
    /// cache in a local module, listed once per caller).
    pub address: String,
    /// `elasticache`, `elasticache-serverless` or `memorydb` (the keys of `rules/terraform.toml`).
    pub service: String,
    /// The engine version as the service names it: `9.1`, `7.2`; a serverless cache's major
    /// version (`9`). `None` when the cache already runs Valkey and its version is not written
    /// or cannot be resolved (the service then picks its default).
    pub version: Option<String>,
    /// Moved by the generated files (false: it already ran Valkey).
    pub moved: bool,
}

impl ManagedEngine {
    /// The server release this cache runs, as a version a profile can be matched against
    /// (`7.2` → `7.2.0`; a serverless major `9` → `9.0.0`).
    pub fn server_version(&self) -> Option<String> {
        let v = self.version.as_deref()?;
        let parts: Vec<&str> = v.split('.').collect();
        Some(match parts.len() {
            1 => format!("{v}.0.0"),
            2 => format!("{v}.0"),
            _ => v.to_string(),
        })
    }
}

#[derive(Default)]
struct DirPlan {
    overrides: Vec<Block>,
    new_resources: Vec<Block>,
    /// The strictest provider release the directory's changes need.
    provider_need: Option<String>,
    /// A module version changes: `terraform init` must fetch it.
    needs_init: bool,
}

/// The override files that move every Redis cache of `inventory` that can move in place to
/// the Valkey release closest to `target_version` (a server version such as `9.1.2`).
pub fn generate(inventory: &Inventory, k: &TerraformKnowledge, target_version: &str) -> Overrides {
    let mut plans: BTreeMap<String, DirPlan> = BTreeMap::new();
    let mut skipped = Vec::new();
    let mut engines = Vec::new();
    let caches = view::caches(inventory, k);
    for c in &caches {
        let result = match c.service {
            Service::Global => global::global(c, &caches, inventory, k, target_version)
                .map(|ch| ch.map(|ch| vec![(c.r.dir.clone(), ch)])),
            Service::CacheCluster => match c.engine {
                Engine::Written(ref e) if e == "redis" => {
                    Err("an aws_elasticache_cluster cannot run Valkey; move it into a replication group first (TF002)"
                        .into())
                }
                _ => continue,
            },
            _ if c.in_global_datastore() && c.engine.is_redis() => {
                continue; // moved by the global group's override
            }
            _ if moves(c) => match modules::via_callers(c, inventory, k, target_version) {
                Some(result) => result,
                None => {
                    resources::cache(c, inventory, k, target_version).map(|ch| ch.map(|ch| vec![(c.r.dir.clone(), ch)]))
                }
            },
            _ => match &c.engine {
                Engine::Unresolved { expr, reason } if c.service != Service::CacheCluster => {
                    Err(format!("engine = {expr} could not be evaluated ({reason}); set it where it is defined"))
                }
                _ => continue,
            },
        };
        match result {
            Ok(Some(changes)) => {
                for (dir, change) in changes {
                    let plan = plans.entry(dir).or_default();
                    add_block(&mut plan.overrides, change.override_block);
                    for b in change.extra_overrides {
                        add_block(&mut plan.overrides, b);
                    }
                    plan.new_resources.extend(change.new_resources);
                    plan.needs_init |= change.needs_init;
                    if let Some(need) = change.provider_need {
                        plan.provider_need = strictest(plan.provider_need.take(), need);
                    }
                    engines.extend(change.moved.into_iter().map(Moved::into_engine));
                }
            }
            Ok(None) => {}
            Err(reason) => {
                skipped.push(Skipped { dir: c.r.dir.clone(), address: c.r.address.clone(), reason });
            }
        }
    }
    already_valkey(inventory, &caches, &mut engines);
    let mut notes = Vec::new();
    for (dir, _) in plans.iter() {
        let callers: Vec<&str> = inventory
            .infra
            .iter()
            .filter(|r| r.module.as_ref().and_then(|m| m.local_dir.as_deref()) == Some(dir.as_str()))
            .map(|r| r.dir.as_str())
            .collect();
        if !callers.is_empty() {
            notes.push(Skipped {
                dir: dir.clone(),
                address: String::new(),
                reason: format!(
                    "{dir} is a module called from {}: an override there changes the caches of every caller",
                    callers.join(", ")
                ),
            });
        }
    }
    let mut files = Vec::new();
    let mut init_dirs = Vec::new();
    for (dir, mut plan) in plans {
        if let Some(need) = &plan.provider_need
            && let Some(block) = provider_override(inventory, &dir, need)
        {
            plan.overrides.insert(0, block);
            plan.needs_init = true;
        }
        if plan.needs_init {
            init_dirs.push(dir.clone());
        }
        let header = vec![
            "Generated by valkey-migrate: moves this directory's caches from Redis OSS to Valkey.".to_string(),
            "Terraform merges this override file into the blocks of the same name in this directory;".to_string(),
            "it sets only the arguments that change. Review it with `terraform plan` before applying,".to_string(),
            "and note in the original files that an override applies.".to_string(),
        ];
        files.push(GeneratedFile {
            path: join(&dir, OVERRIDE_FILE),
            contents: writer::file(&header, &plan.overrides),
            dir: dir.clone(),
        });
        if !plan.new_resources.is_empty() {
            let header = vec![
                "Generated by valkey-migrate: Valkey parameter groups with the same settings as the Redis OSS"
                    .to_string(),
                "groups they replace (minus the parameters the Valkey family does not have). Delete the old"
                    .to_string(),
                "groups once no cache uses them.".to_string(),
            ];
            files.push(GeneratedFile {
                path: join(&dir, NEW_RESOURCES_FILE),
                contents: writer::file(&header, &plan.new_resources),
                dir,
            });
        }
    }
    Overrides { files, skipped, notes, engines, init_dirs }
}

/// Changes by target directory; `Ok(None)`: nothing to change; `Err`: left alone, and why.
type ChangeResult = Result<Option<Vec<(String, Change)>>, String>;

#[derive(Default)]
struct Change {
    override_block: Block,
    /// Other blocks of the same directory that change with it.
    extra_overrides: Vec<Block>,
    new_resources: Vec<Block>,
    provider_need: Option<String>,
    /// It raises a module version (`terraform init` must fetch the release).
    needs_init: bool,
    /// The caches the change moves.
    moved: Vec<Moved>,
}

/// A cache a change moves, and where.
struct Moved {
    dir: String,
    address: String,
    service: Service,
    version: String,
}

impl Moved {
    fn of(c: &Cache, dir: &str, address: &str, version: &str) -> Moved {
        Moved { dir: dir.into(), address: address.into(), service: c.service, version: version.into() }
    }

    fn into_engine(self) -> ManagedEngine {
        ManagedEngine {
            dir: self.dir,
            address: self.address,
            service: self.service.knowledge_key().into(),
            version: Some(self.version),
            moved: true,
        }
    }
}

/// The caches that already run Valkey: by their own `engine`, or as members of a global
/// datastore whose global group says `engine = "valkey"`.
fn already_valkey(inv: &Inventory, caches: &[Cache], engines: &mut Vec<ManagedEngine>) {
    let listed: BTreeSet<(String, String)> = engines.iter().map(|e| (e.dir.clone(), e.address.clone())).collect();
    let valkey_globals: Vec<&InfraResource> = inv
        .infra
        .iter()
        .filter(|r| {
            r.resource_type == "aws_elasticache_global_replication_group" && r.attr_str("engine") == Some("valkey")
        })
        .collect();
    for c in caches {
        if matches!(c.service, Service::Global | Service::CacheCluster)
            || listed.contains(&(c.r.dir.clone(), c.r.address.clone()))
        {
            continue;
        }
        let global = valkey_globals.iter().find(|g| {
            g.dir == c.r.dir
                && (view::referenced(g, "primary_replication_group_id", &c.r.resource_type).contains(&c.r.address)
                    || view::referenced(c.r, "global_replication_group_id", &g.resource_type).contains(&g.address))
        });
        let version = match (global, c.engine.name()) {
            (Some(g), _) => g.attr_str("engine_version").map(String::from),
            (None, Some("valkey")) => c.str_value("engine_version"),
            _ => continue,
        };
        engines.push(ManagedEngine {
            dir: c.r.dir.clone(),
            address: c.r.address.clone(),
            service: c.service.knowledge_key().into(),
            version,
            moved: false,
        });
    }
}

/// Two changes to the same block (two caches of one module, one caller) become one block.
fn add_block(blocks: &mut Vec<Block>, b: Block) {
    match blocks.iter_mut().find(|x| x.ident == b.ident && x.labels == b.labels) {
        Some(existing) => {
            for (k, v) in b.attrs {
                if !existing.attrs.iter().any(|(ek, _)| *ek == k) {
                    existing.attrs.push((k, v));
                }
            }
        }
        None => blocks.push(b),
    }
}

fn join(dir: &str, file: &str) -> String {
    if dir == "." { file.to_string() } else { format!("{dir}/{file}") }
}

fn strictest(a: Option<String>, b: String) -> Option<String> {
    use crate::knowledge::terraform::parse_version;
    Some(match a {
        Some(a) if parse_version(&a) >= parse_version(&b) => a,
        _ => b,
    })
}

/// A `terraform` block raising hashicorp/aws when this directory's constraint never reaches
/// the release the changes need. Terraform replaces the provider's whole requirement with the
/// override's, so the new one is written in full.
fn provider_override(inv: &Inventory, dir: &str, need: &str) -> Option<Block> {
    let req = inv
        .providers
        .iter()
        .find(|p| p.dir == dir && p.source == "hashicorp/aws" && p.locked.is_none() && p.constraint.is_some())?;
    let constraint = req.constraint.as_deref()?;
    if allows_at_least(constraint, need) != Some(Allows::Never) {
        return None;
    }
    let mut entry = serde_json::Map::new();
    entry.insert("source".into(), Value::String("hashicorp/aws".into()));
    entry.insert("version".into(), Value::String(format!(">= {need}")));
    let mut rp = Block::new("required_providers", &[]);
    rp.attrs.push((req.name.clone(), Expr::Literal(Value::Object(entry))));
    let mut t = Block::new("terraform", &[]);
    t.comments.push(format!(
        "hashicorp/aws \"{constraint}\" never reaches {need}, the first release these changes need. Run \
         `terraform init -upgrade` afterwards."
    ));
    t.blocks.push(rp);
    Some(t)
}

#[cfg(test)]
mod tests;
