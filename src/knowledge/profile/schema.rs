//! The data types of a profile file, as `scripts/gen-profiles` writes them. Field names are the
//! file's; see `mod.rs` for what each part means.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Product {
    Valkey,
    Redis,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileHeader {
    pub name: String,
    pub product: Product,
    /// The full version the data describes (`9.1.2`); for a derived profile, the
    /// representative release it stands for.
    pub version: String,
    /// Where the data came from: `run: valkey-server 9.1.2 from …`, or how it was derived.
    pub source: String,
    /// `--version` output of the binary the profile was generated from.
    #[serde(default)]
    pub version_line: Option<String>,
    /// For a derived profile: the profile its changes apply to.
    #[serde(default)]
    pub base: Option<String>,
}

/// How the config loader itself behaves.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Loader {
    /// `*** FATAL CONFIG FILE ERROR (Version 9.1.2) ***`
    pub fatal_header: String,
    pub unknown_names: NameHandling,
    pub dotted_names: NameHandling,
    /// What `sdssplitargs` does with text right after a closing quote (`"a"b`).
    pub text_after_closing_quote: QuoteTail,
    /// The parser of decimal values (`latency-tracking-info-percentiles`).
    pub float_parser: super::cparse::FloatParser,
    /// Memory values whose digits overflow 64 bits.
    pub memory_overflow: super::cparse::MemoryOverflow,
    /// The loader's generic texts: `bad_directive`, `wrong_arguments`, `unbalanced_quotes`,
    /// `module_config_without_value`, and the value kinds' texts (`bool`, `int`, `memory`,
    /// `memory_percent`, `octal`, `enum` with `{values}`, `range` with `{min}`/`{max}`,
    /// `percent` with `{max}`).
    pub messages: BTreeMap<String, String>,
    /// Log lines of a start that aborts on a queued name no module claimed, by case
    /// (`dotted`, `unknown`), with `{name}` and `{line}` placeholders.
    #[serde(default)]
    pub deferred_log: BTreeMap<String, Vec<String>>,
    /// How `user` lines are checked.
    pub acl: AclLoader,
}

/// The ACL rule grammar of `user` lines, in this server's generation.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AclLoader {
    /// `Error in user declaration '{arg}': {error}`.
    pub declaration: String,
    /// Which argument the message names: `argv` (the bad rule) or `merged` (the argument at
    /// the rule's index among the rules, counted from the start of the line — a server slip).
    pub error_index: String,
    /// `(…)` selectors are understood.
    pub selectors: bool,
    /// Rules that are one word (`on`, `nopass`, `allkeys`, …).
    pub simple_ops: Vec<String>,
    /// `db=0,1` rules (Valkey 9.1).
    pub db_selectors: bool,
    /// Texts by error (`syntax`, `bad_hash`, `duplicate`, …); an absent one cannot occur.
    pub messages: BTreeMap<String, String>,
}

/// What the loader does with a name it does not know.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NameHandling {
    /// Refused at parse time: `Bad directive or wrong number of arguments`.
    Fatal,
    /// Queued as a possible module config; the start aborts later unless a module claims it.
    Deferred,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum QuoteTail {
    /// `Unbalanced quotes in configuration line`.
    Refused,
    /// Joined to the same argument, as a shell does.
    Joined,
}

/// The kind of value a config takes, as its refusal of a bad value reveals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ConfigType {
    /// `yes` / `no`.
    Bool,
    /// A plain integer (`string2ll`: no sign but `-`, no leading zero).
    Int,
    /// Bytes with optional unit (`1gb`, `100mb`, `1k`).
    Memory,
    /// Bytes, or a percentage (`10%`).
    MemoryPercent,
    /// An octal number (`unixsocketperm`).
    Octal,
    /// One of `values`; with `multi_arg`, any combination of them (flags).
    Enum,
    /// Free text, possibly with `checks`.
    String,
    /// A grammar of its own (`save`, `client-output-buffer-limit`, `bind`, …), see `special`.
    Special,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigParam {
    pub name: String,
    #[serde(default)]
    pub aliases: Vec<String>,
    #[serde(rename = "type")]
    pub kind: ConfigType,
    /// The compiled-in value as `CONFIG GET` shows it (`None` for `dir`: the working directory).
    #[serde(default)]
    pub default: Option<String>,
    /// `CONFIG SET` accepts it at runtime.
    pub mutable: bool,
    /// `CONFIG SET` refuses it unless `enable-protected-configs` allows.
    #[serde(default)]
    pub protected: bool,
    /// Not listed by `CONFIG GET *`, only by its exact name.
    #[serde(default)]
    pub hidden: bool,
    /// Known to `CONFIG GET`/`SET` but not read from a config file (Redis 6.2's
    /// `watchdog-period`): the loader treats the name as unknown.
    #[serde(default)]
    pub runtime_only: bool,
    /// Registered by a module built into the server once the config file is read (Redis 8's
    /// vector sets): the loader queues the line and the module applies it at start.
    #[serde(default)]
    pub module_config: bool,
    /// Takes several arguments (a single argument is split again, as the server does).
    #[serde(default)]
    pub multi_arg: bool,
    /// An unsigned value the loader refuses when negative, before its range (Redis 8).
    #[serde(default)]
    pub unsigned: bool,
    /// Bounds as the server prints them (octal for `octal`); absent when unbounded.
    #[serde(default)]
    pub min: Option<String>,
    #[serde(default)]
    pub max: Option<String>,
    /// For `memory-percent`: the largest percentage.
    #[serde(default)]
    pub percent_max: Option<i64>,
    #[serde(default)]
    pub values: Vec<String>,
    #[serde(default)]
    pub checks: Vec<Check>,
    #[serde(default)]
    pub special: Option<Special>,
    /// For entries of a derived profile: where the fact comes from.
    #[serde(default)]
    pub source: Option<String>,
    #[serde(default)]
    pub unverified: bool,
}

/// A validation a config applies on top of its type, with the server's text.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Check {
    NonEmpty {
        message: String,
    },
    /// No `/` (nor `\`): a file name, not a path.
    Basename {
        message: String,
    },
    /// Bytes allowed, as hex ranges `2d-2e 30-39`.
    Charset {
        valid: String,
        nul_invalid: bool,
        /// The check reads a C string: it ends at the first NUL.
        stops_at_nul: bool,
        message: String,
    },
    MaxLen {
        max: usize,
        message: String,
    },
    Ipv4 {
        message: String,
    },
    Ipv6 {
        message: String,
    },
    ProcTitleTemplate {
        variables: Vec<String>,
        /// Variables that expand to nothing while the file is read.
        empty_variables: Vec<String>,
        message: String,
    },
    /// A value of the type that this build refuses anyway (`activedefrag yes` without jemalloc).
    RejectValue {
        value: String,
        message: String,
    },
    /// Flags that cannot be combined.
    RejectCombination {
        values: Vec<String>,
        message: String,
    },
}

/// The texts and limits of a config with its own grammar.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Special {
    #[serde(default)]
    pub messages: BTreeMap<String, Option<String>>,
    /// `bind`: most addresses accepted.
    #[serde(default)]
    pub max_args: Option<usize>,
    /// `notify-keyspace-events`: the class characters accepted.
    #[serde(default)]
    pub allowed: Option<String>,
    /// `client-output-buffer-limit`: client classes accepted.
    #[serde(default)]
    pub classes: Vec<String>,
}

/// A directive a config file may hold that `CONFIG GET` does not list.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Directive {
    pub name: String,
    pub status: DirectiveStatus,
    /// For `ignored` ones: the argument counts (the name included) the loader accepts.
    #[serde(default)]
    pub arity: Option<[usize; 2]>,
    #[serde(default)]
    pub source: Option<String>,
    #[serde(default)]
    pub unverified: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DirectiveStatus {
    /// Does something (`include`, `rename-command`, `user`, `loadmodule`, `sentinel`).
    Live,
    /// Accepted and without effect (kept for old config files).
    Ignored,
}

/// A RESP value as recorded: its kind is the key (`{ bulk = "valkey" }`, `{ integer = 3 }`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RespValue {
    Bulk(String),
    Simple(String),
    Integer(i64),
    Array(Vec<RespValue>),
    Set(Vec<RespValue>),
    Map(Vec<(RespValue, RespValue)>),
    Verbatim(String),
    Null(bool),
    NullBulk(bool),
    NullArray(bool),
    Boolean(bool),
    Double(String),
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HelloField {
    pub field: String,
    pub value: RespValue,
    /// Differs from connection to connection (`id`).
    #[serde(default)]
    pub volatile: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Hello {
    /// `array` (RESP2) or `map` (RESP3).
    pub reply: String,
    pub fields: Vec<HelloField>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InfoField {
    pub name: String,
    /// The value, when it was the same on two runs.
    #[serde(default)]
    pub value: Option<String>,
    #[serde(default)]
    pub volatile: bool,
    /// Describes the machine or the build environment rather than the version.
    #[serde(default)]
    pub environment: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InfoSection {
    pub section: String,
    /// Part of plain `INFO` (otherwise only of `INFO everything` / `INFO <section>`).
    pub default: bool,
    /// For sections whose lines depend on use (`cmdstat_<cmd>`, `db<n>`): one real line and
    /// the keys of its value.
    #[serde(default)]
    pub dynamic_example: Option<String>,
    #[serde(default)]
    pub dynamic_keys: Vec<String>,
    pub fields: Vec<InfoField>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Identity {
    pub hello2: Option<Hello>,
    pub hello3: Option<Hello>,
    #[serde(default)]
    pub info: Vec<InfoSection>,
}

/// One error reply, captured from the real server.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorReply {
    pub key: String,
    /// The command sent, one argument per element.
    #[serde(default)]
    pub request: Vec<String>,
    /// Bytes sent as they are (protocol errors).
    #[serde(default)]
    pub raw_request: Option<String>,
    /// Commands run first on the same connection (`(config) …` means a config line).
    #[serde(default)]
    pub setup: Vec<Vec<String>>,
    /// The reply as sent on the wire, CRLF included.
    #[serde(default)]
    pub reply: Option<String>,
    /// The server closed the connection after replying.
    #[serde(default)]
    pub closes: bool,
    /// The server sent nothing: it waits for more input.
    #[serde(default)]
    pub no_reply: bool,
    #[serde(default)]
    pub source: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommandFormat {
    /// `COMMAND COUNT`.
    #[serde(default)]
    pub count: Option<i64>,
    /// RESP kinds seen at each position (`info[2]` = flags, `docs.summary`, `arg.flags`, …).
    #[serde(default)]
    pub kinds: BTreeMap<String, Vec<String>>,
    /// The order of the keys of each kind of map (`docs`, `arg`, `key_spec`, …).
    #[serde(default)]
    pub orders: BTreeMap<String, Vec<String>>,
}

/// One entry of `COMMAND` (and its `COMMAND DOCS`): a command or a `parent|sub`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Command {
    /// Lower case; subcommands as `parent|sub`.
    pub name: String,
    pub arity: i64,
    #[serde(default)]
    pub flags: Vec<String>,
    pub first_key: i64,
    pub last_key: i64,
    pub step: i64,
    #[serde(default)]
    pub acl_categories: Vec<String>,
    #[serde(default)]
    pub tips: Vec<String>,
    #[serde(default)]
    pub key_specs: Vec<KeySpec>,
    #[serde(default)]
    pub docs: Option<CommandDocs>,
    #[serde(default)]
    pub source: Option<String>,
    #[serde(default)]
    pub unverified: bool,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommandDocs {
    #[serde(default)]
    pub summary: Option<String>,
    #[serde(default)]
    pub since: Option<String>,
    #[serde(default)]
    pub group: Option<String>,
    #[serde(default)]
    pub complexity: Option<String>,
    #[serde(default)]
    pub module: Option<String>,
    #[serde(default)]
    pub doc_flags: Vec<String>,
    #[serde(default)]
    pub deprecated_since: Option<String>,
    #[serde(default)]
    pub replaced_by: Option<String>,
    #[serde(default)]
    pub history: Vec<(String, String)>,
    #[serde(default)]
    pub arguments: Vec<Argument>,
}

/// One node of a command's argument tree (`COMMAND DOCS`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Argument {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub display_text: Option<String>,
    #[serde(default)]
    pub key_spec_index: Option<i64>,
    #[serde(default)]
    pub token: Option<String>,
    #[serde(default)]
    pub summary: Option<String>,
    #[serde(default)]
    pub since: Option<String>,
    #[serde(default)]
    pub flags: Vec<String>,
    #[serde(default)]
    pub deprecated_since: Option<String>,
    #[serde(default)]
    pub value: Option<String>,
    #[serde(default)]
    pub arguments: Vec<Argument>,
}

/// How to find a command's keys (`COMMAND INFO` key specs).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeySpec {
    #[serde(default)]
    pub notes: Option<String>,
    #[serde(default)]
    pub flags: Vec<String>,
    pub begin_search: KeySearch,
    pub find_keys: KeySearch,
}

/// `{ type = "index", spec = { index = 1 } }`, `{ type = "range", spec = { lastkey = 0, … } }`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeySearch {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub spec: BTreeMap<String, toml::Value>,
}
