//! The server's live configuration: every parameter of the profile with its current value,
//! set from defaults, then the config file, then CONFIG SET.

use super::keyspace::Encodings;
use crate::knowledge::Profile;
use std::collections::{BTreeMap, HashMap};

#[derive(Debug, Clone)]
pub struct ConfigStore {
    /// Canonical name → current value, in name order (CONFIG GET answers in that order).
    values: BTreeMap<String, String>,
    /// Alias → canonical name.
    aliases: HashMap<String, String>,
}

impl ConfigStore {
    pub fn from_profile(profile: &Profile) -> Self {
        let mut values = BTreeMap::new();
        let mut aliases = HashMap::new();
        for c in &profile.configs {
            values.insert(c.name.to_ascii_lowercase(), c.default.clone().unwrap_or_default());
            for a in &c.aliases {
                aliases.insert(a.to_ascii_lowercase(), c.name.to_ascii_lowercase());
            }
        }
        ConfigStore { values, aliases }
    }

    pub fn canonical<'a>(&'a self, name: &'a str) -> Option<&'a str> {
        let lower = name.to_ascii_lowercase();
        if let Some((k, _)) = self.values.get_key_value(&lower) {
            return Some(k.as_str());
        }
        self.aliases.get(&lower).map(String::as_str)
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        let canonical = self.canonical(name)?.to_string();
        self.values.get(&canonical).map(String::as_str)
    }

    pub fn get_int(&self, name: &str) -> Option<i64> {
        self.get(name)?.parse().ok()
    }

    pub fn get_bool(&self, name: &str) -> bool {
        self.get(name).is_some_and(|v| v.eq_ignore_ascii_case("yes"))
    }

    /// Stores an already validated and normalised value.
    pub fn set(&mut self, name: &str, value: String) {
        if let Some(canonical) = self.canonical(name).map(str::to_string) {
            self.values.insert(canonical, value);
        }
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.values.keys().map(String::as_str)
    }

    pub fn aliases(&self) -> impl Iterator<Item = (&str, &str)> {
        self.aliases.iter().map(|(a, c)| (a.as_str(), c.as_str()))
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
