//! DEP: client libraries, as the lock files resolve them. The facts other families need
//! (module client libraries in use; clients that need `extended-redis-compatibility`) are
//! exposed by `facts`.

pub(crate) mod analysis;
pub mod facts;
pub(crate) mod lock_drift;
mod managed;
mod module_client;
mod risky_version;
mod unpinned;
pub mod usage;
mod valkey_native;

pub use facts::{CompatNeed, ModuleClientUse, extended_redis_compatibility_needs, module_client_uses};

use super::Rule;

pub static RULES: &[&dyn Rule] = &[
    &risky_version::RiskyClientVersion,
    &lock_drift::LockDrift,
    &unpinned::UnpinnedClient,
    &module_client::ModuleClientLibrary,
    &valkey_native::ValkeyNativeClient,
    &managed::ManagedClientVersion,
];
