use crate::location::Location;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A piece of managed infrastructure (e.g. an ElastiCache replication group).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct InfraResource {
    pub provider: String,
    #[serde(rename = "type")]
    pub resource_type: String,
    pub name: String,
    pub address: String,
    pub attributes: BTreeMap<String, serde_json::Value>,
    #[serde(flatten)]
    pub location: Location,
}
