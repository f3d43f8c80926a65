//! The facts of the whole repository, as the parsers found them. Plain data, serialisable:
//! `valkey-migrate inventory` prints it, and it is the only thing rules read.
//!
//! Each family of facts lives in its own module, owned by the sources that produce it.

mod client_feature;
mod command;
mod dependency;
mod host;
mod image;
mod infra;
mod server_config;

pub use client_feature::{ClientFeature, Feature};
pub use command::{CommandUse, ModuleRef, ModuleRefKind};
pub use dependency::{DepOrigin, DepSource, Dependency, Ecosystem, ManagedBy};
pub use host::{HostFact, HostSource};
pub use image::{ContainerImage, ImageOrigin};
pub use infra::{AttributeSpan, InfraResource, ModuleCall, NestedBlock, Origin, ProviderRequirement, Unresolved};
pub use server_config::{
    BlockLayout, ConfigArg, ConfigDirective, ConfigInclude, ConfigOrigin, ConfigSyntaxError, IncludeStatus,
    ServerConfig, ServerConfigKind,
};

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Inventory {
    pub server_configs: Vec<ServerConfig>,
    pub dependencies: Vec<Dependency>,
    pub infra: Vec<InfraResource>,
    pub images: Vec<ContainerImage>,
    pub command_uses: Vec<CommandUse>,
    pub hosts: Vec<HostFact>,
    /// Terraform `required_providers` entries and lock-file selections.
    #[serde(default)]
    pub providers: Vec<ProviderRequirement>,
    /// Module files loaded or shipped outside server config files.
    #[serde(default)]
    pub module_refs: Vec<ModuleRef>,
    /// How the code uses its clients (caching, RESP3, Sentinel, cluster, opt-outs).
    #[serde(default)]
    pub client_features: Vec<ClientFeature>,
}

impl Inventory {
    /// The config files another config includes: read as part of that config, not started
    /// on their own.
    pub fn included_config_files(&self) -> std::collections::HashSet<&str> {
        self.server_configs
            .iter()
            .flat_map(|c| &c.includes)
            .flat_map(|i| i.resolved.iter().map(String::as_str))
            .collect()
    }

    pub fn extend(&mut self, other: Inventory) {
        self.server_configs.extend(other.server_configs);
        self.dependencies.extend(other.dependencies);
        self.infra.extend(other.infra);
        self.images.extend(other.images);
        self.command_uses.extend(other.command_uses);
        self.hosts.extend(other.hosts);
        self.providers.extend(other.providers);
        self.module_refs.extend(other.module_refs);
        self.client_features.extend(other.client_features);
    }

    /// Puts every list in file/line order, so output never depends on walk or thread order.
    pub fn sort(&mut self) {
        self.server_configs.sort_by(|a, b| (&a.file, a.first_line()).cmp(&(&b.file, b.first_line())));
        // A file included by others is parsed by each of them and on its own: keep one.
        self.server_configs.dedup_by(|a, b| a.origin.is_file() && b.origin.is_file() && a.file == b.file);
        self.dependencies.sort_by(|a, b| {
            (&a.location.file, a.location.line, &a.name).cmp(&(&b.location.file, b.location.line, &b.name))
        });
        self.infra.sort_by(|a, b| (&a.location.file, a.location.line).cmp(&(&b.location.file, b.location.line)));
        self.images.sort_by(|a, b| (&a.location.file, a.location.line).cmp(&(&b.location.file, b.location.line)));
        self.command_uses.sort_by(|a, b| {
            (&a.location.file, a.location.line, a.location.column).cmp(&(
                &b.location.file,
                b.location.line,
                b.location.column,
            ))
        });
        self.hosts.sort_by(|a, b| (&a.location.file, a.location.line).cmp(&(&b.location.file, b.location.line)));
        self.providers.sort_by(|a, b| (&a.location.file, a.location.line).cmp(&(&b.location.file, b.location.line)));
        self.client_features.sort_by(|a, b| (&a.location, a.feature).cmp(&(&b.location, b.feature)));
        self.module_refs.sort_by(|a, b| {
            (&a.location.file, a.location.line, a.location.column).cmp(&(
                &b.location.file,
                b.location.line,
                b.location.column,
            ))
        });
    }
}
