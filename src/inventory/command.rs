use crate::location::Location;
use serde::{Deserialize, Serialize};

/// A server command the code sends, found in a string literal or a client API call.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CommandUse {
    /// Upper-case command name, e.g. `FT.SEARCH`.
    pub command: String,
    #[serde(flatten)]
    pub location: Location,
}
