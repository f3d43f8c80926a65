//! The command table the server answers with: every command and subcommand of the profile
//! with its arity, flags, key positions and ACL categories. Lookups happen once per request,
//! so names are matched case-insensitively without allocating.

use std::collections::HashMap;

/// Command flags the dispatcher acts on (the profile keeps the full list for COMMAND INFO).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Flags {
    pub write: bool,
    pub readonly: bool,
    pub denyoom: bool,
    pub admin: bool,
    pub pubsub: bool,
    pub noscript: bool,
    pub blocking: bool,
    pub loading: bool,
    pub stale: bool,
    pub no_auth: bool,
    pub no_multi: bool,
    pub fast: bool,
    pub may_replicate: bool,
    pub allow_busy: bool,
}

impl Flags {
    pub fn from_names<'a>(names: impl IntoIterator<Item = &'a str>) -> Self {
        let mut f = Flags::default();
        for n in names {
            match n.to_ascii_lowercase().as_str() {
                "write" => f.write = true,
                "readonly" => f.readonly = true,
                "denyoom" => f.denyoom = true,
                "admin" => f.admin = true,
                "pubsub" => f.pubsub = true,
                "noscript" => f.noscript = true,
                "blocking" => f.blocking = true,
                "loading" => f.loading = true,
                "stale" => f.stale = true,
                "no_auth" => f.no_auth = true,
                "no_multi" => f.no_multi = true,
                "fast" => f.fast = true,
                "may_replicate" => f.may_replicate = true,
                "allow_busy" => f.allow_busy = true,
                _ => {}
            }
        }
        f
    }
}

/// Where a command's keys are, in the legacy first/last/step form (enough for ACL key
/// checks and WATCH-like bookkeeping); `movable` commands find theirs by parsing.
#[derive(Debug, Clone, Copy, Default)]
pub struct KeyPositions {
    pub first: i32,
    pub last: i32,
    pub step: i32,
}

#[derive(Debug, Clone)]
pub struct CommandSpec {
    /// `get`, or `config|get` for a subcommand.
    pub full_name: String,
    pub arity: i32,
    pub flags: Flags,
    pub keys: KeyPositions,
    /// ACL categories without the `@`.
    pub categories: Vec<String>,
    pub subcommands: HashMap<String, CommandSpec>,
    /// Index into the table's list of full names.
    pub id: usize,
    /// Where calls are counted: the command's own entry, or its container's for a
    /// synthetic subcommand (the old servers counted `client`, not `client|id`).
    pub stats_id: usize,
    /// A subcommand the profile does not list: its server (Redis 6.2) dispatched
    /// subcommands inside the container's own code, so the table borrows their shapes from
    /// the newest profile to route them to the same handlers.
    pub synthetic: bool,
    /// The bundled server's implementation, when it has one.
    pub handler: Option<crate::server::commands::Handler>,
}

impl CommandSpec {
    pub fn is_container(&self) -> bool {
        !self.subcommands.is_empty()
    }

    pub fn has_category(&self, cat: &str) -> bool {
        self.categories.iter().any(|c| c.eq_ignore_ascii_case(cat))
    }

    /// Whether `argc` arguments satisfy the arity (`-N` means at least N).
    pub fn arity_ok(&self, argc: usize) -> bool {
        let argc = argc as i64;
        let arity = i64::from(self.arity);
        if arity >= 0 { argc == arity } else { argc >= -arity }
    }

    /// Positions of the keys among the arguments, from first/last/step.
    pub fn key_indexes(&self, argc: usize) -> Vec<usize> {
        let KeyPositions { first, last, step } = self.keys;
        if first <= 0 || step <= 0 {
            return Vec::new();
        }
        let last = if last < 0 { argc as i32 + last } else { last.min(argc as i32 - 1) };
        (first..=last).step_by(step as usize).filter(|&i| (i as usize) < argc).map(|i| i as usize).collect()
    }
}

#[derive(Debug, Default)]
pub struct CommandTable {
    commands: HashMap<String, CommandSpec, crate::server::keyspace::Hasher>,
    /// Full names by id, for statistics.
    names: Vec<String>,
    /// The profile's server quotes unknown commands in backticks and refuses subcommands
    /// with its pre-7 text.
    pub legacy_errors: bool,
}

impl CommandTable {
    pub fn new(mut specs: Vec<CommandSpec>) -> Self {
        let mut names = Vec::new();
        let mut commands = HashMap::default();
        for spec in specs.iter_mut() {
            spec.id = names.len();
            spec.stats_id = spec.id;
            names.push(spec.full_name.clone());
            let parent = spec.id;
            let mut subs: Vec<_> = spec.subcommands.values_mut().collect();
            subs.sort_by(|a, b| a.full_name.cmp(&b.full_name));
            for sub in subs {
                sub.id = names.len();
                sub.stats_id = if sub.synthetic { parent } else { sub.id };
                names.push(sub.full_name.clone());
            }
        }
        for spec in specs {
            commands.insert(spec.full_name.clone(), spec);
        }
        CommandTable { commands, names, legacy_errors: false }
    }

    pub fn len(&self) -> usize {
        self.commands.len()
    }

    /// Attaches the implementations, by full name.
    pub fn attach(&mut self, handlers: &crate::server::commands::Handlers) {
        for spec in self.commands.values_mut() {
            spec.handler = handlers.get(spec.full_name.as_str()).copied();
            for sub in spec.subcommands.values_mut() {
                sub.handler = handlers.get(sub.full_name.as_str()).copied();
            }
        }
    }

    /// `rename-command`: the command answers to a new name (or to none when empty); its
    /// full name, used in error texts and statistics, stays the original.
    pub fn rename(&mut self, from: &str, to: &str) {
        if let Some(spec) = self.commands.remove(&from.to_ascii_lowercase()) {
            if !to.is_empty() {
                self.commands.insert(to.to_ascii_lowercase(), spec);
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.commands.is_empty()
    }

    pub fn names(&self) -> &[String] {
        &self.names
    }

    pub fn get(&self, name: &[u8]) -> Option<&CommandSpec> {
        let mut buf = [0u8; 64];
        if name.len() > buf.len() {
            return None;
        }
        let lower = &mut buf[..name.len()];
        lower.copy_from_slice(name);
        lower.make_ascii_lowercase();
        self.commands.get(std::str::from_utf8(lower).ok()?)
    }

    /// The command (or subcommand) a request names, as `lookupCommand` resolves it.
    pub fn lookup(&self, name: &[u8], sub: Option<&[u8]>) -> Option<&CommandSpec> {
        let cmd = self.get(name)?;
        // A container named alone is looked up as itself; its arity then refuses it.
        let Some(sub) = sub.filter(|_| cmd.is_container()) else { return Some(cmd) };
        let lower = String::from_utf8_lossy(sub).to_ascii_lowercase();
        cmd.subcommands.get(&lower)
    }

    /// Every command, subcommands included, by full name.
    pub fn all(&self) -> impl Iterator<Item = &CommandSpec> {
        self.commands.values().flat_map(|c| std::iter::once(c).chain(c.subcommands.values()))
    }

    pub fn top_level(&self) -> impl Iterator<Item = &CommandSpec> {
        self.commands.values()
    }
}

fn spec_of(c: &crate::knowledge::profile::Command) -> CommandSpec {
    CommandSpec {
        full_name: c.name.clone(),
        arity: c.arity as i32,
        flags: Flags::from_names(c.flags.iter().map(String::as_str)),
        keys: KeyPositions { first: c.first_key as i32, last: c.last_key as i32, step: c.step as i32 },
        categories: c.acl_categories.iter().map(|a| a.trim_start_matches('@').to_string()).collect(),
        subcommands: HashMap::new(),
        id: 0,
        stats_id: 0,
        synthetic: false,
        handler: None,
    }
}

/// The command table of a profile: every command with its subcommands. A profile whose
/// table does not load gives an empty table (every command is then unknown), and the error
/// is reported by `serve` before it starts.
///
/// A profile that lists no subcommands at all (Redis 6.2) takes the subcommands of its
/// containers from `shapes` (the newest profile), marked synthetic.
pub fn from_profile(
    profile: &crate::knowledge::Profile,
    shapes: impl FnOnce() -> Option<std::sync::Arc<crate::knowledge::Profile>>,
) -> CommandTable {
    let Ok(commands) = profile.commands() else { return CommandTable::default() };
    let lists_subcommands = commands.top_level().any(|c| commands.subcommands(&c.name).next().is_some());
    let borrowed = if lists_subcommands { None } else { shapes().and_then(|p| p.commands().ok()) };
    let specs = commands
        .top_level()
        .map(|c| {
            let mut top = spec_of(c);
            for sub in commands.subcommands(&c.name) {
                let name = sub.name.split_once('|').map_or("", |(_, s)| s).to_string();
                top.subcommands.insert(name, spec_of(sub));
            }
            if let Some(newest) = &borrowed {
                for sub in newest.subcommands(&c.name) {
                    let name = sub.name.split_once('|').map_or("", |(_, s)| s).to_string();
                    let mut spec = spec_of(sub);
                    spec.synthetic = true;
                    top.subcommands.insert(name, spec);
                }
            }
            top
        })
        .collect();
    let mut table = CommandTable::new(specs);
    table.legacy_errors =
        profile.error("unknown-command").is_some_and(|e| e.reply.as_deref().is_some_and(|r| r.contains('`')));
    table
}
