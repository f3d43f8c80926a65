//! PHP: `composer.json` (`require`, `require-dev`, including `ext-redis`, the phpredis
//! extension) and `composer.lock` (`packages`, `packages-dev`, `platform`).

use crate::inventory::{DepOrigin, DepSource, Dependency, Ecosystem};
use crate::sources::pkg::json::Node;
use crate::sources::pkg::{in_vendored_tree, json_or_report, unparsable};
use crate::sources::{Claim, Facts, ParseContext, SourceFile, SourceParser};
use crate::versions::Requirement;
use std::collections::HashSet;

pub struct ComposerJsonParser;
pub struct ComposerLockParser;

/// `php` itself and Composer's own plugin API are not packages.
fn is_platform_only(name: &str) -> bool {
    name == "php"
        || name.starts_with("php-")
        || name.starts_with("lib-")
        || name == "composer-plugin-api"
        || name == "composer-runtime-api"
        || name == "composer"
}

impl SourceParser for ComposerJsonParser {
    fn id(&self) -> &'static str {
        "composer-json"
    }

    fn claim(&self, rel_path: &str, file_name: &str) -> Claim {
        if file_name == "composer.json" && !in_vendored_tree(rel_path) { Claim::Yes } else { Claim::No }
    }

    fn parse(&self, src: &SourceFile, _cx: &ParseContext, out: &mut Facts) {
        let Some(root) = json_or_report(src, out, "composer.json") else { return };
        for (section, dev) in [("require", false), ("require-dev", true)] {
            let Some(map) = root.get(section).and_then(Node::as_object) else { continue };
            for (k, v) in map {
                let Some(range) = v.as_str() else { continue };
                if is_platform_only(&k.name) {
                    continue;
                }
                let mut dep = Dependency::new(
                    Ecosystem::Packagist,
                    k.name.as_ref(),
                    DepSource::Manifest,
                    src.location(k.start..v.end),
                )
                .dev(dev)
                .requirement(range);
                if range.starts_with("dev-") {
                    dep = dep.origin(DepOrigin::Git);
                } else if let Some(exact) = Requirement::parse(Ecosystem::Packagist, range).ok().and_then(|r| r.exact())
                {
                    dep = dep.version(exact);
                }
                out.inventory.dependencies.push(dep);
            }
        }
    }
}

impl SourceParser for ComposerLockParser {
    fn id(&self) -> &'static str {
        "composer-lock"
    }

    fn claim(&self, rel_path: &str, file_name: &str) -> Claim {
        if file_name == "composer.lock" && !in_vendored_tree(rel_path) { Claim::Yes } else { Claim::No }
    }

    fn parse(&self, src: &SourceFile, cx: &ParseContext, out: &mut Facts) {
        let Some(root) = json_or_report(src, out, "composer.lock") else { return };
        if root.get("packages").is_none() {
            unparsable(
                out,
                src.location(root.span()),
                "composer.lock",
                "no `packages` list",
                "regenerate it with `composer update --lock`",
            );
            return;
        }
        let declared: HashSet<String> = cx
            .read_relative(src, "composer.json")
            .ok()
            .and_then(|m| {
                m.text().and_then(|t| crate::sources::pkg::json::parse(t).ok()).map(|j| {
                    ["require", "require-dev"]
                        .iter()
                        .filter_map(|s| j.get(s).and_then(Node::as_object))
                        .flat_map(|m| m.iter().map(|(k, _)| k.name.to_ascii_lowercase()))
                        .collect()
                })
            })
            .unwrap_or_default();
        for (section, dev) in [("packages", false), ("packages-dev", true)] {
            let Some(list) = root.get(section).and_then(Node::as_array) else { continue };
            for p in list {
                let Some(name) = p.get("name").and_then(Node::as_str) else { continue };
                let version_node = p.get("version");
                let location = version_node.map_or_else(|| src.location(p.span()), |v| src.location(v.span()));
                let mut dep = Dependency::new(Ecosystem::Packagist, name, DepSource::Lockfile, location)
                    .dev(dev)
                    .direct(declared.contains(&name.to_ascii_lowercase()));
                let version = version_node.and_then(Node::as_str).unwrap_or("");
                let source_type = p.get("dist").or(p.get("source")).and_then(|s| s.get("type")).and_then(Node::as_str);
                if source_type == Some("path") {
                    dep = dep.origin(DepOrigin::Path).requirement(version);
                } else if version.starts_with("dev-") || version.ends_with("-dev") {
                    let reference =
                        p.get("source").and_then(|s| s.get("reference")).and_then(Node::as_str).unwrap_or("");
                    dep = dep.origin(DepOrigin::Git).requirement(format!("{version}#{reference}"));
                } else {
                    dep = dep.version(version);
                }
                out.inventory.dependencies.push(dep);
            }
        }
        // Extensions the project requires (phpredis is `ext-redis`): no version is locked.
        for section in ["platform", "platform-dev"] {
            let Some(map) = root.get(section).and_then(Node::as_object) else { continue };
            for (k, v) in map {
                if is_platform_only(&k.name) {
                    continue;
                }
                let dep = Dependency::new(
                    Ecosystem::Packagist,
                    k.name.as_ref(),
                    DepSource::Lockfile,
                    src.location(k.start..v.end),
                )
                .requirement(v.as_str().unwrap_or("*"))
                .direct(true)
                .dev(section == "platform-dev");
                out.inventory.dependencies.push(dep);
            }
        }
    }
}
