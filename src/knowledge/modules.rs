//! Redis modules and their Valkey equivalents (`rules/modules.toml`): which module a command,
//! a `.so` file or a client construct belongs to, and what Valkey covers of it.

use super::{Knowledge, KnowledgeError};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

const FILE: &str = "modules.toml";

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModuleInfo {
    pub id: String,
    pub title: String,
    #[serde(default)]
    pub module_names: Vec<String>,
    #[serde(default)]
    pub so_names: Vec<String>,
    /// RDB module type names; data of these types does not move by snapshot to a server
    /// without the same module.
    #[serde(default)]
    pub data_types: Vec<String>,
    /// Module AUX data types the module writes into an RDB beside its keys (RediSearch's index
    /// definitions): a server without the module stops loading the snapshot at them.
    #[serde(default)]
    pub rdb_aux: Vec<String>,
    /// What the module keeps in an RDB, in words: keys of its types, AUX data, what it rebuilds.
    #[serde(default)]
    pub rdb: Option<String>,
    #[serde(default)]
    pub rdb_source: Option<String>,
    #[serde(default)]
    pub end_of_life: Option<String>,
    #[serde(default)]
    pub third_party: bool,
    #[serde(default)]
    pub loads_on_valkey: Option<String>,
    #[serde(default)]
    pub built_in: Option<String>,
    /// A Valkey module (what a migrated config loads), not a Redis one.
    #[serde(default)]
    pub valkey: bool,
    pub source: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Equivalent {
    pub id: String,
    pub title: String,
    pub licence: String,
    pub maturity: String,
    pub image: String,
    pub compatibility: String,
    pub source: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FamilyValkey {
    /// The Valkey module that implements part of the family.
    #[serde(default)]
    pub equivalent: Option<String>,
    #[serde(default)]
    pub covers: Vec<String>,
    /// Commands covered only from a given release of the equivalent.
    #[serde(default)]
    pub since: BTreeMap<String, String>,
    #[serde(default)]
    pub note: Option<String>,
    /// Why nothing covers the family, when nothing does.
    #[serde(default)]
    pub none: Option<String>,
    pub source: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Family {
    pub id: String,
    pub module: String,
    pub title: String,
    /// Names clients use for the family's namespace (`ft`, `json`, …).
    #[serde(default)]
    pub api: Vec<String>,
    pub commands: Vec<String>,
    #[serde(default)]
    pub legacy: Vec<String>,
    /// Command names that are also ordinary words; found in code only where a command is sent.
    #[serde(default)]
    pub ambiguous: Vec<String>,
    pub source: String,
    pub valkey: FamilyValkey,
}

impl Family {
    pub fn all_commands(&self) -> impl Iterator<Item = &str> {
        self.commands.iter().chain(&self.legacy).map(String::as_str)
    }
}

/// Languages the code scanner reads, as named in the data files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    Js,
    Python,
    Go,
    Java,
    Csharp,
    Ruby,
    Php,
    Rust,
    Lua,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ConstructShape {
    /// Any use of the name in code (not in an import).
    Ident,
    /// The name followed by `(`.
    Call,
    /// A method call `.name(`.
    Member,
    /// `@Name` (Java/Kotlin annotation).
    Annotation,
    /// `[Name` (C# attribute).
    Attribute,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Construct {
    pub client: String,
    pub lang: Vec<Lang>,
    pub markers: Vec<String>,
    pub name: String,
    pub shape: ConstructShape,
    pub commands: Vec<String>,
    pub source: String,
}

/// A method of an object mapper's model or repository, and the commands it sends.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MapperCall {
    pub method: String,
    /// `method` is a prefix (Spring Data derived queries: `findByCity`, `countByStatus`).
    #[serde(default)]
    pub prefix: bool,
    /// Only for models stored this way (`json` or `hash`); every model when absent.
    #[serde(default)]
    pub kind: Option<String>,
    pub commands: Vec<String>,
}

/// An object mapper whose models live in one file and are queried from others
/// (`Listing.find(…)` in search.py for a `class Listing(JsonModel)` in models.py): the code
/// scanner records the models and the calls per file, and joins them across the repository.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mapper {
    pub client: String,
    pub lang: Vec<Lang>,
    /// Text the file defining a model contains (its import).
    pub markers: Vec<String>,
    /// Base classes or interfaces that make a model, with how it is stored (`json`, `hash`).
    #[serde(default)]
    pub bases: BTreeMap<String, String>,
    /// Constructors or factory methods whose result, assigned to a name, is a repository.
    #[serde(default)]
    pub factories: Vec<String>,
    pub calls: Vec<MapperCall>,
    pub source: String,
}

impl Mapper {
    /// The call entry for `method` on a model stored as `kind`.
    /// A method named exactly in the table is never read as a prefix match: `findById` on a
    /// hash repository sends no module command, though it starts with `findBy`.
    pub fn call(&self, method: &str, kind: &str) -> Option<&MapperCall> {
        let kind_ok = |c: &&MapperCall| c.kind.as_deref().is_none_or(|k| k == kind);
        if self.calls.iter().any(|c| !c.prefix && c.method == method) {
            return self.calls.iter().filter(|c| !c.prefix && c.method == method).find(kind_ok);
        }
        self.calls
            .iter()
            .filter(|c| c.prefix && method.len() > c.method.len() && method.starts_with(&c.method))
            .find(kind_ok)
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Alias {
    pub client: String,
    pub lang: Vec<Lang>,
    pub names: BTreeMap<String, String>,
    pub source: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ModulesFile {
    #[serde(rename = "module")]
    modules: Vec<ModuleInfo>,
    #[serde(rename = "equivalent")]
    equivalents: Vec<Equivalent>,
    #[serde(rename = "family")]
    families: Vec<Family>,
    #[serde(default, rename = "construct")]
    constructs: Vec<Construct>,
    #[serde(default, rename = "alias")]
    aliases: Vec<Alias>,
    #[serde(default, rename = "mapper")]
    mappers: Vec<Mapper>,
}

/// What Valkey offers for one module command.
#[derive(Debug, Clone)]
pub enum Coverage<'a> {
    /// A Valkey module implements the command (from `since` when it is not in every release).
    Covered { equivalent: &'a Equivalent, since: Option<&'a str> },
    /// A Valkey module implements part of the family, but not this command.
    NotCovered { equivalent: &'a Equivalent },
    /// Nothing in Valkey implements the family.
    None { why: &'a str },
}

#[derive(Debug)]
pub struct ModuleCatalog {
    pub modules: Vec<ModuleInfo>,
    pub equivalents: Vec<Equivalent>,
    pub families: Vec<Family>,
    pub constructs: Vec<Construct>,
    pub aliases: Vec<Alias>,
    pub mappers: Vec<Mapper>,
    family_by_command: HashMap<String, usize>,
    module_by_so: HashMap<String, usize>,
}

impl ModuleCatalog {
    pub fn load(knowledge: &Knowledge) -> Result<Self, KnowledgeError> {
        let file: ModulesFile = knowledge.parse_toml(FILE)?;
        let invalid = |message: String| KnowledgeError {
            message: format!("{}: {message}", knowledge.origin(FILE)),
            origin: knowledge.origin(FILE),
            location: None,
            help: Some("fix the entry in modules.toml".into()),
        };
        let mut family_by_command = HashMap::new();
        for (i, family) in file.families.iter().enumerate() {
            if !file.modules.iter().any(|m| m.id == family.module) {
                return Err(invalid(format!("family {} names unknown module {}", family.id, family.module)));
            }
            if let Some(eq) = &family.valkey.equivalent
                && !file.equivalents.iter().any(|e| &e.id == eq)
            {
                return Err(invalid(format!("family {} names unknown equivalent {eq}", family.id)));
            }
            for cmd in family.all_commands() {
                if cmd != cmd.to_ascii_uppercase() {
                    return Err(invalid(format!("command {cmd} must be written in upper case")));
                }
                if family_by_command.insert(cmd.to_string(), i).is_some() {
                    return Err(invalid(format!("command {cmd} is listed twice")));
                }
            }
            for cmd in family.valkey.covers.iter().chain(&family.ambiguous) {
                if !family.commands.contains(cmd) {
                    return Err(invalid(format!("family {}: {cmd} is not one of its commands", family.id)));
                }
            }
        }
        for c in &file.constructs {
            if let Some(cmd) = c.commands.iter().find(|c| !family_by_command.contains_key(*c)) {
                return Err(invalid(format!("construct {} issues unknown command {cmd}", c.name)));
            }
        }
        for m in &file.mappers {
            for call in &m.calls {
                if let Some(cmd) = call.commands.iter().find(|c| !family_by_command.contains_key(*c)) {
                    return Err(invalid(format!(
                        "mapper {} method {} sends unknown command {cmd}",
                        m.client, call.method
                    )));
                }
            }
            for kind in m.bases.values().chain(m.calls.iter().filter_map(|c| c.kind.as_ref())) {
                if kind != "json" && kind != "hash" {
                    return Err(invalid(format!("mapper {}: storage kind {kind} is not json or hash", m.client)));
                }
            }
        }
        let mut module_by_so = HashMap::new();
        for (i, m) in file.modules.iter().enumerate() {
            for so in &m.so_names {
                module_by_so.insert(so.to_ascii_lowercase(), i);
            }
        }
        Ok(ModuleCatalog {
            modules: file.modules,
            equivalents: file.equivalents,
            families: file.families,
            constructs: file.constructs,
            aliases: file.aliases,
            mappers: file.mappers,
            family_by_command,
            module_by_so,
        })
    }

    /// The catalog shipped in the binary, loaded once. Parsers use it (they see no overlay).
    pub fn embedded() -> Result<Arc<ModuleCatalog>, KnowledgeError> {
        Knowledge::shared_embedded()?.view::<ModuleCatalog>()
    }

    /// The family a module command belongs to (`FT.SEARCH` → search), upper-case name.
    pub fn family_of(&self, command: &str) -> Option<&Family> {
        self.family_by_command.get(command).map(|&i| &self.families[i])
    }

    pub fn family(&self, id: &str) -> Option<&Family> {
        self.families.iter().find(|f| f.id == id)
    }

    pub fn module(&self, id: &str) -> Option<&ModuleInfo> {
        self.modules.iter().find(|m| m.id == id)
    }

    pub fn equivalent(&self, id: &str) -> Option<&Equivalent> {
        self.equivalents.iter().find(|e| e.id == id)
    }

    /// The module a `.so` path loads, by its file name (`/opt/redis-stack/lib/redisearch.so`
    /// → RediSearch). This is what a `loadmodule` check calls.
    pub fn module_for_so(&self, path: &str) -> Option<&ModuleInfo> {
        let name = path.rsplit(['/', '\\']).next().unwrap_or(path).trim_matches(['"', '\'']);
        self.module_by_so.get(&name.to_ascii_lowercase()).map(|&i| &self.modules[i])
    }

    /// The families a module adds.
    pub fn families_of_module<'a>(&'a self, module: &'a str) -> impl Iterator<Item = &'a Family> + 'a {
        self.families.iter().filter(move |f| f.module == module)
    }

    pub fn coverage<'a>(&'a self, family: &'a Family, command: &str) -> Coverage<'a> {
        let v = &family.valkey;
        match v.equivalent.as_deref().and_then(|e| self.equivalent(e)) {
            Some(equivalent) if v.covers.iter().any(|c| c == command) => {
                Coverage::Covered { equivalent, since: v.since.get(command).map(String::as_str) }
            }
            Some(equivalent) => Coverage::NotCovered { equivalent },
            None => Coverage::None { why: v.none.as_deref().unwrap_or("no Valkey module implements it") },
        }
    }

    /// Commands of a family that its Valkey equivalent does not implement.
    pub fn uncovered<'a>(&self, family: &'a Family) -> Vec<&'a str> {
        family.commands.iter().filter(|c| !family.valkey.covers.contains(c)).map(String::as_str).collect()
    }

    /// One sentence on what Valkey offers for a module, for messages about images and `.so` files.
    pub fn valkey_offer(&self, module: &ModuleInfo) -> String {
        if let Some(text) = &module.loads_on_valkey {
            return text.clone();
        }
        let mut parts = Vec::new();
        for family in self.families_of_module(&module.id) {
            let part = match family.valkey.equivalent.as_deref().and_then(|e| self.equivalent(e)) {
                Some(eq) => {
                    let missing = self.uncovered(family);
                    if missing.is_empty() {
                        format!("{} → {}", family.title, eq.title)
                    } else {
                        format!("{} → {} (not {})", family.title, eq.title, missing.join(", "))
                    }
                }
                None => format!("{} → nothing", family.title),
            };
            parts.push(part);
        }
        if parts.is_empty() { "no Valkey equivalent".into() } else { parts.join("; ") }
    }

    /// What to say about a `loadmodule <path>` line when moving to Valkey: `None` for a path
    /// the catalog does not know.
    pub fn describe_loadmodule(&self, path: &str) -> Option<String> {
        let module = self.module_for_so(path)?;
        if module.valkey {
            return Some(format!("{} is a Valkey module", module.title));
        }
        let mut text = format!("{} is the Redis module {}", so_name(path), module.title);
        if !module.data_types.is_empty() {
            text.push_str(&format!(
                "; its data ({}) does not move to Valkey by RDB snapshot",
                module.data_types.join(", ")
            ));
        }
        text.push_str(&format!("; on Valkey: {}", self.valkey_offer(module)));
        Some(text)
    }
}

/// What one module keeps in an RDB, for the plan's data-migration step.
#[derive(Debug, Clone)]
pub struct RdbContents<'a> {
    pub module: &'a ModuleInfo,
    /// The module's `rdb` sentence.
    pub text: &'a str,
    /// Keys of module types or module AUX data: a server without the module refuses the RDB.
    pub blocks_load: bool,
}

impl ModuleCatalog {
    /// The modules behind `commands` (upper-case names as in `command_uses`), each with what
    /// it keeps in an RDB, in catalog order.
    pub fn rdb_contents<'a, 'c>(&'a self, commands: impl IntoIterator<Item = &'c str>) -> Vec<RdbContents<'a>> {
        let mut ids: Vec<&str> =
            commands.into_iter().filter_map(|c| self.family_of(c)).map(|f| f.module.as_str()).collect();
        ids.sort();
        ids.dedup();
        self.modules
            .iter()
            .filter(|m| ids.contains(&m.id.as_str()))
            .filter_map(|m| {
                let text = m.rdb.as_deref()?;
                Some(RdbContents { module: m, text, blocks_load: !m.data_types.is_empty() || !m.rdb_aux.is_empty() })
            })
            .collect()
    }

    /// The paragraph the plan's data step says about module data, for the commands the code
    /// sends; `None` when none of them belongs to a module that keeps data.
    pub fn rdb_note<'c>(&self, commands: impl IntoIterator<Item = &'c str>) -> Option<String> {
        let contents = self.rdb_contents(commands);
        if !contents.iter().any(|c| c.blocks_load) {
            return None;
        }
        let parts: Vec<String> = contents.iter().map(|c| format!("{} keeps {}", c.module.title, c.text)).collect();
        Some(format!(
            "What these modules keep in an RDB: {}. A server without the same module stops loading such a snapshot at \
             the first key of a module type it does not have (`no matching module type`) or at module AUX data it \
             cannot read (`The RDB file contains AUX module data I can't load: no matching module`).",
            parts.join("; ")
        ))
    }
}

pub fn so_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

impl crate::knowledge::View for ModuleCatalog {
    fn build(knowledge: &crate::knowledge::Knowledge) -> Result<Self, crate::knowledge::KnowledgeError> {
        ModuleCatalog::load(knowledge)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog() -> Arc<ModuleCatalog> {
        ModuleCatalog::embedded().expect("modules.toml loads")
    }

    #[test]
    fn commands_map_to_families_and_coverage() {
        let c = catalog();
        let ft = c.family_of("FT.SEARCH").unwrap();
        assert_eq!(ft.id, "FT");
        assert!(matches!(c.coverage(ft, "FT.SEARCH"), Coverage::Covered { since: None, .. }));
        assert!(matches!(c.coverage(ft, "FT.AGGREGATE"), Coverage::Covered { since: Some(_), .. }));
        assert!(matches!(c.coverage(ft, "FT.ALIASADD"), Coverage::NotCovered { .. }));
        let json = c.family_of("JSON.MERGE").unwrap();
        assert!(matches!(c.coverage(json, "JSON.MERGE"), Coverage::NotCovered { .. }));
        assert_eq!(c.uncovered(json), vec!["JSON.MERGE", "JSON.NUMPOWBY"]);
        let ts = c.family_of("TS.ADD").unwrap();
        assert!(matches!(c.coverage(ts, "TS.ADD"), Coverage::None { .. }));
        assert_eq!(c.family_of("VADD").unwrap().id, "VSET");
        assert!(c.family_of("GET").is_none());
    }

    #[test]
    fn every_family_in_the_brief_is_known() {
        let c = catalog();
        for cmd in ["FT.CREATE", "JSON.SET", "TS.ADD", "BF.ADD", "CF.ADD", "CMS.INCRBY", "TOPK.ADD", "TDIGEST.ADD"] {
            assert!(c.family_of(cmd).is_some(), "{cmd}");
        }
        for cmd in ["GRAPH.QUERY", "RG.PYEXECUTE", "TFCALL", "VSIM"] {
            assert!(c.family_of(cmd).is_some(), "{cmd}");
        }
        assert_eq!(c.family_of("CMS.INCRBY").unwrap().commands.len(), 6);
    }

    #[test]
    fn every_redis_module_says_what_it_keeps_in_an_rdb() {
        let c = catalog();
        for m in c.modules.iter().filter(|m| !m.valkey) {
            assert!(m.rdb.is_some() && m.rdb_source.is_some(), "{}: no rdb entry", m.id);
        }
        let search = c.module("search").unwrap();
        assert_eq!(search.rdb_aux, vec!["ft_index0", "scdtype00"]);
        let text = search.rdb.as_deref().unwrap();
        assert!(text.contains("AUX data of type ft_index0") && text.contains("rebuilds them"), "{text}");
        let note = c.rdb_note(["FT.SEARCH", "JSON.SET", "FT.CREATE"]).unwrap();
        assert!(
            note.contains("RediSearch keeps index definitions") && note.contains("RedisJSON keeps each JSON document"),
            "{note}"
        );
        assert!(note.contains("AUX module data I can't load"), "{note}");
        assert_eq!(c.rdb_contents(["TS.ADD"]).len(), 1);
        assert!(c.rdb_note(["GET"]).is_none());
    }

    #[test]
    fn so_names_resolve_by_file_name() {
        let c = catalog();
        assert_eq!(c.module_for_so("/opt/redis-stack/lib/redisearch.so").unwrap().id, "search");
        assert_eq!(c.module_for_so("./modules/redisjson/rejson.so").unwrap().id, "json");
        assert_eq!(c.module_for_so("/usr/lib/valkey/libjson.so").unwrap().id, "valkey-json");
        assert!(c.module_for_so("/usr/lib/other.so").is_none());
        let text = c.describe_loadmodule("/opt/redis-stack/lib/redistimeseries.so").unwrap();
        assert!(text.contains("TSDB-TYPE") && text.contains("time series → nothing"), "{text}");
        let text = c.describe_loadmodule("/opt/redis-stack/lib/redisbloom.so").unwrap();
        assert!(text.contains("bloom filters → valkey-bloom (not BF.LOADCHUNK, BF.SCANDUMP)"), "{text}");
        assert!(text.contains("cuckoo filters → nothing"), "{text}");
    }
}
