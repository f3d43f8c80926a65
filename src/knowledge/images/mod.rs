//! Container images of Redis and Valkey (`rules/images.toml`): what a tag means, the licence
//! of that version and the Valkey image to move to. (RDB formats live in `rules/migration.toml`.)

mod source;

pub use source::SourceGuess;

use super::{Knowledge, KnowledgeError, Profile};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::sync::Arc;

const FILE: &str = "images.toml";

/// A server version as far as a tag tells it: `7`, `7.4`, `7.4.2`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Version {
    pub major: u32,
    pub minor: Option<u32>,
    pub patch: Option<u32>,
}

impl Version {
    /// Parses the leading `1`, `1.2` or `1.2.3` of `text`; `None` when it does not start with
    /// a number.
    pub fn parse_prefix(text: &str) -> Option<(Version, &str)> {
        let mut parts = [None; 3];
        let mut rest = text;
        for (i, part) in parts.iter_mut().enumerate() {
            let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
            if digits == 0 || digits > 6 {
                if i == 0 {
                    return None;
                }
                break;
            }
            *part = rest[..digits].parse().ok();
            rest = &rest[digits..];
            match rest.strip_prefix('.') {
                Some(r) if i < 2 && r.starts_with(|c: char| c.is_ascii_digit()) => rest = r,
                _ => break,
            }
        }
        Some((Version { major: parts[0]?, minor: parts[1], patch: parts[2] }, rest))
    }

    pub fn parse(text: &str) -> Option<Version> {
        match Version::parse_prefix(text.trim()) {
            Some((v, "")) => Some(v),
            _ => None,
        }
    }

    /// Major and minor, the unit licences and RDB formats change at (a missing minor is 0).
    pub fn line(&self) -> (u32, u32) {
        (self.major, self.minor.unwrap_or(0))
    }

    pub fn at_least(&self, other: &str) -> bool {
        Version::parse(other).is_some_and(|o| self.line() >= o.line())
    }

    pub fn below(&self, other: &str) -> bool {
        Version::parse(other).is_some_and(|o| self.line() < o.line())
    }

    /// `major.minor`, e.g. `7.4`.
    pub fn line_text(&self) -> String {
        format!("{}.{}", self.major, self.minor.unwrap_or(0))
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.major)?;
        if let Some(m) = self.minor {
            write!(f, ".{m}")?;
        }
        if let Some(p) = self.patch {
            write!(f, ".{p}")?;
        }
        Ok(())
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Normalise {
    docker_hub: Vec<String>,
    mirrors: BTreeMap<String, String>,
    #[allow(dead_code)]
    source: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Licence {
    pub id: String,
    pub name: String,
    pub osi: bool,
    #[serde(default)]
    pub osi_note: Option<String>,
    pub quote: String,
    pub source: String,
}

impl Licence {
    /// The first URL of the source, to cite in a message.
    pub fn url(&self) -> &str {
        self.source.split_whitespace().find(|w| w.starts_with("https://")).unwrap_or(&self.source)
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct ServerLicence {
    product: String,
    below: String,
    licence: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Product {
    Redis,
    RedisStack,
    RedisModule,
    Valkey,
    Falkordb,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImageInfo {
    pub repositories: Vec<String>,
    pub product: Product,
    pub title: String,
    /// The line a tag without a version resolves to today.
    #[serde(default)]
    pub latest: Option<String>,
    /// The line a major-only tag resolves to today (`7` → `7.4`).
    #[serde(default)]
    pub floating_majors: BTreeMap<String, String>,
    #[serde(default)]
    pub modules: Vec<String>,
    #[serde(default)]
    pub licence: Option<String>,
    #[serde(default)]
    pub to: Option<String>,
    #[serde(default)]
    pub to_note: Option<String>,
    /// Said instead of `to` when the image is set in a Helm chart's values: the chart expects
    /// this image, so the chart has to change, not only the image.
    #[serde(default)]
    pub chart_note: Option<String>,
    #[serde(default)]
    pub lines: Vec<String>,
    pub source: String,
}

impl ImageInfo {
    /// A Redis server (plain, Stack or a module image): the images a migration replaces.
    pub fn is_redis(&self) -> bool {
        matches!(self.product, Product::Redis | Product::RedisStack | Product::RedisModule)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ImagesFile {
    normalise: Normalise,
    #[serde(rename = "licence")]
    licences: Vec<Licence>,
    #[serde(rename = "server_licence")]
    server_licences: Vec<ServerLicence>,
    #[serde(rename = "image")]
    images: Vec<ImageInfo>,
}

/// How precisely a reference names what it runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Pinning {
    /// Nothing tells (an unresolved variable, an unknown tag word).
    Unknown,
    /// No tag, `latest`, or a variant only (`alpine`): whatever is newest.
    Latest,
    /// A major only (`7`): the newest minor of that major.
    Major,
    /// Major and minor (`7.4`): patch releases float.
    Minor,
    /// A full version or a build tag.
    Exact,
    /// A digest: the bytes are fixed whatever the tag says.
    Digest,
}

impl Pinning {
    /// Floating in the sense a reviewer cares about: the server line can change under you.
    pub fn is_floating(self) -> bool {
        matches!(self, Pinning::Latest | Pinning::Major)
    }
}

/// What an image reference means, resolved against the catalog.
#[derive(Debug, Clone)]
pub struct Resolved<'a> {
    pub info: &'a ImageInfo,
    /// The server line the tag means (for Redis Stack, the Redis version inside).
    pub version: Option<Version>,
    pub pinning: Pinning,
    /// `alpine`, `bookworm`, `debian-12-r9`, … as written after the version.
    pub variant: Option<String>,
    /// When the version was inferred from a floating tag: what it means today.
    pub floating_note: Option<String>,
}

#[derive(Debug)]
pub struct ImageCatalog {
    normalise: Normalise,
    pub licences: Vec<Licence>,
    server_licences: Vec<ServerLicence>,
    pub images: Vec<ImageInfo>,
    by_repository: HashMap<String, usize>,
}

impl ImageCatalog {
    pub fn load(knowledge: &Knowledge) -> Result<Self, KnowledgeError> {
        let file: ImagesFile = knowledge.parse_toml(FILE)?;
        let invalid = |message: String| KnowledgeError {
            message: format!("{}: {message}", knowledge.origin(FILE)),
            origin: knowledge.origin(FILE),
            location: None,
            help: Some("fix the entry in images.toml".into()),
        };
        let mut by_repository = HashMap::new();
        for (i, image) in file.images.iter().enumerate() {
            for repo in &image.repositories {
                if by_repository.insert(repo.to_ascii_lowercase(), i).is_some() {
                    return Err(invalid(format!("repository {repo} is listed twice")));
                }
            }
            if let Some(l) = &image.licence
                && !file.licences.iter().any(|x| &x.id == l)
            {
                return Err(invalid(format!("{}: unknown licence {l}", image.title)));
            }
        }
        for sl in &file.server_licences {
            if !file.licences.iter().any(|x| x.id == sl.licence) || Version::parse(&sl.below).is_none() {
                return Err(invalid(format!("server_licence {} below {} is invalid", sl.product, sl.below)));
            }
        }
        Ok(ImageCatalog {
            normalise: file.normalise,
            licences: file.licences,
            server_licences: file.server_licences,
            images: file.images,
            by_repository,
        })
    }

    /// The catalog shipped in the binary (for tests; a run uses `Knowledge::view`).
    pub fn embedded() -> Result<Arc<ImageCatalog>, KnowledgeError> {
        Knowledge::shared_embedded()?.view::<ImageCatalog>()
    }

    /// The repository name as Docker Hub would show it: `docker.io/library/redis` → `redis`,
    /// `public.ecr.aws/bitnami/redis` → `bitnami/redis`; other registries keep their host.
    pub fn normalise(&self, repository: &str) -> String {
        let lower = repository.to_ascii_lowercase();
        let mut name = lower.as_str();
        for (prefix, replacement) in &self.normalise.mirrors {
            if let Some(rest) = name.strip_prefix(prefix.as_str()) {
                return format!("{replacement}{rest}");
            }
        }
        if let Some((host, rest)) = name.split_once('/')
            && self.normalise.docker_hub.iter().any(|h| h == host)
        {
            name = rest;
        }
        name.strip_prefix("library/").unwrap_or(name).to_string()
    }

    pub fn classify(&self, normalised: &str) -> Option<&ImageInfo> {
        self.by_repository.get(normalised).map(|&i| &self.images[i])
    }

    /// What a reference means: the server line its tag names and how firmly.
    pub fn resolve<'a>(&'a self, normalised: &str, tag: Option<&str>, digest: bool) -> Option<Resolved<'a>> {
        let info = self.classify(normalised)?;
        let mut resolved =
            Resolved { info, version: None, pinning: Pinning::Unknown, variant: None, floating_note: None };
        let latest = |r: &mut Resolved<'a>, what: &str| {
            r.pinning = Pinning::Latest;
            if let Some(line) = &info.latest {
                r.version = Version::parse(line);
                r.floating_note = Some(format!("{what} means the newest {} {line}.x today", product_name(info)));
            }
        };
        match tag.map(|t| t.strip_prefix('v').filter(|r| r.starts_with(|c: char| c.is_ascii_digit())).unwrap_or(t)) {
            None => latest(&mut resolved, "no tag"),
            Some(t) => match Version::parse_prefix(t) {
                Some((version, rest)) => {
                    let rest = rest.trim_start_matches(['-', '_']);
                    // Redis Stack tags end in a build number (7.2.0-v10): that is a pin, not a variant.
                    let is_build = info.product == Product::RedisStack && rest.starts_with('v');
                    resolved.variant = (!rest.is_empty() && !is_build).then(|| rest.to_string());
                    if version.minor.is_none() {
                        resolved.pinning = Pinning::Major;
                        match info.floating_majors.get(&version.major.to_string()) {
                            Some(line) => {
                                resolved.version = Version::parse(line);
                                resolved.floating_note =
                                    Some(format!("tag {t} means the newest {} {line}.x today", product_name(info)));
                            }
                            None => resolved.version = Some(version),
                        }
                    } else {
                        resolved.version = Some(version);
                        resolved.pinning =
                            if version.patch.is_some() || is_build { Pinning::Exact } else { Pinning::Minor };
                    }
                }
                None if t.eq_ignore_ascii_case("latest") => latest(&mut resolved, "tag latest"),
                None if is_os_variant(t) => {
                    resolved.variant = Some(t.to_string());
                    latest(&mut resolved, &format!("tag {t}"));
                }
                None => {}
            },
        }
        if digest {
            resolved.pinning = Pinning::Digest;
        }
        Some(resolved)
    }

    pub fn licence(&self, id: &str) -> Option<&Licence> {
        self.licences.iter().find(|l| l.id == id)
    }

    /// The licence of a server version of `product` (`redis`, `valkey`).
    pub fn server_licence(&self, product: &str, version: Version) -> Option<&Licence> {
        self.server_licences
            .iter()
            .filter(|s| s.product == product)
            .find(|s| version.below(&s.below))
            .and_then(|s| self.licence(&s.licence))
    }

    /// The licences an image carries: the server's, and the modules' for Stack and module images.
    pub fn licences_of(&self, resolved: &Resolved) -> Vec<&Licence> {
        let mut out = Vec::new();
        let server_product = match resolved.info.product {
            Product::Valkey => Some("valkey"),
            Product::Redis | Product::RedisStack => Some("redis"),
            Product::RedisModule | Product::Falkordb => None,
        };
        if let (Some(p), Some(v)) = (server_product, resolved.version)
            && let Some(l) = self.server_licence(p, v)
        {
            out.push(l);
        }
        if let Some(l) = resolved.info.licence.as_deref().and_then(|id| self.licence(id))
            && !out.iter().any(|x| x.id == l.id)
        {
            out.push(l);
        }
        out
    }

    /// The image and tag to move a Redis image to, for the target profile.
    pub fn replacement(&self, resolved: &Resolved, target: &Profile) -> Option<String> {
        let to = resolved.info.to.as_deref()?;
        let target_version = Version::parse(&target.header.version)?;
        let line = target_version.line_text();
        let alpine = resolved.variant.as_deref().is_some_and(|v| v.starts_with("alpine"));
        let tag = match (to, self.classify(to)) {
            (_, Some(bundle)) if !bundle.lines.is_empty() => {
                let chosen = bundle
                    .lines
                    .iter()
                    .find(|l| Version::parse(l).is_some_and(|v| v.line() >= target_version.line()))
                    .or(bundle.lines.last())?;
                chosen.clone()
            }
            ("falkordb/falkordb", _) => return Some(to.to_string()),
            _ => line,
        };
        let suffix = if alpine && to.starts_with("valkey/") { "-alpine" } else { "" };
        Some(format!("{to}:{tag}{suffix}"))
    }
}

/// The id of the licence the image's server version carries (not the image's own licence).
pub fn server_licence_id(catalog: &ImageCatalog, resolved: &Resolved) -> Option<String> {
    let product = match resolved.info.product {
        Product::Valkey => "valkey",
        Product::Redis | Product::RedisStack => "redis",
        Product::RedisModule | Product::Falkordb => return None,
    };
    catalog.server_licence(product, resolved.version?).map(|l| l.id.clone())
}

fn product_name(info: &ImageInfo) -> &'static str {
    match info.product {
        Product::Redis | Product::RedisModule => "Redis",
        Product::RedisStack => "Redis Stack",
        Product::Valkey => "Valkey",
        Product::Falkordb => "FalkorDB",
    }
}

/// Tags that name only a base OS flavour: they follow the newest server release.
fn is_os_variant(tag: &str) -> bool {
    let t = tag.to_ascii_lowercase();
    ["alpine", "bookworm", "bullseye", "buster", "trixie", "slim", "debian", "noble", "jammy"]
        .iter()
        .any(|v| t == *v || t.starts_with(&format!("{v}-")) || t.starts_with(&format!("{v}3")))
}

impl crate::knowledge::View for ImageCatalog {
    fn build(knowledge: &crate::knowledge::Knowledge) -> Result<Self, crate::knowledge::KnowledgeError> {
        ImageCatalog::load(knowledge)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog() -> Arc<ImageCatalog> {
        ImageCatalog::embedded().expect("images.toml loads")
    }

    #[test]
    fn versions_parse_as_tags_write_them() {
        assert_eq!(Version::parse("7.4.2"), Some(Version { major: 7, minor: Some(4), patch: Some(2) }));
        let (v, rest) = Version::parse_prefix("7.4-alpine3.19").unwrap();
        assert_eq!((v.to_string(), rest), ("7.4".to_string(), "-alpine3.19"));
        assert!(Version::parse_prefix("alpine").is_none());
        assert!(Version::parse("7.4").unwrap().at_least("7.4"));
        assert!(Version::parse("7.2.6").unwrap().below("7.4"));
    }

    #[test]
    fn names_normalise_across_registries() {
        let c = catalog();
        assert_eq!(c.normalise("docker.io/library/redis"), "redis");
        assert_eq!(c.normalise("docker.io/bitnami/redis"), "bitnami/redis");
        assert_eq!(c.normalise("public.ecr.aws/docker/library/redis"), "redis");
        assert_eq!(c.normalise("public.ecr.aws/bitnami/redis"), "bitnami/redis");
        assert_eq!(c.normalise("quay.io/opstree/redis"), "quay.io/opstree/redis");
        assert_eq!(c.normalise("registry.example.com:5000/redis"), "registry.example.com:5000/redis");
    }

    fn resolve(name: &str, tag: Option<&str>) -> (Option<String>, Pinning, Option<String>) {
        let c = catalog();
        let r = c.resolve(name, tag, false).unwrap();
        (r.version.map(|v| v.to_string()), r.pinning, r.variant)
    }

    #[test]
    fn tags_resolve_to_server_lines() {
        assert_eq!(resolve("redis", Some("7.4-alpine")), (Some("7.4".into()), Pinning::Minor, Some("alpine".into())));
        assert_eq!(resolve("redis", Some("7")), (Some("7.4".into()), Pinning::Major, None));
        assert_eq!(resolve("redis", Some("6-alpine")), (Some("6.2".into()), Pinning::Major, Some("alpine".into())));
        assert_eq!(resolve("redis", Some("latest")), (Some("8".into()), Pinning::Latest, None));
        assert_eq!(resolve("redis", None), (Some("8".into()), Pinning::Latest, None));
        assert_eq!(resolve("redis", Some("alpine")), (Some("8".into()), Pinning::Latest, Some("alpine".into())));
        assert_eq!(resolve("redis", Some("7.2.4")), (Some("7.2.4".into()), Pinning::Exact, None));
        assert_eq!(resolve("redis", Some("edge")), (None, Pinning::Unknown, None));
        assert_eq!(resolve("redis/redis-stack", Some("7.2.0-v10")), (Some("7.2.0".into()), Pinning::Exact, None));
        assert_eq!(resolve("redis/redis-stack-server", Some("latest")).0, Some("7.4".into()));
        assert_eq!(
            resolve("bitnami/redis", Some("7.2.4-debian-12-r9")),
            (Some("7.2.4".into()), Pinning::Exact, Some("debian-12-r9".into()))
        );
        assert_eq!(resolve("quay.io/opstree/redis", Some("v7.0.12")).0, Some("7.0.12".into()));
        assert_eq!(catalog().resolve("redis", Some("7"), true).unwrap().pinning, Pinning::Digest);
    }

    #[test]
    fn licences_follow_the_version() {
        let c = catalog();
        let lic = |tag: &str| {
            let r = c.resolve("redis", Some(tag), false).unwrap();
            c.licences_of(&r).iter().map(|l| l.id.clone()).collect::<Vec<_>>()
        };
        assert_eq!(lic("7.2.6"), vec!["bsd-3"]);
        assert_eq!(lic("7.4-alpine"), vec!["rsal-sspl"]);
        assert_eq!(lic("8.2"), vec!["rsal-sspl-agpl"]);
        assert_eq!(lic("7"), vec!["rsal-sspl"]);
        let stack = c.resolve("redis/redis-stack", Some("7.2.0-v10"), false).unwrap();
        let ids: Vec<_> = c.licences_of(&stack).iter().map(|l| l.id.as_str()).collect();
        assert_eq!(ids, vec!["bsd-3", "rsal"]);
    }
}
