use crate::location::Location;
use serde::{Deserialize, Serialize};

/// A way of using a client that decides whether some of its Valkey risks happen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Feature {
    /// Client-side caching is switched on (redis-py `cache_config=`, node-redis `clientSideCache`).
    ClientSideCaching,
    /// RESP3 is asked for (`protocol=3`, `RESP: 3`, `Protocol: 3`).
    Resp3,
    /// RESP2 is asked for explicitly (`protocol=2`): no RESP3-only behaviour.
    Resp2,
    /// The client connects through Sentinel (`Sentinel(…)`, `ServiceName`, `NewFailoverClient`).
    Sentinel,
    /// A cluster client (`RedisCluster(…)`, `NewClusterClient`, `createCluster`).
    Cluster,
    /// Maintenance notifications are switched off (`maintNotifications: 'disabled'`, …).
    MaintNotificationsOff,
}

impl Feature {
    pub fn as_str(self) -> &'static str {
        match self {
            Feature::ClientSideCaching => "client-side-caching",
            Feature::Resp3 => "resp3",
            Feature::Resp2 => "resp2",
            Feature::Sentinel => "sentinel",
            Feature::Cluster => "cluster",
            Feature::MaintNotificationsOff => "maint-notifications-off",
        }
    }

    /// In words, for messages: "client-side caching".
    pub fn describe(self) -> &'static str {
        match self {
            Feature::ClientSideCaching => "client-side caching",
            Feature::Resp3 => "RESP3",
            Feature::Resp2 => "RESP2",
            Feature::Sentinel => "Sentinel",
            Feature::Cluster => "a cluster client",
            Feature::MaintNotificationsOff => "maintenance notifications switched off",
        }
    }
}

/// Where the code uses a client feature, as the code scanner found it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ClientFeature {
    pub feature: Feature,
    /// The client libraries (ids of `rules/clients.toml`) the option belongs to.
    pub clients: Vec<String>,
    /// The option as the code writes it, e.g. `cache_config=`, `ServiceName =`.
    pub option: String,
    #[serde(flatten)]
    pub location: Location,
}
