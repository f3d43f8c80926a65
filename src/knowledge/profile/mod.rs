//! Server profiles: what one server version accepts in a config file, how it answers, and its
//! command table. `rules/profiles/<name>.toml`.
//!
//! Generated profiles (`valkey-8.1`, `valkey-9.1`, `redis-6.2`, `redis-7.0`, `redis-8.2`) are
//! written by `scripts/gen-profiles` from the real binaries:
//!
//! - `[profile]`: name, product, version, source (the binary and its package).
//! - `[loader]`: how the config loader behaves — its fatal header, what it does with unknown
//!   and dotted names (`fatal` or `deferred`), its tokeniser generation, its generic texts.
//! - `[identity]`: the HELLO 2/3 replies field by field, INFO sections and fields (stable
//!   values recorded, volatile ones marked).
//! - `[[error]]`: error replies captured byte for byte, with the request that produced them.
//! - `[[config]]`: every parameter `CONFIG GET` knows (hidden ones too): aliases, default,
//!   mutability, type, bounds, enum values, extra checks, and the texts of special grammars.
//! - `[[directive]]`: what else a config file may hold (`include`, `user`, deprecated names…).
//! - `[command_format]` and `[[command]]`: the `COMMAND`/`COMMAND DOCS` table, last in the
//!   file so that the part before it loads without parsing the commands.
//!
//! Derived profiles (`base = "…"` in `[profile]`) hold only `[[change]]` entries applied to
//! their base, each citing its source; see [`derive`].

pub mod acl;
pub mod check;
pub mod cparse;
mod derive;
pub mod schema;
mod special;

use super::{Knowledge, KnowledgeError};
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

pub use check::{ConfigFileChecker, LineVerdict, Verdict};
pub use schema::*;

/// The part of a profile file before the command table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ProfileHead {
    profile: ProfileHeader,
    loader: Option<Loader>,
    #[serde(default)]
    identity: Identity,
    #[serde(default, rename = "error")]
    errors: Vec<ErrorReply>,
    #[serde(default, rename = "config")]
    configs: Vec<ConfigParam>,
    #[serde(default, rename = "directive")]
    directives: Vec<Directive>,
    #[serde(default)]
    command_format: CommandFormat,
    #[serde(default, rename = "change")]
    changes: Vec<derive::Change>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CommandPart {
    #[serde(default)]
    command: Vec<Command>,
}

/// The command table, indexed by lower-case name (`get`, `client|info`).
#[derive(Debug, Clone, Default)]
pub struct CommandTable {
    pub commands: Vec<Command>,
    by_name: HashMap<String, usize>,
}

impl CommandTable {
    fn new(mut commands: Vec<Command>) -> Self {
        commands.sort_by(|a, b| a.name.cmp(&b.name));
        let by_name = commands.iter().enumerate().map(|(i, c)| (c.name.clone(), i)).collect();
        CommandTable { commands, by_name }
    }

    pub fn get(&self, name: &str) -> Option<&Command> {
        self.by_name.get(&name.to_ascii_lowercase()).map(|&i| &self.commands[i])
    }

    /// Top-level commands (no `|`).
    pub fn top_level(&self) -> impl Iterator<Item = &Command> {
        self.commands.iter().filter(|c| !c.name.contains('|'))
    }

    /// The subcommands of `parent`, sorted by name.
    pub fn subcommands<'a>(&'a self, parent: &str) -> impl Iterator<Item = &'a Command> + 'a {
        let prefix = format!("{}|", parent.to_ascii_lowercase());
        self.commands.iter().filter(move |c| c.name.starts_with(&prefix))
    }
}

/// Where a profile's command table comes from, parsed on first use.
#[derive(Debug)]
enum CommandSource {
    Text { origin: String, text: Arc<str>, offset: usize },
    Derived { origin: String, base: Arc<Profile>, changes: Vec<derive::Change> },
}

#[derive(Debug)]
pub struct Profile {
    pub header: ProfileHeader,
    pub loader: Loader,
    pub identity: Identity,
    pub errors: Vec<ErrorReply>,
    pub configs: Vec<ConfigParam>,
    pub directives: Vec<Directive>,
    pub command_format: CommandFormat,
    by_name: HashMap<String, usize>,
    commands_from: CommandSource,
    commands: OnceLock<Result<Arc<CommandTable>, KnowledgeError>>,
}

impl Profile {
    pub(crate) fn load(knowledge: &Knowledge, name: &str) -> Result<Self, KnowledgeError> {
        let rel = format!("profiles/{name}.toml");
        let Some(text) = knowledge.file(&rel) else {
            return Err(KnowledgeError {
                message: format!("unknown server profile '{name}'"),
                origin: knowledge.origin(&rel),
                location: None,
                help: Some(format!("known profiles: {}", knowledge.profile_names().join(", "))),
            });
        };
        let origin = knowledge.origin(&rel);
        let (head_text, tail) = split_commands(text);
        let head: ProfileHead = toml::from_str(head_text).map_err(|e| toml_error(&origin, text, &e, 0))?;
        if head.profile.name != name {
            return Err(KnowledgeError {
                message: format!("{origin}: the file names itself '{}'", head.profile.name),
                origin,
                location: None,
                help: Some("[profile] name must match the file name".into()),
            });
        }
        match head.profile.base.clone() {
            Some(base) => {
                if tail.is_some() {
                    return Err(KnowledgeError {
                        message: format!("{origin}: a derived profile lists command changes, not [[command]] tables"),
                        origin,
                        location: None,
                        help: Some("use [[change]] what = \"add-command\"".into()),
                    });
                }
                derive::check_base_is_generated(knowledge, &origin, &base)?;
                let base = knowledge.profile(&base).map_err(|e| KnowledgeError {
                    message: format!("{origin}: base profile '{base}': {}", e.message),
                    ..e
                })?;
                derive::apply(&origin, head, base)
            }
            None => {
                let loader = head.loader.clone().ok_or_else(|| KnowledgeError {
                    message: format!("{origin}: a generated profile needs a [loader] table"),
                    origin: origin.clone(),
                    location: None,
                    help: None,
                })?;
                if !head.changes.is_empty() {
                    return Err(KnowledgeError {
                        message: format!("{origin}: [[change]] entries need `base` in [profile]"),
                        origin,
                        location: None,
                        help: None,
                    });
                }
                let source = CommandSource::Text {
                    origin: origin.clone(),
                    text: Arc::from(text),
                    offset: tail.map_or(text.len(), |(o, _)| o),
                };
                Ok(Profile::assemble(head, loader, source))
            }
        }
    }

    fn assemble(head: ProfileHead, loader: Loader, commands_from: CommandSource) -> Self {
        let mut by_name = HashMap::new();
        for (i, c) in head.configs.iter().enumerate() {
            by_name.insert(c.name.to_ascii_lowercase(), i);
            for a in &c.aliases {
                by_name.insert(a.to_ascii_lowercase(), i);
            }
        }
        Profile {
            header: head.profile,
            loader,
            identity: head.identity,
            errors: head.errors,
            configs: head.configs,
            directives: head.directives,
            command_format: head.command_format,
            by_name,
            commands_from,
            commands: OnceLock::new(),
        }
    }

    pub fn name(&self) -> &str {
        &self.header.name
    }

    /// A human label such as `Valkey 9.1.2`.
    pub fn display_name(&self) -> String {
        let product = match self.header.product {
            Product::Valkey => "Valkey",
            Product::Redis => "Redis",
        };
        format!("{product} {}", self.header.version)
    }

    /// The config parameter a name or alias refers to, case-insensitively.
    pub fn config(&self, name: &str) -> Option<&ConfigParam> {
        self.by_name.get(&name.to_ascii_lowercase()).map(|&i| &self.configs[i])
    }

    /// A directive outside the config table by name, case-insensitively.
    pub fn directive(&self, name: &str) -> Option<&Directive> {
        self.directives.iter().find(|d| d.name.eq_ignore_ascii_case(name))
    }

    /// Whether a config file line starting with `name` can get past the loader with some
    /// arguments (see [`Profile::check_directive`] for a verdict on a whole line).
    pub fn knows_directive(&self, name: &str) -> bool {
        self.config(name).is_some() || self.directive(name).is_some()
    }

    /// A captured error reply by key (`wrong-arity`, `unknown-command`, `noauth`, …).
    pub fn error(&self, key: &str) -> Option<&ErrorReply> {
        self.errors.iter().find(|e| e.key == key)
    }

    /// The command table, parsed on first use.
    pub fn commands(&self) -> Result<Arc<CommandTable>, KnowledgeError> {
        self.commands
            .get_or_init(|| match &self.commands_from {
                CommandSource::Text { origin, text, offset } => {
                    let part: CommandPart = toml::from_str(&text[*offset..]).map_err(|e| KnowledgeError {
                        help: Some("the command table comes last and holds only [[command]] entries".into()),
                        ..toml_error(origin, text, &e, *offset)
                    })?;
                    Ok(Arc::new(CommandTable::new(part.command)))
                }
                CommandSource::Derived { origin, base, changes } => {
                    let base = base.commands()?;
                    Ok(Arc::new(CommandTable::new(derive::apply_commands(origin, &base.commands, changes)?)))
                }
            })
            .clone()
    }

    /// One command or `parent|sub`, case-insensitively. `None` when the table does not load
    /// (see [`Profile::commands`] for the error).
    pub fn command(&self, name: &str) -> Option<Command> {
        self.commands().ok()?.get(name).cloned()
    }

    /// The verdict of this server's config loader on one line, tokenised as it would be.
    pub fn check_line(&self, line: &[u8]) -> LineVerdict {
        ConfigFileChecker::new(self).check_line(line)
    }

    /// The verdict on one directive whose arguments are already unquoted. State that spans
    /// lines (renamed commands, users defined twice) needs a [`ConfigFileChecker`].
    pub fn check_directive(&self, name: &str, args: &[&str]) -> Verdict {
        let mut argv: Vec<Vec<u8>> = vec![name.as_bytes().to_vec()];
        argv.extend(args.iter().map(|a| a.as_bytes().to_vec()));
        ConfigFileChecker::new(self).check_argv(&argv)
    }

    /// What the server prints on stderr when it refuses line `line_no` (1-based) of its config
    /// file with `message`: the exact bytes, including the leading empty line.
    pub fn render_fatal(&self, line_no: u32, line: &str, message: &str) -> String {
        format!(
            "\n{}\nReading the configuration file, at line {line_no}\n>>> '{line}'\n{message}\n",
            self.loader.fatal_header
        )
    }
}

/// Splits a profile file at its first `[[command]]` table: the part before it, and the command
/// table with its byte offset.
fn split_commands(text: &str) -> (&str, Option<(usize, &str)>) {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if line.trim_end() == "[[command]]" {
            return (&text[..offset], Some((offset, &text[offset..])));
        }
        offset += line.len();
    }
    (text, None)
}

fn toml_error(origin: &str, text: &str, e: &toml::de::Error, offset: usize) -> KnowledgeError {
    let location =
        e.span().map(|span| Box::new(super::span_location(origin, text, span.start + offset..span.end + offset)));
    KnowledgeError { message: format!("{origin}: {}", e.message()), origin: origin.to_string(), location, help: None }
}
