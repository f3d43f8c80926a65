use crate::inventory::{DepSource, Dependency, Ecosystem, ManagedBy};
use crate::sources::pkg::{in_vendored_tree, toml_or_report};
use crate::sources::{Claim, Facts, ParseContext, SourceFile, SourceParser};
use crate::versions::Requirement;
use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;

pub struct GradleLockParser;
pub struct GradleBuildParser;
pub struct VersionCatalogParser;

impl SourceParser for GradleLockParser {
    fn id(&self) -> &'static str {
        "gradle-lockfile"
    }

    fn claim(&self, rel_path: &str, file_name: &str) -> Claim {
        if file_name.ends_with("gradle.lockfile") && !in_vendored_tree(rel_path) { Claim::Yes } else { Claim::No }
    }

    fn parse(&self, src: &SourceFile, _cx: &ParseContext, out: &mut Facts) {
        let Some(text) = src.text_or_report(out) else { return };
        let mut offset = 0;
        for raw in text.split_inclusive('\n') {
            let start = offset;
            offset += raw.len();
            let line = raw.trim_end_matches(['\n', '\r']).trim();
            if line.is_empty() || line.starts_with('#') || line.starts_with("empty=") {
                continue;
            }
            let (coord, confs) = line.split_once('=').unwrap_or((line, ""));
            let parts: Vec<&str> = coord.split(':').collect();
            if parts.len() < 3 {
                crate::sources::pkg::unparsable(
                    out,
                    src.location(start..start + raw.trim_end().len()),
                    "gradle.lockfile",
                    "expected `group:artifact:version=configurations`",
                    "regenerate it with `gradle dependencies --write-locks`",
                );
                continue;
            }
            let vstart = start + raw.find(parts[2]).unwrap_or(0);
            let dev = !confs.is_empty() && confs.split(',').all(|c| c.to_ascii_lowercase().contains("test"));
            out.inventory.dependencies.push(
                Dependency::new(
                    Ecosystem::Maven,
                    format!("{}:{}", parts[0], parts[1]),
                    DepSource::Lockfile,
                    src.location(vstart..vstart + parts[2].len()),
                )
                .version(parts[2])
                .dev(dev),
            );
        }
    }
}

const CONFIGURATIONS: &[&str] = &[
    "implementation",
    "api",
    "compileOnly",
    "runtimeOnly",
    "compile",
    "runtime",
    "testImplementation",
    "testRuntimeOnly",
    "testCompileOnly",
    "testCompile",
    "annotationProcessor",
    "kapt",
    "ksp",
];

impl SourceParser for GradleBuildParser {
    fn id(&self) -> &'static str {
        "gradle-build"
    }

    fn claim(&self, rel_path: &str, file_name: &str) -> Claim {
        if matches!(file_name, "build.gradle" | "build.gradle.kts") && !in_vendored_tree(rel_path) {
            Claim::Yes
        } else {
            Claim::No
        }
    }

    /// Reads the declarations Gradle's own docs show: `conf 'g:a:v'`, `conf("g:a:v")`,
    /// `conf group: 'g', name: 'a', version: 'v'`, and `conf 'g:a'` without a version, which a
    /// BOM sets (Spring Boot's plugin or a `platform(…)`): recorded with that BOM so the
    /// managed-version rule can say which driver it pulls in. Versions computed in code are
    /// left alone.
    fn parse(&self, src: &SourceFile, _cx: &ParseContext, out: &mut Facts) {
        let Some(text) = src.text_or_report(out) else { return };
        let boms = spring_boot_boms(text);
        let mut offset = 0;
        for raw in text.split_inclusive('\n') {
            let start = offset;
            offset += raw.len();
            let line = raw.trim_end_matches(['\n', '\r']);
            let t = line.trim_start();
            let Some(conf) =
                CONFIGURATIONS.iter().find(|c| t.starts_with(**c) && t[c.len()..].starts_with([' ', '(', '\t']))
            else {
                continue;
            };
            let rest = &t[conf.len()..];
            let lead = start + (line.len() - t.len()) + conf.len();
            let dev = conf.starts_with("test");
            let strings = quoted_with_offsets(rest);
            let coord = strings.iter().find(|(s, _)| s.matches(':').count() >= 2 && !s.contains(' '));
            let versionless = strings.iter().find(|(s, _)| is_group_artifact(s));
            let (name, version, span) = if let Some((c, off)) = coord {
                let parts: Vec<&str> = c.split(':').collect();
                let vpos = parts[0].len() + parts[1].len() + 2;
                (
                    format!("{}:{}", parts[0], parts[1]),
                    Some(parts[2].to_string()),
                    lead + off + vpos..lead + off + vpos + parts[2].len(),
                )
            } else if rest.contains("group:") || rest.contains("group =") {
                let named = |key: &str| {
                    strings
                        .iter()
                        .find(|(_, off)| {
                            rest[..off - 1].trim_end().trim_end_matches(['=', ':']).trim_end().ends_with(key)
                        })
                        .cloned()
                };
                let (Some((g, _)), Some((a, _))) = (named("group"), named("name")) else { continue };
                match named("version") {
                    Some((v, off)) => (format!("{g}:{a}"), Some(v.clone()), lead + off..lead + off + v.len()),
                    None => (format!("{g}:{a}"), None, lead..lead + rest.trim_end().len()),
                }
            } else if let Some((c, off)) = versionless.filter(|_| {
                // A platform is the BOM itself, not a dependency it manages.
                let r = rest.trim_start().trim_start_matches('(');
                !(r.starts_with("platform") || r.starts_with("enforcedPlatform"))
            }) {
                (c.clone(), None, lead + off..lead + off + c.len())
            } else {
                continue;
            };
            let mut dep = Dependency::new(Ecosystem::Maven, name, DepSource::Manifest, src.location(span)).dev(dev);
            if version.is_none() {
                dep.managed_by = if boms.is_empty() { vec![outside_this_file()] } else { boms.clone() };
            }
            if let Some(v) = version.filter(|v| !v.contains('$')) {
                if let Some(exact) = Requirement::parse(Ecosystem::Maven, &v).ok().and_then(|r| r.exact()) {
                    dep = dep.version(exact);
                }
                dep = dep.requirement(v);
            }
            out.inventory.dependencies.push(dep);
        }
    }
}

const BOOT_BOM: &str = "org.springframework.boot:spring-boot-dependencies";

/// `group:artifact`, nothing else: a dependency whose version something else sets.
fn is_group_artifact(s: &str) -> bool {
    s.matches(':').count() == 1
        && s.split(':').all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric() || "._-".contains(c)))
}

/// The Spring Boot BOMs a build file applies: the `org.springframework.boot` plugin (which
/// imports `spring-boot-dependencies` of its own version when dependency management is on)
/// and `platform`/`enforcedPlatform`/`mavenBom` of `spring-boot-dependencies`. A version
/// held in a variable is recorded as not written.
fn spring_boot_boms(text: &str) -> Vec<ManagedBy> {
    let mut out: Vec<ManagedBy> = Vec::new();
    let mut add = |version: Option<String>| {
        let bom = ManagedBy { name: BOOT_BOM.to_string(), version: version.filter(|v| !v.contains('$')) };
        if !out.contains(&bom) {
            out.push(bom);
        }
    };
    for line in text.lines() {
        let t = line.trim();
        if t.starts_with("//") {
            continue;
        }
        let strings: Vec<String> = quoted_with_offsets(t).into_iter().map(|(s, _)| s).collect();
        if t.starts_with("id") && strings.first().is_some_and(|s| s == "org.springframework.boot") {
            // `id 'org.springframework.boot' version '3.4.1'` / `id("…") version "…"`
            add(t.contains("version").then(|| strings.get(1).cloned()).flatten());
        }
        if let Some(c) = strings.iter().find(|s| s.starts_with(&format!("{BOOT_BOM}:"))) {
            add(c.rsplit(':').next().map(str::to_string));
        }
    }
    out
}

/// A versionless dependency with no BOM in its own file: a convention plugin, a settings
/// file or a parent build sets its version.
fn outside_this_file() -> ManagedBy {
    ManagedBy { name: "a Gradle platform or plugin outside this file".to_string(), version: None }
}

/// Quoted strings and the offset of their first character within `s`.
fn quoted_with_offsets(s: &str) -> Vec<(String, usize)> {
    let mut out = Vec::new();
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'"' || b[i] == b'\'' {
            if let Some(end) = s[i + 1..].find(b[i] as char) {
                out.push((s[i + 1..i + 1 + end].to_string(), i + 1));
                i += end + 2;
                continue;
            }
        }
        i += 1;
    }
    out
}

#[derive(Deserialize, Default)]
struct Catalog {
    #[serde(default)]
    versions: BTreeMap<String, Spanned<toml::Value>>,
    #[serde(default)]
    libraries: BTreeMap<String, Spanned<toml::Value>>,
}

impl SourceParser for VersionCatalogParser {
    fn id(&self) -> &'static str {
        "gradle-version-catalog"
    }

    fn claim(&self, rel_path: &str, file_name: &str) -> Claim {
        if file_name.ends_with(".versions.toml") && !in_vendored_tree(rel_path) { Claim::Yes } else { Claim::No }
    }

    fn parse(&self, src: &SourceFile, _cx: &ParseContext, out: &mut Facts) {
        let Some(cat) = toml_or_report::<Catalog>(src, out, "version catalog") else { return };
        let version_of = |v: &toml::Value| -> Option<String> {
            match v {
                toml::Value::String(s) => Some(s.clone()),
                toml::Value::Table(t) => t
                    .get("strictly")
                    .or(t.get("require"))
                    .or(t.get("prefer"))
                    .and_then(toml::Value::as_str)
                    .map(str::to_string),
                _ => None,
            }
        };
        for lib in cat.libraries.values() {
            let (name, version, declared) = match lib.get_ref() {
                toml::Value::String(s) => {
                    let p: Vec<&str> = s.split(':').collect();
                    if p.len() < 2 {
                        continue;
                    }
                    (format!("{}:{}", p[0], p[1]), p.get(2).map(|v| v.to_string()), None)
                }
                toml::Value::Table(t) => {
                    let name = match (
                        t.get("module").and_then(toml::Value::as_str),
                        t.get("group").and_then(toml::Value::as_str),
                        t.get("name").and_then(toml::Value::as_str),
                    ) {
                        (Some(m), _, _) => m.to_string(),
                        (None, Some(g), Some(n)) => format!("{g}:{n}"),
                        _ => continue,
                    };
                    let reference =
                        t.get("version").and_then(|v| v.get("ref")).and_then(toml::Value::as_str).map(str::to_string);
                    let version = match &reference {
                        Some(r) => cat.versions.get(r).and_then(|v| version_of(v.get_ref())),
                        None => t.get("version").and_then(version_of),
                    };
                    (name, version, reference.map(|r| format!("versions.{r}")))
                }
                _ => continue,
            };
            let mut dep = Dependency::new(Ecosystem::Maven, name, DepSource::Manifest, src.location(lib.span()));
            if let Some(d) = declared {
                dep = dep.declared_as(d);
            }
            if let Some(v) = version {
                if let Some(exact) = Requirement::parse(Ecosystem::Maven, &v).ok().and_then(|r| r.exact()) {
                    dep = dep.version(exact);
                }
                dep = dep.requirement(v);
            }
            out.inventory.dependencies.push(dep);
        }
    }
}
