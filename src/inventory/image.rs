use crate::location::Location;
use serde::{Deserialize, Serialize};

/// Where an image reference was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ImageOrigin {
    Compose,
    Kubernetes,
    HelmValues,
    Dockerfile,
    /// A CI service container (GitHub Actions, GitLab CI).
    Ci,
    /// A string in source code (Testcontainers and the like).
    Code,
}

/// A container image reference (compose, Kubernetes, Helm, Dockerfile, CI, code).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ContainerImage {
    /// The repository as written (registry included), without tag or digest, after variables
    /// were substituted: `docker.io/library/redis`.
    pub image: String,
    pub tag: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
    /// The repository as Docker Hub names it: `redis`, `bitnami/redis`, `redis/redis-stack`.
    pub name: String,
    pub origin: ImageOrigin,
    /// What runs it: a compose service, a Kubernetes container, a Dockerfile stage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// A variable in the reference that nothing in the repository sets (`${REDIS_TAG}`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unresolved: Option<String>,
    #[serde(flatten)]
    pub location: Location,
}
