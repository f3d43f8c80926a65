//! The server's live configuration: every parameter of the profile with its current value,
//! from the compiled-in defaults, then the config file, then CONFIG SET. Values are
//! validated by the profile's own checker (so refusals carry the server's texts) and stored
//! in the form CONFIG GET shows them (`1mb` becomes `1048576`, `KEA` becomes `AKE`).

use super::keyspace::Encodings;
use crate::knowledge::Profile;
use crate::knowledge::profile::check::{ConfigFileChecker, Verdict};
use crate::knowledge::profile::cparse;
use crate::knowledge::profile::{ConfigParam, ConfigType};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

#[derive(Debug, Clone)]
pub struct ConfigStore {
    profile: Arc<Profile>,
    /// Canonical name → current value.
    values: BTreeMap<String, String>,
    /// Alias → canonical name.
    aliases: HashMap<String, String>,
}

impl ConfigStore {
    pub fn from_profile(profile: &Arc<Profile>) -> Self {
        let mut values = BTreeMap::new();
        let mut aliases = HashMap::new();
        for c in &profile.configs {
            let default = match &c.default {
                Some(v) => v.clone(),
                // `dir` defaults to the working directory.
                None => std::env::current_dir().map(|d| d.display().to_string()).unwrap_or_default(),
            };
            values.insert(c.name.to_ascii_lowercase(), default);
            for a in &c.aliases {
                aliases.insert(a.to_ascii_lowercase(), c.name.to_ascii_lowercase());
            }
        }
        ConfigStore { profile: profile.clone(), values, aliases }
    }

    pub fn param(&self, name: &str) -> Option<&ConfigParam> {
        self.profile.config(name)
    }

    pub fn canonical(&self, name: &str) -> Option<String> {
        let lower = name.to_ascii_lowercase();
        if self.values.contains_key(&lower) {
            return Some(lower);
        }
        self.aliases.get(&lower).cloned()
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        let canonical = self.canonical(name)?;
        self.values.get(&canonical).map(String::as_str)
    }

    pub fn get_int(&self, name: &str) -> Option<i64> {
        self.get(name)?.parse().ok()
    }

    pub fn get_bool(&self, name: &str) -> bool {
        self.get(name).is_some_and(|v| v.eq_ignore_ascii_case("yes"))
    }

    /// Stores a value without validation (tests and command-line overrides that were
    /// already checked).
    pub fn set(&mut self, name: &str, value: String) {
        if let Some(canonical) = self.canonical(name) {
            self.values.insert(canonical, value);
        }
    }

    /// Validates `args` for a parameter as the server's loader does and stores the value in
    /// its CONFIG GET form. The error is the server's reason text.
    pub fn apply(&mut self, name: &str, args: &[Vec<u8>]) -> Result<(), String> {
        let param = self.param(name).ok_or_else(|| "unknown".to_string())?.clone();
        let mut argv = vec![name.as_bytes().to_vec()];
        argv.extend(args.iter().cloned());
        if let Verdict::Refused { message } = ConfigFileChecker::new(&self.profile).check_argv(&argv) {
            return Err(message);
        }
        let current = self.values.get(&param.name.to_ascii_lowercase()).cloned().unwrap_or_default();
        let value = normalise(&param, args, &self.profile.loader, &current);
        self.values.insert(param.name.to_ascii_lowercase(), value);
        Ok(())
    }

    /// Every parameter and alias that CONFIG GET may list, sorted, with hidden ones only by
    /// exact name.
    pub fn listed_names(&self) -> Vec<(String, bool)> {
        let mut names: Vec<(String, bool)> = Vec::new();
        for c in &self.profile.configs {
            names.push((c.name.clone(), c.hidden));
            for a in &c.aliases {
                names.push((a.clone(), c.hidden));
            }
        }
        names.sort();
        names
    }

    pub fn encodings(&self) -> Encodings {
        let d = Encodings::default();
        let n = |name: &str, fallback: usize| self.get_int(name).map_or(fallback, |v| v.max(0) as usize);
        Encodings {
            hash_max_listpack_entries: n("hash-max-listpack-entries", d.hash_max_listpack_entries),
            hash_max_listpack_value: n("hash-max-listpack-value", d.hash_max_listpack_value),
            set_max_intset_entries: n("set-max-intset-entries", d.set_max_intset_entries),
            set_max_listpack_entries: n("set-max-listpack-entries", d.set_max_listpack_entries),
            set_max_listpack_value: n("set-max-listpack-value", d.set_max_listpack_value),
            zset_max_listpack_entries: n("zset-max-listpack-entries", d.zset_max_listpack_entries),
            zset_max_listpack_value: n("zset-max-listpack-value", d.zset_max_listpack_value),
        }
    }
}

/// The CONFIG GET form of an accepted value.
fn normalise(
    param: &ConfigParam,
    args: &[Vec<u8>],
    loader: &crate::knowledge::profile::Loader,
    current: &str,
) -> String {
    let tail = loader.text_after_closing_quote;
    let overflow = loader.memory_overflow;
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    // A single argument of a multi-argument config is split again, as the loader does.
    let args: Vec<Vec<u8>> = if param.multi_arg && args.len() == 1 {
        cparse::split_args(&args[0], tail).unwrap_or_else(|_| args.to_vec())
    } else {
        args.to_vec()
    };
    match param.kind {
        ConfigType::Bool | ConfigType::Enum => {
            args.iter().map(|a| text(a).to_ascii_lowercase()).collect::<Vec<_>>().join(" ")
        }
        ConfigType::Int => args.first().and_then(|a| cparse::string2ll(a)).map_or_else(String::new, |v| v.to_string()),
        ConfigType::Memory => {
            args.first().and_then(|a| cparse::memtoull(a, overflow)).map_or_else(String::new, |v| v.to_string())
        }
        ConfigType::MemoryPercent => {
            let a = args.first().map(|a| text(a)).unwrap_or_default();
            if a.ends_with('%') { a } else { cparse::memtoull(a.as_bytes(), overflow).map_or(a, |v| v.to_string()) }
        }
        ConfigType::Octal => args.first().map(|a| text(a)).unwrap_or_default(),
        ConfigType::String => args.first().map(|a| text(a)).unwrap_or_default(),
        ConfigType::Special => match param.name.as_str() {
            "client-output-buffer-limit" => output_buffer_limits(current, &args, overflow),
            "notify-keyspace-events" => keyspace_events(&args.first().map(|a| text(a)).unwrap_or_default()),
            _ => args.iter().map(|a| text(a)).collect::<Vec<_>>().join(" "),
        },
    }
}

/// `client-output-buffer-limit`: classes in the server's order with sizes in bytes; classes
/// not named keep their current limits.
fn output_buffer_limits(current: &str, args: &[Vec<u8>], overflow: cparse::MemoryOverflow) -> String {
    let mut classes: Vec<(String, [u64; 3])> = vec![
        ("normal".into(), [0, 0, 0]),
        ("slave".into(), [268435456, 67108864, 60]),
        ("pubsub".into(), [33554432, 8388608, 60]),
    ];
    let now: Vec<&str> = current.split_whitespace().collect();
    for chunk in now.chunks(4).filter(|c| c.len() == 4) {
        if let Some(slot) = classes.iter_mut().find(|(c, _)| c == chunk[0]) {
            slot.1 = [chunk[1].parse().unwrap_or(0), chunk[2].parse().unwrap_or(0), chunk[3].parse().unwrap_or(0)];
        }
    }
    for chunk in args.chunks(4) {
        if chunk.len() < 4 {
            break;
        }
        let class = match String::from_utf8_lossy(&chunk[0]).to_ascii_lowercase().as_str() {
            "replica" | "slave" => "slave".to_string(),
            other => other.to_string(),
        };
        let hard = cparse::memtoull(&chunk[1], overflow).unwrap_or(0);
        let soft = cparse::memtoull(&chunk[2], overflow).unwrap_or(0);
        let secs = cparse::string2ll(&chunk[3]).unwrap_or(0).max(0) as u64;
        if let Some(slot) = classes.iter_mut().find(|(c, _)| *c == class) {
            slot.1 = [hard, soft, secs];
        }
    }
    classes.iter().map(|(c, v)| format!("{c} {} {} {}", v[0], v[1], v[2])).collect::<Vec<_>>().join(" ")
}

/// `keyspaceEventsFlagsToString` of the parsed flags.
fn keyspace_events(input: &str) -> String {
    const ALL: &str = "g$lshzxetd";
    let mut flags = String::new();
    for c in input.chars() {
        if c == 'A' {
            flags.push_str(ALL);
        } else {
            flags.push(c);
        }
    }
    let has = |c: char| flags.contains(c);
    let mut out = String::new();
    if ALL.chars().all(has) {
        out.push('A');
    } else {
        for c in ['g', '$', 'l', 's', 'h', 'z', 'x', 'e', 't', 'd', 'n'] {
            if has(c) {
                out.push(c);
            }
        }
    }
    for c in ['K', 'E', 'm'] {
        if has(c) {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_take_their_config_get_form() {
        assert_eq!(keyspace_events("KEA"), "AKE");
        assert_eq!(keyspace_events("Ex"), "xE");
        assert_eq!(
            output_buffer_limits(
                "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60",
                &[b"pubsub".to_vec(), b"64mb".to_vec(), b"16mb".to_vec(), b"120".to_vec()],
                cparse::MemoryOverflow::Refused
            ),
            "normal 0 0 0 slave 268435456 67108864 60 pubsub 67108864 16777216 120"
        );
    }
}
