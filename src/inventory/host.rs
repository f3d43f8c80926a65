use crate::location::Location;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum HostSource {
    /// `--cores` or the `cores` setting.
    UserSetting,
    ContainerLimit,
    NodeType,
}

/// What a server runs on: the cores it really has, where the repository says so.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct HostFact {
    pub source: HostSource,
    /// What the fact is about (a compose service, a Terraform address, …).
    pub subject: String,
    pub cores: Option<f64>,
    #[serde(flatten)]
    pub location: Location,
}
