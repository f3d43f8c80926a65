//! The command line, as clap sees it. `main.rs` parses it; `cli::run` acts on it.

use crate::config::FailOn;
use crate::report::Format;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

const AFTER_HELP: &str = "\
Exit codes:
  0  no finding at or above --fail-on (default: error)
  1  at least one finding at or above --fail-on
  2  usage, configuration or internal error

Configuration is read from the nearest .valkey-migrate.toml above the scanned path
(`valkey-migrate init` writes a commented one). A finding is silenced in place with a comment
`valkey-migrate: ignore[CODE]` on its line or the line above.";

#[derive(Debug, Parser)]
#[command(name = "valkey-migrate", version, about = "Audit a repository for a Redis → Valkey migration, plan it, and prove the plan", after_help = AFTER_HELP)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Use this config file instead of discovering .valkey-migrate.toml.
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Ignore any .valkey-migrate.toml.
    #[arg(long, global = true, conflicts_with = "config")]
    pub no_config: bool,
    /// Layer this directory of data files (laid out like rules/) over the built-in knowledge.
    #[arg(long, global = true, value_name = "DIR")]
    pub rules_dir: Option<PathBuf>,
    /// When to use colour: auto (a terminal, and NO_COLOR unset), always or never.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan a repository and report what blocks or endangers a move to Valkey.
    #[command(after_help = AFTER_HELP)]
    Audit(AuditArgs),
    /// Print what the parsers found (configs, dependencies, infrastructure, images, commands) as JSON.
    Inventory(InventoryArgs),
    /// Write a migration plan: ordered steps, rewritten configs, Terraform overrides.
    Plan(PlanArgs),
    /// Prove a plan against the bundled server, a real server binary, or a live server.
    Validate(ValidateArgs),
    /// Run the bundled RESP server, answering as the chosen Valkey (or Redis) profile does.
    Serve(ServeArgs),
    /// List every rule: code, name, default severity and summary.
    Rules(RulesArgs),
    /// Print a rule's full explanation and references.
    Explain(ExplainArgs),
    /// Write a commented .valkey-migrate.toml.
    Init(InitArgs),
    /// Print shell completions.
    Completions(CompletionsArgs),
    /// Print the man page (roff).
    #[command(hide = true)]
    Man,
}

/// Options every scanning command shares.
#[derive(Debug, Args, Clone)]
pub struct ScanArgs {
    /// Files or directories to scan.
    #[arg(value_name = "PATH", default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// Server profile to migrate to, e.g. valkey-9.1 (default: the newest stable Valkey).
    #[arg(long, value_name = "PROFILE")]
    pub target: Option<String>,
    /// Server profile the repository runs today, when the repository does not say.
    #[arg(long, value_name = "PROFILE")]
    pub source: Option<String>,
    /// Cores of the machine the server runs on, for the io-threads rule.
    #[arg(long)]
    pub cores: Option<f64>,
    /// Run only these rules (codes, families or names; comma-separated).
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    pub select: Option<Vec<String>>,
    /// Do not run these rules (codes, families or names; comma-separated).
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    pub ignore: Vec<String>,
    /// Skip paths matching these globs (relative to the config file's directory).
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Skip files larger than this many bytes.
    #[arg(long, value_name = "BYTES")]
    pub max_file_size: Option<u64>,
}

#[derive(Debug, Args)]
pub struct AuditArgs {
    #[command(flatten)]
    pub scan: ScanArgs,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Lowest severity that makes the exit code 1.
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,
    /// Write the report to this file instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct InventoryArgs {
    #[command(flatten)]
    pub scan: ScanArgs,
    /// Write the inventory to this file instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    #[command(flatten)]
    pub scan: ScanArgs,
    /// Write plan.md, plan.json and the artifacts into this directory.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Replace the contents of a non-empty --out directory.
    #[arg(long)]
    pub force: bool,
    /// Without --out: print plan.md (markdown) or plan.json (json).
    #[arg(long, short = 'f', value_enum, default_value_t = PlanFormat::Markdown)]
    pub format: PlanFormat,
    /// Record when the plan was made (off by default so that plans are byte-identical).
    #[arg(long)]
    pub timestamp: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PlanFormat {
    Markdown,
    Json,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// A plan directory written by `plan --out`, or a repository (the plan is built in memory).
    #[arg(value_name = "PLAN_DIR|PATH", default_value = ".")]
    pub input: PathBuf,
    /// Spawn this real server binary (e.g. valkey-server) instead of the bundled server.
    #[arg(long, value_name = "PATH")]
    pub server_bin: Option<PathBuf>,
    /// Validate against a running server (redis://, rediss://, valkey://, valkeys://, unix://);
    /// read-only by default.
    #[arg(long, value_name = "URL", conflicts_with = "server_bin")]
    pub server: Option<String>,
    /// The CA certificate (PEM) that signed a TLS --server's certificate, when the system's
    /// roots do not (a private CA, a self-signed staging server).
    #[arg(long, value_name = "PEM", requires = "server")]
    pub tls_ca_cert: Option<PathBuf>,
    /// A client certificate (PEM) for a TLS --server that verifies its clients (with --tls-key).
    #[arg(long, value_name = "PEM", requires_all = ["server", "tls_key"])]
    pub tls_cert: Option<PathBuf>,
    /// The private key (PEM) of --tls-cert.
    #[arg(long, value_name = "PEM", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// Allow writes to --server: keys under `valkey-migrate:validate:`, each with a TTL.
    #[arg(long, requires = "server")]
    pub allow_writes: bool,
    /// Server profile to validate against (default: the plan's target).
    #[arg(long, value_name = "PROFILE")]
    pub target: Option<String>,
    /// Seconds each check may take before it fails.
    #[arg(long, default_value_t = 5.0, value_name = "SECONDS")]
    pub timeout: f64,
    #[arg(long, short = 'f', value_enum, default_value_t = ValidateFormat::Human)]
    pub format: ValidateFormat,
    /// Write the report to this file instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ValidateFormat {
    Human,
    Json,
    Junit,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// A config file to load, as the profile's server would (refused the same way).
    #[arg(value_name = "CONFIG_FILE")]
    pub config_file: Option<PathBuf>,
    /// TCP port (default: the config file's `port`, else 6379; 0 disables TCP).
    #[arg(long)]
    pub port: Option<u16>,
    /// Addresses to listen on, space-separated (default: 127.0.0.1 only).
    #[arg(long, value_name = "ADDRS")]
    pub bind: Option<String>,
    /// Also listen on this unix socket.
    #[arg(long, value_name = "PATH")]
    pub unixsocket: Option<PathBuf>,
    /// Server profile to answer as (default: the newest stable Valkey).
    #[arg(long, value_name = "PROFILE")]
    pub profile: Option<String>,
    /// Print how many of the profile's commands are implemented, and which are not, then exit.
    #[arg(long)]
    pub coverage: bool,
    /// Worker threads for connections (commands still run one at a time, as on the real
    /// server; one thread measured the least CPU per request with redis-benchmark).
    #[arg(long, default_value_t = 1, value_name = "N")]
    pub threads: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    Human,
    Json,
    /// A Markdown table (the README's rule list is generated with this).
    Markdown,
}

#[derive(Debug, Args)]
pub struct RulesArgs {
    #[arg(long, short = 'f', value_enum, default_value_t = ListFormat::Human)]
    pub format: ListFormat,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// A rule code (CFG001) or name (target-refuses-config).
    pub rule: String,
    #[arg(long, short = 'f', value_enum, default_value_t = ListFormat::Human)]
    pub format: ListFormat,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Directory to write .valkey-migrate.toml into.
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// Overwrite an existing file.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    pub shell: clap_complete::Shell,
}
