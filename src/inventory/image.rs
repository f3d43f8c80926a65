use crate::location::Location;
use serde::{Deserialize, Serialize};

/// A container image reference (compose, Kubernetes, Helm, Dockerfile).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ContainerImage {
    pub image: String,
    pub tag: Option<String>,
    #[serde(flatten)]
    pub location: Location,
}
