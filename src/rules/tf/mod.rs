//! TF: Terraform and the managed services — what each cache needs to move to Valkey, what
//! blocks the move, and the traps on the way.

pub mod constraint;
pub mod view;

mod cache_cluster_cannot_be_valkey;
mod engine_implicit;
mod engine_moves_in_place;
mod family_change_replaces_group;
mod global_datastore_member;
mod google_redis_needs_new_instance;
mod module_too_old_for_valkey;
mod no_managed_valkey_on_azure;
mod node_type_not_offered_for_valkey;
mod parameter_not_in_valkey_family;
mod peer_check_blind_spot;
mod provider_too_old_for_valkey;
mod valkey_pricing;
mod valkey_user_without_password;

use super::{Rule, RuleContext};
use crate::knowledge::terraform::TerraformKnowledge;
use view::{Cache, Service};

pub static RULES: &[&dyn Rule] = &[
    &engine_moves_in_place::EngineMovesInPlace,
    &cache_cluster_cannot_be_valkey::CacheClusterCannotBeValkey,
    &global_datastore_member::GlobalDatastoreMember,
    &google_redis_needs_new_instance::GoogleRedisNeedsNewInstance,
    &no_managed_valkey_on_azure::NoManagedValkeyOnAzure,
    &provider_too_old_for_valkey::ProviderTooOldForValkey,
    &module_too_old_for_valkey::ModuleTooOldForValkey,
    &valkey_user_without_password::ValkeyUserWithoutPassword,
    &engine_implicit::EngineImplicit,
    &parameter_not_in_valkey_family::ParameterNotInValkeyFamily,
    &family_change_replaces_group::FamilyChangeReplacesGroup,
    &peer_check_blind_spot::PeerCheckBlindSpot,
    &valkey_pricing::ValkeyPricing,
    &node_type_not_offered_for_valkey::NodeTypeNotOfferedForValkey,
];

/// The Terraform knowledge of this run (with any `--rules-dir` overlay), or a finding saying
/// why the TF rules could not run.
pub fn knowledge(
    cx: &RuleContext,
    out: &mut Vec<crate::findings::Finding>,
) -> Option<std::sync::Arc<TerraformKnowledge>> {
    match cx.knowledge.view::<TerraformKnowledge>() {
        Ok(k) => Some(k),
        Err(e) => {
            out.push(
                crate::findings::Finding::new(
                    crate::scan::codes::UNPARSABLE,
                    crate::location::Location::file_only(&e.origin),
                    format!("the Terraform rules were skipped: {}", e.message),
                )
                .help("fix the data file; the other rules ran"),
            );
            None
        }
    }
}

/// The Valkey engine version a cache should move to: the newest the service offers that is
/// not newer than the target profile.
pub fn target_version(cx: &RuleContext, k: &TerraformKnowledge, service: Service) -> String {
    k.pick_version(service.knowledge_key(), &cx.target.header.version).unwrap_or("8.0").to_string()
}

/// A cache that a migration moves: Redis today, by its own configuration or by a default, and
/// not a member whose engine another block owns.
pub fn moves(c: &Cache) -> bool {
    c.engine.is_redis() && !matches!(c.service, Service::CacheCluster | Service::Global) && !c.in_global_datastore()
}

/// `engine = "valkey"` and the version (and family, for modules) in the cache's own names.
pub fn change_text(c: &Cache, k: &TerraformKnowledge, version: &str) -> String {
    let engine_key = c.key("engine").unwrap_or_else(|| "engine".into());
    let version_key = c.key("engine_version").unwrap_or_else(|| "engine_version".into());
    let mut parts = vec![format!("{engine_key} = \"valkey\""), format!("{version_key} = \"{version}\"")];
    if let (Some(family_key), Some(family)) = (c.key("family"), valkey_family(c, k, version)) {
        parts.push(format!("{family_key} = \"{family}\""));
    }
    parts.join(", ")
}

/// The parameter-group family the cache needs on Valkey.
pub fn valkey_family(c: &Cache, k: &TerraformKnowledge, version: &str) -> Option<String> {
    match c.service {
        Service::MemoryDb => Some("memorydb_valkey7".into()),
        Service::Serverless => None,
        _ => k.family_for_version("elasticache", version).map(|f| f.name.clone()),
    }
}
