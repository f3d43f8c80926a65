//! `package-lock.json` and `npm-shrinkwrap.json`, lockfileVersion 1 (nested `dependencies`),
//! 2 (both forms; `packages` is read) and 3 (`packages` only): aliases, workspaces and links.
//! Each package is located at its `"version"` value, the text a fix changes.

use super::{DirectNames, parse_spec, split_name_at};
use crate::inventory::{DepOrigin, DepSource, Dependency, Ecosystem};
use crate::sources::pkg::json::Node;
use crate::sources::pkg::{in_vendored_tree, json_or_report, unparsable};
use crate::sources::{Claim, Facts, ParseContext, SourceFile, SourceParser};

pub struct PackageLockParser;

impl SourceParser for PackageLockParser {
    fn id(&self) -> &'static str {
        "npm-package-lock"
    }

    fn claim(&self, rel_path: &str, file_name: &str) -> Claim {
        // `node_modules/.package-lock.json` is npm's hidden lock, not the project's.
        if matches!(file_name, "package-lock.json" | "npm-shrinkwrap.json") && !in_vendored_tree(rel_path) {
            Claim::Yes
        } else {
            Claim::No
        }
    }

    fn parse(&self, src: &SourceFile, cx: &ParseContext, out: &mut Facts) {
        let what = src.rel.rsplit('/').next().unwrap_or("package-lock.json").to_string();
        let Some(root) = json_or_report(src, out, &what) else { return };
        if root.as_object().is_none() {
            unparsable(
                out,
                src.location(root.span()),
                &what,
                &format!("expected an object at the top, found {}", root.kind()),
                "this does not look like an npm lock file",
            );
            return;
        }
        if let Some(packages) = root.get("packages") {
            let Some(entries) = packages.as_object() else {
                unparsable(
                    out,
                    src.location(packages.span()),
                    &what,
                    "`packages` is not an object",
                    "regenerate it with `npm install`",
                );
                return;
            };
            read_packages(src, entries, out);
        } else if let Some(deps) = root.get("dependencies") {
            let mut direct = DirectNames::default();
            if let Ok(manifest_src) = cx.read_relative(src, "package.json")
                && let Some(text) = manifest_src.text()
                && let Ok(manifest) = crate::sources::pkg::json::parse(text)
            {
                direct.add_manifest(&manifest);
            }
            read_v1(src, deps, &direct, true, out);
        } else if root.get("lockfileVersion").is_none() {
            unparsable(
                out,
                src.file_location(),
                &what,
                "no `lockfileVersion`, `packages` or `dependencies`",
                "this does not look like an npm lock file; regenerate it with `npm install`",
            );
        }
    }
}

/// The package name at the end of a `packages` key (`node_modules/a/node_modules/@s/b` → `@s/b`).
fn name_from_path(path: &str) -> Option<&str> {
    let idx = path.rfind("node_modules/")?;
    Some(&path[idx + "node_modules/".len()..])
}

fn origin_of(resolved: Option<&str>, version: Option<&str>) -> Option<DepOrigin> {
    let r = resolved.or(version)?;
    if r.starts_with("git+") || r.starts_with("git:") || r.starts_with("github:") || r.starts_with("git@") {
        Some(DepOrigin::Git)
    } else if r.starts_with("file:") {
        Some(DepOrigin::Path)
    } else {
        None
    }
}

/// Whether a `packages` key outside node_modules is a workspace member (matched by the root's
/// `workspaces` globs: `packages/*`, `apps/**`, exact folders) rather than a `file:` folder.
fn is_workspace_member(path: &str, patterns: &[String]) -> bool {
    patterns.iter().any(|p| {
        let p = p.trim_start_matches("./").trim_end_matches('/');
        if let Some(prefix) = p.strip_suffix("/**") {
            path.starts_with(&format!("{prefix}/"))
        } else if let Some(prefix) = p.strip_suffix("/*") {
            path.strip_prefix(&format!("{prefix}/")).is_some_and(|rest| !rest.contains('/'))
        } else {
            path == p
        }
    })
}

fn read_packages(src: &SourceFile, entries: &[(crate::sources::pkg::json::Key, Node)], out: &mut Facts) {
    let keys: std::collections::HashSet<&str> = entries.iter().map(|(k, _)| k.name.as_ref()).collect();
    let root = entries.iter().find(|(k, _)| k.name.is_empty()).map(|(_, v)| v);
    let workspaces: Vec<String> = root
        .and_then(|r| r.get("workspaces"))
        .map(|w| {
            let list = w.as_array().or_else(|| w.get("packages").and_then(Node::as_array)).unwrap_or(&[]);
            list.iter().filter_map(|n| n.as_str().map(str::to_string)).collect()
        })
        .unwrap_or_default();
    // Each manifest (the root and every workspace member) declares names; node resolves a
    // name from the member's own node_modules first, then from the root's.
    let mut direct_keys: std::collections::HashSet<String> = std::collections::HashSet::new();
    for (key, entry) in entries {
        if key.name.contains("node_modules/") {
            continue;
        }
        let mut names = DirectNames::default();
        names.add_manifest(entry);
        for declared in names.names.keys() {
            let own = if key.name.is_empty() {
                format!("node_modules/{declared}")
            } else {
                format!("{}/node_modules/{declared}", key.name)
            };
            if keys.contains(own.as_str()) {
                direct_keys.insert(own);
            } else {
                direct_keys.insert(format!("node_modules/{declared}"));
            }
        }
    }
    out.inventory.dependencies.reserve(entries.len());
    for (key, entry) in entries {
        let path = key.name.as_ref();
        if path.is_empty() {
            continue;
        }
        let resolved = entry.get("resolved").and_then(Node::as_str);
        let version_node = entry.get("version");
        let version = version_node.and_then(Node::as_str);
        let is_link = entry.get("link").and_then(Node::as_bool) == Some(true);
        let (key_name, in_node_modules) = match name_from_path(path) {
            Some(n) => (n, true),
            None => (path.rsplit('/').next().unwrap_or(path), false),
        };
        let name = entry.get("name").and_then(Node::as_str).unwrap_or(key_name);
        let location = match version_node {
            Some(v) => src.location(v.span()),
            None => src.location(key.span()),
        };
        let mut dep = Dependency::new(Ecosystem::Npm, name, DepSource::Lockfile, location)
            .dev(entry.get("dev").and_then(Node::as_bool) == Some(true))
            .direct(direct_keys.contains(path));
        if name != key_name {
            dep = dep.declared_as(key_name);
        }
        if is_link || !in_node_modules {
            // A folder of this repository (a workspace member, a `file:` folder, or a link to
            // one): no registry version.
            let folder = if is_link { resolved.unwrap_or("") } else { path };
            let origin = if is_workspace_member(folder, &workspaces) { DepOrigin::Workspace } else { DepOrigin::Path };
            dep = dep.origin(origin).requirement(folder);
        } else if let Some(origin) = origin_of(resolved, version) {
            dep = dep.origin(origin);
            if let Some(r) = resolved.or(version) {
                dep = dep.requirement(r);
            }
        } else if let Some(v) = version {
            dep = dep.version(v);
        }
        out.inventory.dependencies.push(dep);
    }
}

fn read_v1(src: &SourceFile, deps: &Node, direct: &DirectNames, top: bool, out: &mut Facts) {
    let Some(map) = deps.as_object() else { return };
    for (key, entry) in map {
        let version_node = entry.get("version");
        let raw = version_node.and_then(Node::as_str).unwrap_or("");
        let location = match version_node {
            Some(v) => src.location(v.span()),
            None => src.location(key.span()),
        };
        let (name, version, origin) = if let Some(alias) = raw.strip_prefix("npm:") {
            let (n, v) = split_name_at(alias);
            (n.to_string(), v.map(str::to_string), None)
        } else {
            let spec = parse_spec(&key.name, raw);
            match spec.origin {
                Some(o) => (key.name.to_string(), None, Some(o)),
                None if raw.is_empty() => (key.name.to_string(), None, None),
                None => (key.name.to_string(), Some(raw.to_string()), None),
            }
        };
        let mut dep = Dependency::new(Ecosystem::Npm, &name, DepSource::Lockfile, location)
            .dev(entry.get("dev").and_then(Node::as_bool) == Some(true))
            .direct(top && direct.is_direct(&key.name).is_some());
        if name != key.name.as_ref() {
            dep = dep.declared_as(key.name.as_ref());
        }
        if let Some(o) = origin {
            dep = dep.origin(o).requirement(raw);
        } else if let Some(v) = version {
            dep = dep.version(v);
        }
        out.inventory.dependencies.push(dep);
        if let Some(nested) = entry.get("dependencies") {
            read_v1(src, nested, direct, false, out);
        }
    }
}
