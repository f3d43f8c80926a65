//! What the code scanner looks for, built once from the knowledge: every command some Valkey
//! target lacks, the names clients give them, and the prefilter that lets a file without any
//! of them go by after one pass.

use crate::knowledge::Knowledge;
use crate::knowledge::client_features::ClientFeatureCatalog;
use crate::knowledge::images::ImageCatalog;
use crate::knowledge::modules::{ConstructShape, Lang, ModuleCatalog};
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use std::collections::HashMap;
use std::sync::Arc;

/// Words that mean "this file talks to a Redis-protocol server": client-API shapes are only
/// trusted in files that contain one (`ioredis`, `StackExchange.Redis`, `jedis` under
/// `redis.clients`, `Predis`, …; `fred::`, GLIDE's `glide` and Lettuce's `io.lettuce` name no
/// server in their imports).
const GATES: &[&str] = &[
    "redis",
    "Redis",
    "REDIS",
    "valkey",
    "Valkey",
    "VALKEY",
    "falkordb",
    "FalkorDB",
    "FALKORDB",
    "fred::",
    "glide",
    "Glide",
    "io.lettuce",
];

/// Module files worth finding in a file that names no server (the others contain "redis").
const MODULE_ANCHORS: &[&str] = &["MODULE LOAD", "rejson.so", "rebloom.so", "module-enterprise.so"];

/// Object-mapper shapes in files that need not name a server: a redis-om model's
/// `Listing.find(` (a capitalised receiver, checked before it counts), the repositories of
/// redis-om-node and redis-om-spring (`listingRepository`, `ListingRepository`), and Python
/// classes with a base (`class PremiumListing(Listing):` inherits a model of another file).
const MAPPER_ANCHORS: &[&str] = &[".find(", ".get(", "Repository", "class "];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Anchor {
    Gate,
    /// The start of one or more upper-case command names (`FT.`, `HEXPIRE`): verified against
    /// the vocabulary before it counts, so `JSON.parse` costs a lookup and no more.
    Command,
    Module,
    /// A call shape of an object mapper; `.find(`/`.get(` only after a capitalised name.
    Mapper,
}

/// Method-name endings clients add to a command's name (`hexpireBuffer`, `HExpireWithArgs`,
/// `FTSearchAsync`, `create_index`, `ConfigGet` for FT.CONFIG GET, …), upper case, `_` dropped.
const SUFFIXES: &[&str] = &[
    "",
    "BUFFER",
    "WITHARGS",
    "ARGS",
    "WITHLABELS",
    "WITHCOUNT",
    "WITHPAYLOADS",
    "WITHSCORES",
    "WITHSCORE",
    "WITHCURSOR",
    "NOCONTENT",
    "GROUPBY",
    "MEMORY",
    "HELP",
    "GET",
    "SET",
    "READ",
    "DEL",
    "SEARCH",
    "AGGREGATE",
    "INDEX",
    "SCHEMAADD",
    "ENUMERABLE",
    "CMD",
    "RAW",
    "WITHATTRIBS",
    "DEBUG",
];

#[derive(Debug)]
pub struct CmdEntry {
    pub name: String,
    /// `FT.SEARCH` rather than `VADD`: a dotted name is never an ordinary word.
    pub dotted: bool,
    /// Also an ordinary word (`VCARD`): found only where a command is clearly being sent.
    pub ambiguous: bool,
}

#[derive(Debug)]
pub struct Namespace {
    /// The family's id (`FT`, `JSON`, `VSET`).
    pub family: String,
    /// `JSON`: `.json()` is also an HTTP response's body, so its `get` needs a Redis receiver.
    pub ambiguous: bool,
    /// Normalised method name → command index (`SEARCH` → FT.SEARCH).
    pub methods: HashMap<String, usize>,
}

#[derive(Debug)]
pub struct Vocab {
    pub commands: Vec<CmdEntry>,
    by_name: HashMap<String, usize>,
    /// Normalised fused or flat name → command (`FTSEARCH`, `JSONARRAPPEND`, `HEXPIRE`).
    fused: HashMap<String, usize>,
    /// The first two bytes of every fused name, as a bitmap: most method names are rejected
    /// before any hashing.
    fused_heads: Box<[u64; 1024]>,
    /// The longest namespace name (`TDIGEST`): longer method names are not namespaces.
    pub longest_namespace: usize,
    pub namespaces: HashMap<String, Namespace>,
    /// Normalised method name → (language, command) pairs.
    aliases: HashMap<String, Vec<(Lang, usize)>>,
    /// Construct name → indices into `modules.constructs`.
    pub constructs: HashMap<String, Vec<usize>>,
    pub modules: Arc<ModuleCatalog>,
    pub images: Arc<ImageCatalog>,
    pub features: Arc<ClientFeatureCatalog>,
    /// Redis module file names (lower case) worth reporting where they appear.
    pub so_names: Vec<String>,
    prefilter: AhoCorasick,
    anchors: Vec<Anchor>,
}

/// Upper-cases `ident` and drops `_` into `buf`; `None` when it is too long to be a method name.
pub fn normalise<'b>(ident: &[u8], buf: &'b mut [u8; 64]) -> Option<&'b str> {
    let mut n = 0;
    for &b in ident {
        if b == b'_' {
            continue;
        }
        if n == buf.len() || !b.is_ascii_alphanumeric() {
            return None;
        }
        buf[n] = b.to_ascii_uppercase();
        n += 1;
    }
    std::str::from_utf8(&buf[..n]).ok()
}

/// Checks a mapper anchor: `.find(`/`.get(` after a capitalised name; `class ` first on its
/// line and followed by `Name(`; `Repository` anywhere.
fn mapper_shape_at(bytes: &[u8], start: usize) -> bool {
    let word_byte = |b: &u8| b.is_ascii_alphanumeric() || *b == b'_';
    match bytes[start] {
        b'.' => {
            let word = bytes[..start].iter().rev().take_while(|b| word_byte(b)).count();
            word > 0 && bytes[start - word].is_ascii_uppercase()
        }
        b'c' => {
            let line_start =
                bytes[..start].iter().rev().take_while(|b| **b != b'\n').all(|b| *b == b' ' || *b == b'\t');
            let rest = &bytes[start + 6..];
            let name = rest.iter().take_while(|b| word_byte(b)).count();
            line_start && name > 0 && rest.get(name) == Some(&b'(')
        }
        _ => true,
    }
}

fn suffix_ok(rest: &str) -> bool {
    let rest = rest.strip_suffix("ASYNC").unwrap_or(rest);
    SUFFIXES.contains(&rest)
}

fn squash(name: &str) -> String {
    name.chars().filter(|c| *c != '.' && *c != '_').collect()
}

impl Vocab {
    /// The vocabulary of the embedded knowledge (for tests; a run uses `Knowledge::view`).
    pub fn embedded() -> Result<Arc<Vocab>, String> {
        Knowledge::shared_embedded().and_then(|k| k.view::<Vocab>()).map_err(|e| e.message)
    }

    /// `core`: commands outside the module families that some Valkey target lacks, with
    /// whether each is also an ordinary word.
    pub fn build(
        modules: Arc<ModuleCatalog>,
        images: Arc<ImageCatalog>,
        features: Arc<ClientFeatureCatalog>,
        core: &[(String, bool)],
    ) -> Result<Vocab, String> {
        let mut commands = Vec::new();
        let mut by_name = HashMap::new();
        let mut add = |name: &str, ambiguous: bool, commands: &mut Vec<CmdEntry>| -> usize {
            *by_name.entry(name.to_string()).or_insert_with(|| {
                commands.push(CmdEntry { name: name.to_string(), dotted: name.contains('.'), ambiguous });
                commands.len() - 1
            })
        };
        let mut fused = HashMap::new();
        let mut namespaces = HashMap::new();
        for family in &modules.families {
            let mut methods = HashMap::new();
            for cmd in family.all_commands() {
                let i = add(cmd, family.ambiguous.iter().any(|a| a == cmd), &mut commands);
                fused.insert(squash(cmd), i);
                let sub = cmd.split_once('.').map_or(cmd, |(_, s)| s);
                methods.insert(squash(sub), i);
            }
            let ambiguous = family.id == "JSON";
            for api in &family.api {
                let methods = methods.clone();
                namespaces.insert(
                    squash(&api.to_ascii_uppercase()),
                    Namespace { family: family.id.clone(), ambiguous, methods },
                );
            }
        }
        for (name, ambiguous) in core {
            let i = add(name, *ambiguous, &mut commands);
            fused.insert(squash(name), i);
        }
        let mut aliases = HashMap::new();
        for alias in &modules.aliases {
            for (method, command) in &alias.names {
                // A core command every Valkey target has is not scanned for, nor are its aliases.
                let Some(&i) = by_name.get(command.as_str()) else {
                    continue;
                };
                let mut buf = [0u8; 64];
                let key = normalise(method.as_bytes(), &mut buf).ok_or("alias too long")?.to_string();
                let entry: &mut Vec<(Lang, usize)> = aliases.entry(key).or_default();
                entry.extend(alias.lang.iter().map(|l| (*l, i)));
            }
        }
        let mut constructs: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, c) in modules.constructs.iter().enumerate() {
            constructs.entry(c.name.clone()).or_default().push(i);
        }
        let mut fused_heads = Box::new([0u64; 1024]);
        for k in fused.keys() {
            if let [a, b, ..] = k.as_bytes() {
                let bit = (*a as usize) << 8 | *b as usize;
                fused_heads[bit / 64] |= 1 << (bit % 64);
            }
        }
        let longest_namespace = namespaces.keys().map(String::len).max().unwrap_or(0);
        let so_names: Vec<String> = modules
            .modules
            .iter()
            .filter(|m| !m.valkey)
            .flat_map(|m| m.so_names.iter().map(|s| s.to_ascii_lowercase()))
            .collect();

        // Case-sensitive anchors, few enough for the SIMD (Teddy) search: outside files that name
        // a server only upper-case command names are ever reported, so only they are needed.
        let mut patterns: Vec<String> = GATES.iter().map(|s| s.to_string()).collect();
        let mut anchors = vec![Anchor::Gate; patterns.len()];
        let mut command_anchors: Vec<String> = commands
            .iter()
            .map(|c| match c.name.split_once('.') {
                Some((family, _)) => format!("{family}."),
                None => c.name.clone(),
            })
            .collect();
        command_anchors.sort();
        command_anchors.dedup();
        // `HEXPIRE` already finds `HEXPIREAT`: keep only anchors no other anchor is a prefix of.
        let shortest: Vec<String> = command_anchors
            .iter()
            .filter(|a| !command_anchors.iter().any(|b| b != *a && a.starts_with(b.as_str())))
            .cloned()
            .collect();
        anchors.extend(std::iter::repeat_n(Anchor::Command, shortest.len()));
        patterns.extend(shortest);
        anchors.extend(std::iter::repeat_n(Anchor::Module, MODULE_ANCHORS.len()));
        patterns.extend(MODULE_ANCHORS.iter().map(|s| s.to_string()));
        anchors.extend(std::iter::repeat_n(Anchor::Mapper, MAPPER_ANCHORS.len()));
        patterns.extend(MAPPER_ANCHORS.iter().map(|s| s.to_string()));
        let prefilter = AhoCorasickBuilder::new()
            .match_kind(MatchKind::LeftmostFirst)
            .build(&patterns)
            .map_err(|e| format!("prefilter: {e}"))?;
        Ok(Vocab {
            commands,
            by_name,
            fused,
            fused_heads,
            longest_namespace,
            namespaces,
            aliases,
            constructs,
            modules,
            images,
            features,
            so_names,
            prefilter,
            anchors,
        })
    }

    /// One pass over the file: `None` when nothing in it can matter, else whether it is gated
    /// (mentions a Redis-protocol server, so client-API shapes count).
    pub fn prefilter(&self, bytes: &[u8]) -> Option<bool> {
        let mut any = false;
        for m in self.prefilter.find_iter(bytes) {
            match self.anchors[m.pattern().as_usize()] {
                Anchor::Gate => return Some(true),
                Anchor::Module => any = true,
                Anchor::Command if !any => any = self.command_at(bytes, m.start()),
                Anchor::Mapper if !any => any = mapper_shape_at(bytes, m.start()),
                Anchor::Command | Anchor::Mapper => {}
            }
        }
        any.then_some(false)
    }

    /// Whether an upper-case command name of the vocabulary starts at `start` as a whole word.
    fn command_at(&self, bytes: &[u8], start: usize) -> bool {
        let word_byte = |b: &u8| b.is_ascii_alphanumeric() || *b == b'_';
        if start > 0 && (word_byte(&bytes[start - 1]) || bytes[start - 1] == b'.') {
            return false;
        }
        let len = bytes[start..]
            .iter()
            .take(41)
            .take_while(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || **b == b'.' || **b == b'_')
            .count();
        if bytes.get(start + len).is_some_and(word_byte) {
            return false;
        }
        std::str::from_utf8(&bytes[start..start + len]).is_ok_and(|w| self.by_name.contains_key(w))
    }

    pub fn command(&self, upper: &str) -> Option<usize> {
        self.by_name.get(upper).copied()
    }

    pub fn alias(&self, lang: Lang, normalised: &str) -> Option<usize> {
        self.aliases.get(normalised)?.iter().find(|(l, _)| *l == lang).map(|(_, i)| *i)
    }

    /// A method named after a command, fused with its family (`FTSearch`, `json_arr_append`)
    /// or flat (`hexpire`), with the endings clients add.
    pub fn fused(&self, normalised: &str) -> Option<usize> {
        let [a, b, ..] = normalised.as_bytes() else {
            return None;
        };
        let bit = (*a as usize) << 8 | *b as usize;
        if self.fused_heads[bit / 64] & (1 << (bit % 64)) == 0 {
            return None;
        }
        if let Some(&i) = self.fused.get(normalised) {
            return Some(i);
        }
        (2..normalised.len()).rev().find_map(|k| {
            let &i = self.fused.get(&normalised[..k])?;
            suffix_ok(&normalised[k..]).then_some(i)
        })
    }

    /// A method of a family namespace (`search` on `ft`), with the endings clients add.
    pub fn method(&self, ns: &Namespace, normalised: &str) -> Option<usize> {
        if let Some(&i) = ns.methods.get(normalised) {
            return Some(i);
        }
        (1..normalised.len()).rev().find_map(|k| {
            let &i = ns.methods.get(&normalised[..k])?;
            suffix_ok(&normalised[k..]).then_some(i)
        })
    }

    pub fn construct_shape_ok(shape: ConstructShape, prev: Option<u8>, next: Option<u8>) -> bool {
        match shape {
            ConstructShape::Ident => true,
            ConstructShape::Call => next == Some(b'('),
            ConstructShape::Member => prev == Some(b'.') && next == Some(b'('),
            ConstructShape::Annotation => prev == Some(b'@'),
            ConstructShape::Attribute => prev == Some(b'[') || prev == Some(b','),
        }
    }
}

/// The vocabulary with the core commands Valkey 8.1 lacks (server.md §3.1) spelled out, so the
/// scanner's tests do not depend on which profiles ship.
#[cfg(test)]
pub fn test_vocab() -> Arc<Vocab> {
    let core: Vec<(String, bool)> = [
        "HEXPIRE",
        "HPEXPIRE",
        "HEXPIREAT",
        "HPEXPIREAT",
        "HEXPIRETIME",
        "HPEXPIRETIME",
        "HTTL",
        "HPTTL",
        "HPERSIST",
        "HGETEX",
        "HSETEX",
        "HGETDEL",
        "XACKDEL",
        "XDELEX",
    ]
    .iter()
    .map(|c| (c.to_string(), false))
    .collect();
    let modules = ModuleCatalog::embedded().unwrap();
    let images = ImageCatalog::embedded().unwrap();
    let features = Knowledge::shared_embedded().unwrap().view::<ClientFeatureCatalog>().unwrap();
    Arc::new(Vocab::build(modules, images, features, &core).unwrap())
}

impl crate::knowledge::View for Vocab {
    fn build(knowledge: &Knowledge) -> Result<Self, crate::knowledge::KnowledgeError> {
        let modules = knowledge.view::<ModuleCatalog>()?;
        let images = knowledge.view::<ImageCatalog>()?;
        let features = knowledge.view::<ClientFeatureCatalog>()?;
        let core = crate::knowledge::commands::scanned_core_commands_shipped(knowledge);
        Vocab::build(modules, images, features, &core).map_err(|message| crate::knowledge::KnowledgeError {
            message,
            origin: "rules/modules.toml".into(),
            location: None,
            help: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vocab() -> Arc<Vocab> {
        test_vocab()
    }

    fn name(v: &Vocab, i: Option<usize>) -> Option<&str> {
        i.map(|i| v.commands[i].name.as_str())
    }

    #[test]
    fn fused_names_resolve_with_client_endings() {
        let v = vocab();
        let mut buf = [0u8; 64];
        let mut f = |s: &str| name(&v, v.fused(normalise(s.as_bytes(), &mut buf).unwrap())).map(str::to_string);
        assert_eq!(f("FTSearch").as_deref(), Some("FT.SEARCH"));
        assert_eq!(f("FTSearchWithArgs").as_deref(), Some("FT.SEARCH"));
        assert_eq!(f("ftSearch").as_deref(), Some("FT.SEARCH"));
        assert_eq!(f("json_arr_append").as_deref(), Some("JSON.ARRAPPEND"));
        assert_eq!(f("jsonset").as_deref(), Some("JSON.SET"));
        assert_eq!(f("TopKListWithCount").as_deref(), Some("TOPK.LIST"));
        assert_eq!(f("CFAddNX").as_deref(), Some("CF.ADDNX"));
        assert_eq!(f("tdigestTrimmedMean").as_deref(), Some("TDIGEST.TRIMMED_MEAN"));
        assert_eq!(f("vadd").as_deref(), Some("VADD"));
        assert_eq!(f("JSON"), None);
        assert_eq!(f("JSONArray"), None);
        assert_eq!(f("JSONP"), None);
        assert_eq!(f("toString"), None);
        assert_eq!(f("tsconfig"), None);
    }

    #[test]
    fn namespace_methods_resolve() {
        let v = vocab();
        let ft = &v.namespaces["FT"];
        let mut buf = [0u8; 64];
        let mut m = |ns: &Namespace, s: &str| {
            name(&v, v.method(ns, normalise(s.as_bytes(), &mut buf).unwrap())).map(str::to_string)
        };
        assert_eq!(m(ft, "create_index").as_deref(), Some("FT.CREATE"));
        assert_eq!(m(ft, "dropIndex").as_deref(), Some("FT.DROPINDEX"));
        assert_eq!(m(ft, "_list").as_deref(), Some("FT._LIST"));
        assert_eq!(m(ft, "profileSearch").as_deref(), Some("FT.PROFILE"));
        assert_eq!(m(ft, "CursorRead").as_deref(), Some("FT.CURSOR"));
        assert_eq!(m(ft, "SearchAsync").as_deref(), Some("FT.SEARCH"));
        assert_eq!(m(ft, "alter_schema_add").as_deref(), Some("FT.ALTER"));
        assert_eq!(m(ft, "then"), None);
        let ts = &v.namespaces["TS"];
        assert_eq!(m(ts, "mRangeWithLabels").as_deref(), Some("TS.MRANGE"));
        assert_eq!(m(ts, "revRange").as_deref(), Some("TS.REVRANGE"));
        let tdigest = &v.namespaces["TDIGEST"];
        assert_eq!(m(tdigest, "trimmedMean").as_deref(), Some("TDIGEST.TRIMMED_MEAN"));
        assert_eq!(m(&v.namespaces["VSET"], "vadd").as_deref(), Some("VADD"));
    }

    #[test]
    fn prefilter_separates_gated_files() {
        let v = vocab();
        assert_eq!(v.prefilter(b"import json\nprint(json.dumps({}))"), None);
        assert_eq!(v.prefilter(b"JSON.parse(JSON.stringify(x))"), None);
        assert_eq!(v.prefilter(b"x = 'FT.SEARCH'"), Some(false));
        assert_eq!(v.prefilter(b"import Redis from 'ioredis'"), Some(true));
        assert_eq!(v.prefilter(b"x = 'HEXPIREAT'"), Some(false));
        assert_eq!(v.prefilter(b"x = 'SOFT.SEARCH' + JSON.parse(y) + 'FT.SEARCHES'"), None);
        assert_eq!(v.prefilter(b"COPY rejson.so /x"), Some(false));
        assert_eq!(v.prefilter(b"use fred::prelude::*;"), Some(true));
        // Object-mapper shapes: lexed, not gated.
        assert_eq!(v.prefilter(b"from .models import Listing\nListing.find(q)"), Some(false));
        assert_eq!(v.prefilter(b"x = config.get('a') + s.find('b')"), None);
        assert_eq!(v.prefilter(b"class PremiumListing(Listing):\n    pass"), Some(false));
        assert_eq!(v.prefilter(b"x = 'first class (economy)'"), None);
        assert_eq!(v.prefilter(b"private final ListingRepository listings;"), Some(false));
    }
}
