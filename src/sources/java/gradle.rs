use crate::inventory::{DepSource, Dependency, Ecosystem};
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
    /// `conf group: 'g', name: 'a', version: 'v'`. Versions computed in code are left alone.
    fn parse(&self, src: &SourceFile, _cx: &ParseContext, out: &mut Facts) {
        let Some(text) = src.text_or_report(out) else { return };
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
            } else {
                continue;
            };
            let mut dep = Dependency::new(Ecosystem::Maven, name, DepSource::Manifest, src.location(span)).dev(dev);
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
