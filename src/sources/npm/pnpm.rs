//! `pnpm-lock.yaml`: v5 (`/name/version_peer`), v6 (`/name@version(peer)`), v9
//! (`name@version`, `importers` + `packages` + `snapshots`) and pnpm 11's multi-document
//! stream, whose first document (the env lockfile: pnpm itself, config dependencies) is not
//! the project's.

use crate::inventory::{DepOrigin, DepSource, Dependency, Ecosystem};
use crate::sources::pkg::yaml::YNode;
use crate::sources::pkg::{in_vendored_tree, unparsable, yaml_skipping_or_report};
use crate::sources::{Claim, Facts, ParseContext, SourceFile, SourceParser};
use std::collections::HashMap;

pub struct PnpmLockParser;

impl SourceParser for PnpmLockParser {
    fn id(&self) -> &'static str {
        "pnpm-lock"
    }

    fn claim(&self, rel_path: &str, file_name: &str) -> Claim {
        if file_name == "pnpm-lock.yaml" && !in_vendored_tree(rel_path) { Claim::Yes } else { Claim::No }
    }

    fn parse(&self, src: &SourceFile, _cx: &ParseContext, out: &mut Facts) {
        // `snapshots` (v9) repeats `packages` per peer set; nothing in it is needed here.
        let Some(docs) = yaml_skipping_or_report(src, out, "pnpm-lock.yaml", &["snapshots"]) else { return };
        let mut read_any = false;
        for doc in &docs {
            if doc.as_map().is_none() || is_env_lockfile(doc) {
                continue;
            }
            let Some(version) = doc.get("lockfileVersion").and_then(YNode::as_str) else {
                continue;
            };
            read_any = true;
            let major: u32 = version.trim_matches('\'').split('.').next().and_then(|m| m.parse().ok()).unwrap_or(0);
            read_document(src, doc, major, out);
        }
        if !read_any {
            unparsable(
                out,
                src.file_location(),
                "pnpm-lock.yaml",
                "no document with a `lockfileVersion`",
                "this does not look like a pnpm lock file; regenerate it with `pnpm install`",
            );
        }
    }
}

/// pnpm 11 writes the env lockfile (configDependencies, packageManagerDependencies) first.
fn is_env_lockfile(doc: &YNode) -> bool {
    let Some(importers) = doc.get("importers").and_then(YNode::as_map) else { return false };
    !importers.is_empty()
        && importers.iter().all(|(_, imp)| {
            imp.as_map().is_some_and(|m| {
                m.iter().all(|(k, _)| matches!(k.as_str(), Some("configDependencies" | "packageManagerDependencies")))
            })
        })
}

/// (name, version-with-peers) from a `packages` key of any lockfile version.
fn split_key(key: &str, major: u32) -> Option<(String, String)> {
    let k = key.strip_prefix('/').unwrap_or(key);
    if major >= 6 {
        // `@scope/name@1.0.0(peer@2)`: the version starts at the last `@` before any `(`.
        let head = k.split('(').next()?;
        let at = head.rfind('@').filter(|&i| i > 0)?;
        Some((k[..at].to_string(), k[at + 1..].to_string()))
    } else {
        // `/name/1.0.0_peer@2`, `/@scope/name/1.0.0`, or with a registry host first.
        let parts: Vec<&str> = k.split('/').collect();
        let parts = if parts.first().is_some_and(|p| p.contains('.') && !p.starts_with('@')) && parts.len() > 2 {
            &parts[1..]
        } else {
            &parts[..]
        };
        let (version, name_parts) = parts.split_last()?;
        Some((name_parts.join("/"), version.to_string()))
    }
}

fn strip_peers(v: &str) -> &str {
    let v = v.split('(').next().unwrap_or(v);
    v.split('_').next().unwrap_or(v)
}

/// Direct dependencies from `importers` (workspaces) or the v5 root sections, as
/// (real name, version) → dev.
fn direct_from(doc: &YNode, major: u32) -> HashMap<(String, String), bool> {
    let mut out = HashMap::new();
    let mut add_importer = |imp: &YNode| {
        for (section, dev) in [("dependencies", false), ("optionalDependencies", false), ("devDependencies", true)] {
            let Some(m) = imp.get(section).and_then(YNode::as_map) else { continue };
            for (k, v) in m {
                let Some(key) = k.as_str() else { continue };
                // v6+: {specifier, version}; v5: a version string (with `specifiers` apart).
                let version = v.get("version").and_then(YNode::as_str).or(v.as_str()).unwrap_or("");
                // An alias resolves to `/name/version` (v5), `/name@version` (v6) or
                // `name@version` (v9) instead of a bare version.
                let (name, version) = if version.starts_with('/') {
                    match split_key(version, major) {
                        Some((n, v)) => (n, v),
                        None => continue,
                    }
                } else if version.contains('@')
                    && !version.starts_with(['@', '('])
                    && !version.starts_with("link:")
                    && !version.starts_with("file:")
                {
                    match split_key(version, 9) {
                        Some((n, v)) => (n, v),
                        None => continue,
                    }
                } else {
                    (key.to_string(), version.to_string())
                };
                let entry = out.entry((name, strip_peers(&version).to_string())).or_insert(dev);
                *entry = *entry && dev;
            }
        }
    };
    match doc.get("importers").and_then(YNode::as_map) {
        Some(importers) => importers.iter().for_each(|(_, imp)| add_importer(imp)),
        None => add_importer(doc),
    }
    out
}

fn read_document(src: &SourceFile, doc: &YNode, major: u32, out: &mut Facts) {
    let direct = direct_from(doc, major);
    let Some(packages) = doc.get("packages") else { return };
    let Some(entries) = packages.as_map() else {
        unparsable(
            out,
            packages.location(src),
            "pnpm-lock.yaml",
            "`packages` is not a mapping",
            "regenerate it with `pnpm install`",
        );
        return;
    };
    out.inventory.dependencies.reserve(entries.len());
    for (key, entry) in entries {
        let Some(raw_key) = key.as_str() else { continue };
        let resolution = entry.get("resolution");
        let git = resolution.is_some_and(|r| {
            r.get("commit").is_some() || r.get("repo").is_some() || r.get("type").and_then(YNode::as_str) == Some("git")
        });
        let tarball = resolution.and_then(|r| r.get("tarball")).and_then(YNode::as_str);
        let local = resolution.and_then(|r| r.get("directory")).is_some();
        let from_key = split_key(raw_key, major);
        let name = entry
            .get("name")
            .and_then(YNode::as_str)
            .map(str::to_string)
            .or_else(|| from_key.as_ref().map(|(n, _)| n.clone()))
            .unwrap_or_else(|| raw_key.to_string());
        let version = entry
            .get("version")
            .and_then(YNode::as_str)
            .map(str::to_string)
            .or_else(|| from_key.as_ref().map(|(_, v)| strip_peers(v).to_string()));
        let location = key.location(src);
        let dev_flag = entry.get("dev").and_then(YNode::as_str) == Some("true");
        let mut dep = Dependency::new(Ecosystem::Npm, &name, DepSource::Lockfile, location);
        let pair = (name.clone(), version.clone().unwrap_or_default());
        // Local folders appear in importers as `file:…`/`link:…`, matched by name alone.
        let declared = direct.get(&pair).or_else(|| {
            direct
                .iter()
                .find(|((n, v), _)| n == &name && (v.starts_with("file:") || v.starts_with("link:")))
                .map(|(_, d)| d)
        });
        dep = dep.dev(dev_flag || declared == Some(&true)).direct(declared.is_some());
        let origin = if git || tarball.is_some_and(|t| t.contains("codeload.github.com") || t.contains(".git")) {
            Some(DepOrigin::Git)
        } else if local || raw_key.starts_with("file:") || raw_key.contains("@file:") || raw_key.contains("@link:") {
            Some(DepOrigin::Path)
        } else if tarball.is_some()
            && version.as_deref().is_none_or(|v| !crate::versions::is_version(Ecosystem::Npm, v))
        {
            Some(DepOrigin::Url)
        } else {
            None
        };
        match (origin, version) {
            (Some(o), _) => dep = dep.origin(o).requirement(raw_key),
            (None, Some(v)) if crate::versions::is_version(Ecosystem::Npm, &v) => dep = dep.version(v),
            (None, Some(_)) => dep = dep.origin(DepOrigin::Git).requirement(raw_key),
            (None, None) => {}
        }
        out.inventory.dependencies.push(dep);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_of_every_version() {
        assert_eq!(split_key("/ioredis/5.3.2", 5), Some(("ioredis".into(), "5.3.2".into())));
        assert_eq!(split_key("/@redis/client/1.5.12_abc", 5), Some(("@redis/client".into(), "1.5.12_abc".into())));
        assert_eq!(split_key("registry.npmjs.org/ioredis/5.3.2", 5), Some(("ioredis".into(), "5.3.2".into())));
        assert_eq!(split_key("/@redis/client@1.5.12(x@1)", 6), Some(("@redis/client".into(), "1.5.12(x@1)".into())));
        assert_eq!(split_key("ioredis@5.8.2", 9), Some(("ioredis".into(), "5.8.2".into())));
        assert_eq!(strip_peers("1.5.12(x@1)"), "1.5.12");
        assert_eq!(strip_peers("1.5.12_abc"), "1.5.12");
    }
}
