//! `Pipfile` (TOML: `[packages]`, `[dev-packages]`) and `Pipfile.lock` (JSON: `default`,
//! `develop`, each version written `==x`).

use super::url_origin;
use crate::inventory::{DepOrigin, DepSource, Dependency, Ecosystem};
use crate::sources::pkg::json::Node;
use crate::sources::pkg::{in_vendored_tree, json_or_report, toml_or_report, unparsable};
use crate::sources::{Claim, Facts, ParseContext, SourceFile, SourceParser};
use crate::versions::Requirement;
use serde::Deserialize;
use std::collections::{BTreeMap, HashSet};
use toml::Spanned;

pub struct PipfileParser;
pub struct PipfileLockParser;

#[derive(Deserialize, Default)]
struct Pipfile {
    #[serde(default)]
    packages: BTreeMap<String, Spanned<toml::Value>>,
    #[serde(default, rename = "dev-packages")]
    dev_packages: BTreeMap<String, Spanned<toml::Value>>,
}

impl SourceParser for PipfileParser {
    fn id(&self) -> &'static str {
        "pipfile"
    }

    fn claim(&self, rel_path: &str, file_name: &str) -> Claim {
        if file_name == "Pipfile" && !in_vendored_tree(rel_path) { Claim::Yes } else { Claim::No }
    }

    fn parse(&self, src: &SourceFile, _cx: &ParseContext, out: &mut Facts) {
        let Some(doc) = toml_or_report::<Pipfile>(src, out, "Pipfile") else { return };
        for (section, dev) in [(&doc.packages, false), (&doc.dev_packages, true)] {
            for (name, value) in section {
                let mut dep =
                    Dependency::new(Ecosystem::Pypi, name, DepSource::Manifest, src.location(value.span())).dev(dev);
                let range = match value.get_ref() {
                    toml::Value::String(s) => Some(s.clone()),
                    toml::Value::Table(t) => {
                        if let Some(g) = t.get("git").and_then(toml::Value::as_str) {
                            dep = dep.origin(DepOrigin::Git).requirement(g);
                            None
                        } else if let Some(p) = t.get("path").and_then(toml::Value::as_str) {
                            dep = dep.origin(DepOrigin::Path).requirement(p);
                            None
                        } else if let Some(f) = t.get("file").and_then(toml::Value::as_str) {
                            dep = dep.origin(url_origin(f)).requirement(f);
                            None
                        } else {
                            Some(t.get("version").and_then(toml::Value::as_str).unwrap_or("*").to_string())
                        }
                    }
                    _ => None,
                };
                if let Some(r) = range {
                    if let Some(v) =
                        r.starts_with("==").then(|| Requirement::parse(Ecosystem::Pypi, &r).ok()?.exact()).flatten()
                    {
                        dep = dep.version(v);
                    }
                    dep = dep.requirement(r);
                }
                out.inventory.dependencies.push(dep);
            }
        }
    }
}

impl SourceParser for PipfileLockParser {
    fn id(&self) -> &'static str {
        "pipfile-lock"
    }

    fn claim(&self, rel_path: &str, file_name: &str) -> Claim {
        if file_name == "Pipfile.lock" && !in_vendored_tree(rel_path) { Claim::Yes } else { Claim::No }
    }

    fn parse(&self, src: &SourceFile, cx: &ParseContext, out: &mut Facts) {
        let Some(root) = json_or_report(src, out, "Pipfile.lock") else { return };
        if root.get("default").is_none() && root.get("develop").is_none() {
            unparsable(
                out,
                src.location(root.span()),
                "Pipfile.lock",
                "no `default` or `develop` section",
                "regenerate it with `pipenv lock`",
            );
            return;
        }
        let declared: HashSet<String> = cx
            .read_relative(src, "Pipfile")
            .ok()
            .and_then(|p| p.text().and_then(|t| toml::from_str::<Pipfile>(t).ok()))
            .map(|d| {
                d.packages.keys().chain(d.dev_packages.keys()).map(|n| Ecosystem::Pypi.normalize_name(n)).collect()
            })
            .unwrap_or_default();
        let mut seen_default = HashSet::new();
        for (section, dev) in [("default", false), ("develop", true)] {
            let Some(map) = root.get(section).and_then(Node::as_object) else { continue };
            for (key, entry) in map {
                let norm = Ecosystem::Pypi.normalize_name(&key.name);
                // A package in both sections is a runtime dependency: keep the default entry.
                if dev && seen_default.contains(&norm) {
                    continue;
                }
                if !dev {
                    seen_default.insert(norm.clone());
                }
                let version_node = entry.get("version");
                let location = version_node.map_or_else(|| src.location(key.span()), |v| src.location(v.span()));
                let mut dep = Dependency::new(Ecosystem::Pypi, key.name.as_ref(), DepSource::Lockfile, location)
                    .dev(dev)
                    .direct(declared.contains(&norm));
                if let Some(g) = entry.get("git").and_then(Node::as_str) {
                    dep = dep.origin(DepOrigin::Git).requirement(g);
                } else if let Some(p) = entry.get("path").and_then(Node::as_str) {
                    dep = dep.origin(DepOrigin::Path).requirement(p);
                } else if let Some(v) = version_node.and_then(Node::as_str) {
                    match v.strip_prefix("==") {
                        Some(exact) => dep = dep.version(exact),
                        None => dep = dep.requirement(v),
                    }
                }
                out.inventory.dependencies.push(dep);
            }
        }
    }
}
