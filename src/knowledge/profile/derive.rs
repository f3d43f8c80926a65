//! Derived profiles: a version no binary here runs, described as changes to a generated
//! profile. Every change cites where the fact comes from; `unverified = true` marks a change
//! no primary source confirms, and rules built on it say so.
//!
//! ```toml
//! [profile]
//! name = "valkey-9.0"
//! base = "valkey-9.1"
//! …
//! [[change]]
//! what = "remove-config"
//! name = "hash-seed"
//! source = "valkey 9.1.0-rc1 release notes (#2608)"
//! ```
//!
//! `what` is one of `add-config` (`config = {…}`), `remove-config`, `change-config`
//! (`set = {…}` overwrites fields), `add-directive` (`directive = {…}`), `remove-directive`,
//! `change-directive`, `add-command` (`command = {…}`), `remove-command` (`subcommands = true`
//! removes its `parent|…` entries too), `change-command`, `change-loader`, `change-identity`
//! (`hello = { field = value }`, `info = { field = "value" }`, `remove_info = [...]`) and
//! `change-error` (`key`, `reply`).

use super::schema::*;
use super::{CommandSource, Profile, ProfileHead};
use crate::knowledge::{Knowledge, KnowledgeError};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use std::collections::BTreeMap;
use std::sync::Arc;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Change {
    what: What,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    set: Option<toml::Table>,
    #[serde(default)]
    config: Option<toml::Table>,
    #[serde(default)]
    directive: Option<toml::Table>,
    #[serde(default)]
    command: Option<toml::Table>,
    #[serde(default)]
    subcommands: bool,
    #[serde(default)]
    hello: BTreeMap<String, RespValue>,
    #[serde(default)]
    info: BTreeMap<String, String>,
    #[serde(default)]
    remove_info: Vec<String>,
    #[serde(default)]
    key: Option<String>,
    #[serde(default)]
    reply: Option<String>,
    source: String,
    #[serde(default)]
    unverified: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
enum What {
    AddConfig,
    RemoveConfig,
    ChangeConfig,
    AddDirective,
    RemoveDirective,
    ChangeDirective,
    AddCommand,
    RemoveCommand,
    ChangeCommand,
    ChangeLoader,
    ChangeIdentity,
    ChangeError,
}

fn err(origin: &str, message: String) -> KnowledgeError {
    KnowledgeError { message: format!("{origin}: {message}"), origin: origin.to_string(), location: None, help: None }
}

/// A derived profile's base must be a generated one, so that chains (and loops) cannot form.
pub(super) fn check_base_is_generated(knowledge: &Knowledge, origin: &str, base: &str) -> Result<(), KnowledgeError> {
    let rel = format!("profiles/{base}.toml");
    let Some(text) = knowledge.file(&rel) else {
        return Err(err(origin, format!("base profile '{base}' does not exist")));
    };
    let (head, _) = super::split_commands(text);
    #[derive(Deserialize)]
    struct Peek {
        profile: Header,
    }
    #[derive(Deserialize)]
    struct Header {
        base: Option<String>,
    }
    match toml::from_str::<Peek>(head) {
        Ok(p) if p.profile.base.is_some() => {
            Err(err(origin, format!("base profile '{base}' is itself derived; derive from a generated profile")))
        }
        _ => Ok(()),
    }
}

/// `value` with the fields of `set` replaced, through its TOML form.
fn overlay<T: serde::Serialize + DeserializeOwned>(
    origin: &str,
    what: &str,
    value: &T,
    set: &toml::Table,
) -> Result<T, KnowledgeError> {
    let mut table = toml::Table::try_from(value).map_err(|e| err(origin, format!("{what}: {e}")))?;
    for (k, v) in set {
        table.insert(k.clone(), v.clone());
    }
    table.try_into().map_err(|e: toml::de::Error| err(origin, format!("{what}: {}", e.message())))
}

fn parse<T: DeserializeOwned>(origin: &str, what: &str, table: Option<&toml::Table>) -> Result<T, KnowledgeError> {
    let table = table.ok_or_else(|| err(origin, format!("{what}: the change needs its table")))?;
    table.clone().try_into().map_err(|e: toml::de::Error| err(origin, format!("{what}: {}", e.message())))
}

fn need_name<'a>(origin: &str, c: &'a Change) -> Result<&'a str, KnowledgeError> {
    c.name.as_deref().ok_or_else(|| err(origin, format!("a {:?} change needs `name`", c.what)))
}

pub(super) fn apply(origin: &str, head: ProfileHead, base: Arc<Profile>) -> Result<Profile, KnowledgeError> {
    let mut loader = base.loader.clone();
    let mut identity = base.identity.clone();
    let mut errors = base.errors.clone();
    let mut configs = base.configs.clone();
    let mut directives = base.directives.clone();
    let mut command_changes = Vec::new();
    for c in &head.changes {
        let label = format!("{:?} {}", c.what, c.name.as_deref().unwrap_or(""));
        match c.what {
            What::AddConfig => {
                let mut p: ConfigParam = parse(origin, &label, c.config.as_ref())?;
                if configs.iter().any(|x| x.name == p.name) {
                    return Err(err(origin, format!("add-config {}: the base has it already", p.name)));
                }
                p.source = Some(c.source.clone());
                p.unverified = c.unverified;
                configs.push(p);
            }
            What::RemoveConfig => {
                let name = need_name(origin, c)?;
                let before = configs.len();
                configs.retain(|x| x.name != name);
                if configs.len() == before {
                    return Err(err(origin, format!("remove-config {name}: not in the base")));
                }
            }
            What::ChangeConfig => {
                let name = need_name(origin, c)?;
                let set = c.set.as_ref().ok_or_else(|| err(origin, format!("{label}: needs `set`")))?;
                let p = configs
                    .iter_mut()
                    .find(|x| x.name == name)
                    .ok_or_else(|| err(origin, format!("change-config {name}: not in the base")))?;
                *p = overlay(origin, &label, p, set)?;
                p.source = Some(c.source.clone());
                p.unverified = c.unverified;
            }
            What::AddDirective => {
                let mut d: Directive = parse(origin, &label, c.directive.as_ref())?;
                d.source = Some(c.source.clone());
                d.unverified = c.unverified;
                directives.push(d);
            }
            What::RemoveDirective => {
                let name = need_name(origin, c)?;
                let before = directives.len();
                directives.retain(|x| x.name != name);
                if directives.len() == before {
                    return Err(err(origin, format!("remove-directive {name}: not in the base")));
                }
            }
            What::ChangeDirective => {
                let name = need_name(origin, c)?;
                let set = c.set.as_ref().ok_or_else(|| err(origin, format!("{label}: needs `set`")))?;
                let d = directives
                    .iter_mut()
                    .find(|x| x.name == name)
                    .ok_or_else(|| err(origin, format!("change-directive {name}: not in the base")))?;
                *d = overlay(origin, &label, d, set)?;
                d.source = Some(c.source.clone());
                d.unverified = c.unverified;
            }
            What::AddCommand | What::RemoveCommand | What::ChangeCommand => {
                // Applied when the command table is first asked for (it loads lazily).
                if c.what != What::AddCommand {
                    need_name(origin, c)?;
                }
                command_changes.push(c.clone());
            }
            What::ChangeLoader => {
                let set = c.set.as_ref().ok_or_else(|| err(origin, format!("{label}: needs `set`")))?;
                loader = overlay(origin, &label, &loader, set)?;
            }
            What::ChangeIdentity => {
                for (field, value) in &c.hello {
                    let mut found = false;
                    for h in [identity.hello2.as_mut(), identity.hello3.as_mut()].into_iter().flatten() {
                        for f in h.fields.iter_mut().filter(|f| &f.field == field) {
                            f.value = value.clone();
                            found = true;
                        }
                    }
                    if !found {
                        return Err(err(origin, format!("change-identity: no HELLO field '{field}' in the base")));
                    }
                }
                for (field, value) in &c.info {
                    let f = identity
                        .info
                        .iter_mut()
                        .flat_map(|s| s.fields.iter_mut())
                        .find(|f| &f.name == field)
                        .ok_or_else(|| err(origin, format!("change-identity: no INFO field '{field}' in the base")))?;
                    f.value = Some(value.clone());
                }
                for field in &c.remove_info {
                    for s in &mut identity.info {
                        s.fields.retain(|f| &f.name != field);
                    }
                }
            }
            What::ChangeError => {
                let key = c.key.as_deref().ok_or_else(|| err(origin, "change-error needs `key`".into()))?;
                let e = errors
                    .iter_mut()
                    .find(|e| e.key == key)
                    .ok_or_else(|| err(origin, format!("change-error {key}: not in the base")))?;
                e.reply = c.reply.clone();
                e.source = Some(c.source.clone());
            }
        }
    }
    configs.sort_by(|a, b| a.name.cmp(&b.name));
    let head = ProfileHead {
        profile: head.profile,
        loader: None,
        identity,
        errors,
        configs,
        directives,
        command_format: base.command_format.clone(),
        changes: Vec::new(),
    };
    let source = CommandSource::Derived { origin: origin.to_string(), base, changes: command_changes };
    Ok(Profile::assemble(head, loader, source))
}

/// The base's command table with the command changes applied.
pub(super) fn apply_commands(
    origin: &str,
    base: &[Command],
    changes: &[Change],
) -> Result<Vec<Command>, KnowledgeError> {
    let mut commands = base.to_vec();
    for c in changes {
        let name = c.name.clone().unwrap_or_default();
        match c.what {
            What::AddCommand => {
                let mut cmd: Command = parse(origin, "add-command", c.command.as_ref())?;
                cmd.source = Some(c.source.clone());
                cmd.unverified = c.unverified;
                if commands.iter().any(|x| x.name == cmd.name) {
                    return Err(err(origin, format!("add-command {}: the base has it already", cmd.name)));
                }
                commands.push(cmd);
            }
            What::RemoveCommand => {
                let prefix = format!("{name}|");
                let before = commands.len();
                commands.retain(|x| x.name != name && !(c.subcommands && x.name.starts_with(&prefix)));
                if commands.len() == before {
                    return Err(err(origin, format!("remove-command {name}: not in the base")));
                }
            }
            What::ChangeCommand => {
                let set = c.set.as_ref().ok_or_else(|| err(origin, format!("change-command {name}: needs `set`")))?;
                let cmd = commands
                    .iter_mut()
                    .find(|x| x.name == name)
                    .ok_or_else(|| err(origin, format!("change-command {name}: not in the base")))?;
                *cmd = overlay(origin, &format!("change-command {name}"), cmd, set)?;
                cmd.source = Some(c.source.clone());
                cmd.unverified = c.unverified;
            }
            _ => {}
        }
    }
    Ok(commands)
}
