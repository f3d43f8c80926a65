use crate::location::Location;
use serde::{Deserialize, Serialize};

/// What kind of server reads this file, as far as its name and content tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ServerConfigKind {
    /// `redis.conf`, `valkey.conf` and other server configs.
    Server,
    /// `sentinel.conf`: read by a sentinel, which knows different directives.
    Sentinel,
}

/// One server config file, tokenised exactly as the server's own config loader does.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ServerConfig {
    pub file: String,
    pub kind: ServerConfigKind,
    pub directives: Vec<ConfigDirective>,
    /// Lines the server's tokeniser rejects (unbalanced quotes, …): the server refuses the file.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub syntax_errors: Vec<ConfigSyntaxError>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ConfigDirective {
    /// Lower-cased, as the server compares it.
    pub name: String,
    pub args: Vec<ConfigArg>,
    pub line: u32,
    /// The whole line, trimmed as the server trims it, for messages that quote it.
    pub text: String,
    /// The directive as written (its original case), with the whole line's location.
    #[serde(skip)]
    pub name_location: Option<Location>,
    #[serde(skip)]
    pub location: Option<Location>,
}

/// Serialised as its bare value, so the inventory lists `args` as plain strings.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
pub struct ConfigArg {
    /// The argument after unquoting and unescaping (lossy if it holds non-UTF-8 bytes).
    pub value: String,
    pub location: Option<Location>,
}

impl From<String> for ConfigArg {
    fn from(value: String) -> Self {
        ConfigArg { value, location: None }
    }
}

impl From<ConfigArg> for String {
    fn from(arg: ConfigArg) -> Self {
        arg.value
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ConfigSyntaxError {
    pub line: u32,
    pub text: String,
    /// The server's own error text for this line.
    pub message: String,
    #[serde(skip)]
    pub location: Option<Location>,
}

impl ConfigDirective {
    pub fn location(&self, file: &str) -> Location {
        self.location.clone().unwrap_or_else(|| Location {
            line: self.line,
            end_line: self.line,
            ..Location::file_only(file)
        })
    }

    pub fn arg_values(&self) -> impl Iterator<Item = &str> {
        self.args.iter().map(|a| a.value.as_str())
    }
}
