//! Core commands across server profiles: which a Redis version has and some Valkey version
//! lacks, and from which Valkey version a command exists. Read from the profiles' command
//! tables (`COMMAND` and `COMMAND DOCS` of the real binaries), the same tables that drive the
//! bundled server.

use super::images::Version;
use super::{Knowledge, Profile};
use crate::knowledge::profile::Product as ProfileProduct;
use std::collections::BTreeSet;
use std::sync::Arc;

/// The oldest Valkey line; a command whose `since` is newer is missing from some Valkey target.
const FIRST_VALKEY: &str = "7.2";

fn profiles(knowledge: &Knowledge) -> Vec<Arc<Profile>> {
    knowledge.profile_names().iter().filter_map(|n| knowledge.profile(n).ok()).collect()
}

/// Where the derived list ships: deriving it parses every profile's command table, which was
/// most of a small audit's time.
pub const SCANNED_COMMANDS_FILE: &str = "scanned-commands.toml";

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ScannedCommands {
    #[allow(dead_code)]
    source: String,
    commands: Vec<String>,
    /// Those of `commands` that are also ordinary words.
    #[serde(default)]
    words: Vec<String>,
}

/// `scanned_core_commands`, read from `rules/scanned-commands.toml` (a test keeps it equal to
/// the derivation). Derived again when a `--rules-dir` replaces a profile, so an overlay still
/// reaches the code scan.
pub fn scanned_core_commands_shipped(knowledge: &Knowledge) -> Vec<(String, bool)> {
    let overlaid = knowledge.files_under("profiles/").any(|(rel, _)| knowledge.origin(rel) != format!("rules/{rel}"));
    if !overlaid {
        if let Ok(list) = knowledge.parse_toml::<ScannedCommands>(SCANNED_COMMANDS_FILE) {
            return list.commands.into_iter().map(|c| (c.clone(), list.words.contains(&c))).collect();
        }
    }
    scanned_core_commands(knowledge)
}

/// The text of `rules/scanned-commands.toml` for a derived list.
pub fn scanned_commands_file(list: &[(String, bool)]) -> String {
    let quoted = |names: Vec<&String>| names.iter().map(|c| format!("  \"{c}\",\n")).collect::<String>();
    format!(
        "# Core commands some Valkey target lacks, which the code scan looks for (see\n\
         # src/knowledge/commands.rs). Derived from the profiles' command tables; regenerate with\n\
         # `VALKEY_MIGRATE_UPDATE_DATA=1 cargo test --test it scanned_commands` (a test fails when\n\
         # this file and the profiles disagree).\n\
         source = \"derived: rules/profiles/*.toml command tables (COMMAND and COMMAND DOCS of the real servers)\"\n\
         commands = [\n{}]\nwords = [\n{}]\n",
        quoted(list.iter().map(|(c, _)| c).collect()),
        quoted(list.iter().filter(|(_, w)| *w).map(|(c, _)| c).collect()),
    )
}

/// Upper-case top-level commands outside the module families that some Valkey target lacks:
/// those a Redis profile has and a Valkey profile does not (`XACKDEL`), and those a Valkey
/// profile has only since a later release than the first Valkey (`HEXPIRE`, since 9.0.0).
/// Each comes with whether it is also an ordinary word (none so far).
pub fn scanned_core_commands(knowledge: &Knowledge) -> Vec<(String, bool)> {
    let all = profiles(knowledge);
    let tables = |product: ProfileProduct| -> Vec<_> {
        all.iter().filter(|p| p.header.product == product).filter_map(|p| p.commands().ok()).collect()
    };
    let valkey = tables(ProfileProduct::Valkey);
    let redis = tables(ProfileProduct::Redis);
    let mut out = BTreeSet::new();
    for table in &redis {
        for c in table.top_level() {
            // Redis 6.2 lists `post` and `host:`: traps that drop HTTP requests sent to the
            // port (cross-protocol scripting), not commands any client sends.
            if matches!(c.name.as_str(), "post" | "host:") {
                continue;
            }
            if valkey.iter().any(|v| v.get(&c.name).is_none()) {
                out.insert(c.name.to_ascii_uppercase());
            }
        }
    }
    for table in &valkey {
        for c in table.top_level() {
            if since(c).is_some_and(|v| Version::parse(FIRST_VALKEY).is_some_and(|first| v.line() > first.line())) {
                out.insert(c.name.to_ascii_uppercase());
            }
        }
    }
    out.into_iter().map(|c| (c, false)).collect()
}

fn since(c: &crate::knowledge::profile::Command) -> Option<Version> {
    Version::parse(c.docs.as_ref()?.since.as_deref()?)
}

/// Whether a profile has a command; `None` when its command table does not load.
pub fn has_command(profile: &Profile, command: &str) -> Option<bool> {
    profile.commands().ok().map(|t| t.get(command).is_some())
}

/// The first Valkey version that has a command: the `since` of its `COMMAND DOCS` in a Valkey
/// profile, or the oldest Valkey profile that has it.
pub fn first_valkey_with(knowledge: &Knowledge, command: &str) -> Option<Version> {
    profiles(knowledge)
        .iter()
        .filter(|p| p.header.product == ProfileProduct::Valkey)
        .filter_map(|p| {
            let table = p.commands().ok()?;
            let c = table.get(command)?;
            since(c).or_else(|| Version::parse(&p.header.version))
        })
        .min_by_key(|v| (v.line(), v.patch))
}
