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

/// One server config, tokenised exactly as the server's own config loader does: a file of its
/// own, a block of config text in a YAML file, or the options of a server command line.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ServerConfig {
    /// The file the text is in (for an embedded block or a command line, the YAML file).
    pub file: String,
    pub kind: ServerConfigKind,
    #[serde(default, skip_serializing_if = "ConfigOrigin::is_file")]
    pub origin: ConfigOrigin,
    pub directives: Vec<ConfigDirective>,
    /// Lines the server's tokeniser rejects (unbalanced quotes, …): the server refuses the file.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub syntax_errors: Vec<ConfigSyntaxError>,
    /// `include` lines, each resolved in the repository.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub includes: Vec<ConfigInclude>,
}

/// Where a server config's text comes from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum ConfigOrigin {
    /// A file the server is started with (`redis.conf`, `valkey.conf`, an included file).
    #[default]
    File,
    /// Config text in a YAML value: a Helm chart's `commonConfiguration`, a ConfigMap's
    /// `redis.conf` key.
    Embedded {
        /// The YAML keys leading to it (`master.configuration`, `data.redis.conf`).
        key: String,
        /// The servers it configures, as the host facts name them (`values master`).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        subjects: Vec<String>,
        /// The block is a YAML literal block (`|`) whose lines are the config's lines, so it
        /// can be rewritten line by line in place.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        block: Option<BlockLayout>,
    },
    /// The options of a server command line (`redis-server /etc/redis.conf --io-threads 4`):
    /// the server appends each `--name value` to its config as a line.
    CommandLine {
        /// What runs it, as the host facts name it (`compose service cache`).
        subject: String,
        /// The config file the command names, as written (a path inside the container).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        config_file: Option<String>,
        /// Files of the repository mounted into the container: (repository path, container path).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        mounts: Vec<(String, String)>,
    },
}

impl ServerConfig {
    /// The first line the config covers in its file (0 when it has none), to order several
    /// configs of one file.
    pub fn first_line(&self) -> u32 {
        let lines = self.directives.iter().map(|d| d.line).chain(self.syntax_errors.iter().map(|e| e.line));
        match &self.origin {
            ConfigOrigin::Embedded { block: Some(b), .. } => b.first_line,
            _ => lines.min().unwrap_or(0),
        }
    }

    /// Whether the server is started with this text as its config file (not a YAML file
    /// holding it, nor a command line).
    pub fn is_file(&self) -> bool {
        self.origin.is_file()
    }
}

impl ConfigOrigin {
    pub fn is_file(&self) -> bool {
        matches!(self, ConfigOrigin::File)
    }
}

/// Where a literal block's config lines are in the YAML file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockLayout {
    /// 1-based line of the block's first content line.
    pub first_line: u32,
    /// Number of content lines.
    pub lines: u32,
    /// Indentation of the content, in spaces.
    pub indent: u32,
}

/// One `include` line and what it names in the repository.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ConfigInclude {
    pub line: u32,
    /// The path as written (may hold wildcards).
    pub pattern: String,
    /// Repository paths it loads, in the order the server loads them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resolved: Vec<String>,
    pub status: IncludeStatus,
    #[serde(skip)]
    pub location: Option<Location>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum IncludeStatus {
    /// Found in the repository (relative to the scan root or to the including file).
    Found,
    /// A wildcard that matches nothing: the server skips it without a word.
    NoMatch,
    /// Not in the repository: the server exits at start if it is missing where it runs.
    Missing,
    /// An absolute path outside the repository: cannot be checked here.
    Outside,
    /// The file includes itself, directly or through others: the server recurses until it
    /// crashes.
    Loop,
    /// Found but not readable (size limit, permissions): the reason.
    Unreadable(String),
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
