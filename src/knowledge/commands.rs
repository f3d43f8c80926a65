//! Core commands across server profiles: which a Redis version has and a Valkey version
//! lacks. The command tables are those of the server profiles (`profiles/*.toml`), the same
//! tables that drive the bundled server.

use super::Knowledge;
use std::collections::BTreeSet;

/// Commands outside the module families that some Redis profile has and some Valkey profile
/// lacks (`HEXPIRE`, `XACKDEL`, …), with whether each is also an ordinary word. Empty while
/// the profiles carry no command table.
pub fn scanned_core_commands(knowledge: &Knowledge) -> Vec<(String, bool)> {
    let names = knowledge.profile_names();
    let tables: Vec<(String, BTreeSet<String>)> =
        names.iter().filter_map(|n| Some((n.clone(), command_table(knowledge, n)?))).collect();
    let valkey: Vec<&BTreeSet<String>> =
        tables.iter().filter(|(n, _)| n.starts_with("valkey-")).map(|(_, t)| t).collect();
    if valkey.is_empty() {
        return Vec::new();
    }
    let mut out = BTreeSet::new();
    for (_, table) in tables.iter().filter(|(n, _)| n.starts_with("redis-")) {
        for cmd in table {
            if valkey.iter().any(|v| !v.contains(cmd)) {
                out.insert(cmd.clone());
            }
        }
    }
    out.into_iter().map(|c| (c, false)).collect()
}

/// Top-level command names of a profile, upper case; `None` without a command table.
pub fn command_table(knowledge: &Knowledge, profile: &str) -> Option<BTreeSet<String>> {
    let text = knowledge.file(&format!("profiles/{profile}.toml"))?;
    let doc: toml::Table = toml::from_str(text).ok()?;
    let commands = doc.get("command")?.as_array()?;
    let set: BTreeSet<String> = commands
        .iter()
        .filter_map(|c| c.get("name")?.as_str())
        .filter(|n| !n.contains('|') && !n.contains(' '))
        .map(|n| n.to_ascii_uppercase())
        .collect();
    (!set.is_empty()).then_some(set)
}
