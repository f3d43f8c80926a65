//! `yarn.lock`: classic (v1, yarn's own line format) and berry (v2+, YAML with
//! `__metadata`, `resolution` and protocols: `npm:`, `patch:`, `workspace:`, `git`, …).

use super::{DirectNames, split_name_at};
use crate::inventory::{DepOrigin, DepSource, Dependency, Ecosystem};
use crate::location::Location;
use crate::sources::pkg::yaml::YNode;
use crate::sources::pkg::{in_vendored_tree, unparsable, yaml_or_report};
use crate::sources::{Claim, Facts, ParseContext, SourceFile, SourceParser};

pub struct YarnLockParser;

impl SourceParser for YarnLockParser {
    fn id(&self) -> &'static str {
        "yarn-lock"
    }

    fn claim(&self, rel_path: &str, file_name: &str) -> Claim {
        if file_name == "yarn.lock" && !in_vendored_tree(rel_path) { Claim::Yes } else { Claim::No }
    }

    fn parse(&self, src: &SourceFile, cx: &ParseContext, out: &mut Facts) {
        let Some(text) = src.text_or_report(out) else { return };
        if text.trim().is_empty() {
            unparsable(out, src.file_location(), "yarn.lock", "the file is empty", "regenerate it with `yarn install`");
            return;
        }
        let mut direct = DirectNames::default();
        if let Ok(manifest_src) = cx.read_relative(src, "package.json")
            && let Some(t) = manifest_src.text()
            && let Ok(manifest) = crate::sources::pkg::json::parse(t)
        {
            direct.add_manifest(&manifest);
        }
        let berry = !text.contains("# yarn lockfile v1") && text.lines().any(|l| l.starts_with("__metadata:"));
        if berry {
            parse_berry(src, &direct, out);
        } else {
            parse_classic(src, text, &direct, out);
        }
    }
}

/// True when one of an entry's specifiers is what package.json declares.
fn declared(direct: &DirectNames, specs: &[String]) -> Option<bool> {
    specs.iter().find_map(|s| {
        let (key, range) = split_name_at(s);
        let (decl, dev) = direct.names.get(key)?;
        (range.is_some_and(|r| r == decl || r.strip_prefix("npm:") == Some(decl))).then_some(*dev)
    })
}

fn unquote(s: &str) -> &str {
    let s = s.trim();
    s.strip_prefix('"').and_then(|x| x.strip_suffix('"')).unwrap_or(s)
}

fn origin_of_resolved(resolved: &str) -> Option<DepOrigin> {
    if resolved.starts_with("git+")
        || resolved.starts_with("git:")
        || resolved.contains("codeload.github.com")
        || resolved.contains(".git#")
    {
        Some(DepOrigin::Git)
    } else if resolved.starts_with("file:") {
        Some(DepOrigin::Path)
    } else {
        None
    }
}

fn parse_classic(src: &SourceFile, text: &str, direct: &DirectNames, out: &mut Facts) {
    struct Entry {
        specs: Vec<String>,
        header: Location,
        version: Option<(String, Location)>,
        resolved: Option<String>,
    }
    let mut entries: Vec<Entry> = Vec::new();
    let mut offset = 0;
    let mut saw_entry_body = false;
    for (lineno, raw_line) in text.split_inclusive('\n').enumerate() {
        let start = offset;
        offset += raw_line.len();
        let line = raw_line.trim_end_matches(['\n', '\r']);
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        let indent = line.len() - line.trim_start().len();
        if indent == 0 {
            let Some(header) = line.strip_suffix(':') else {
                unparsable(
                    out,
                    src.location(start..start + line.len()),
                    "yarn.lock",
                    &format!("line {} is not an entry header (`name@range:`)", lineno + 1),
                    "regenerate the file with `yarn install`; the entries before this line were read",
                );
                break;
            };
            let specs = header.split(", ").map(|s| unquote(s).to_string()).collect();
            entries.push(Entry {
                specs,
                header: src.location(start..start + line.len()),
                version: None,
                resolved: None,
            });
            continue;
        }
        let Some(entry) = entries.last_mut() else {
            unparsable(
                out,
                src.location(start..start + line.len()),
                "yarn.lock",
                "indented line before any entry",
                "regenerate the file with `yarn install`",
            );
            break;
        };
        saw_entry_body = true;
        if indent == 2 {
            let body = line.trim_start();
            if let Some(v) = body.strip_prefix("version ") {
                let vstart = start + indent + "version ".len();
                entry.version = Some((unquote(v).to_string(), src.location(vstart..start + line.len())));
            } else if let Some(r) = body.strip_prefix("resolved ") {
                entry.resolved = Some(unquote(r).to_string());
            }
        }
    }
    if entries.is_empty() && !saw_entry_body {
        return;
    }
    for e in entries {
        let first = e.specs.first().cloned().unwrap_or_default();
        let (key, range) = split_name_at(&first);
        let (name, alias) = match range.and_then(|r| r.strip_prefix("npm:")) {
            Some(aliased) => (split_name_at(aliased).0.to_string(), Some(key.to_string())),
            None => (key.to_string(), None),
        };
        let location = e.version.as_ref().map_or_else(|| e.header.clone(), |(_, l)| l.clone());
        let mut dep = Dependency::new(Ecosystem::Npm, name, DepSource::Lockfile, location);
        let dev = declared(direct, &e.specs);
        dep = dep.direct(dev.is_some()).dev(dev == Some(true));
        if let Some(a) = alias {
            dep = dep.declared_as(a);
        }
        let spec_origin = range.and_then(|r| super::parse_spec(key, r).origin);
        match (e.resolved.as_deref().and_then(origin_of_resolved).or(spec_origin), e.version) {
            (Some(origin), _) => {
                dep = dep.origin(origin).requirement(e.resolved.unwrap_or_else(|| range.unwrap_or("").to_string()));
            }
            (None, Some((v, _))) => dep = dep.version(v),
            (None, None) => {}
        }
        out.inventory.dependencies.push(dep);
    }
}

fn parse_berry(src: &SourceFile, direct: &DirectNames, out: &mut Facts) {
    let Some(docs) = yaml_or_report(src, out, "yarn.lock") else { return };
    let Some(entries) = docs.first().and_then(YNode::as_map) else {
        unparsable(
            out,
            src.file_location(),
            "yarn.lock",
            "expected a mapping of entries",
            "regenerate the file with `yarn install`",
        );
        return;
    };
    for (key, entry) in entries {
        let Some(header) = key.as_str() else { continue };
        if header == "__metadata" {
            continue;
        }
        let specs: Vec<String> = header.split(", ").map(|s| s.trim().to_string()).collect();
        let resolution = entry.get("resolution").and_then(YNode::as_str).unwrap_or(&specs[0]);
        let (name, rest) = split_name_at(resolution);
        let rest = rest.unwrap_or("");
        let protocol = rest.split_once(':').map_or("", |(p, _)| p);
        let version_node = entry.get("version");
        let location = version_node.map_or_else(|| key.location(src), |v| v.location(src));
        let mut dep = Dependency::new(Ecosystem::Npm, name, DepSource::Lockfile, location);
        let first_key = split_name_at(&specs[0]).0;
        if first_key != name {
            dep = dep.declared_as(first_key);
        }
        let stripped: Vec<String> = specs
            .iter()
            .map(|s| {
                let (k, r) = split_name_at(s);
                format!("{k}@{}", r.map(|r| r.strip_prefix("npm:").unwrap_or(r)).unwrap_or(""))
            })
            .collect();
        let dev = declared(direct, &stripped).or_else(|| declared(direct, &specs));
        dep = dep.direct(dev.is_some()).dev(dev == Some(true));
        let origin = match protocol {
            "npm" | "patch" => None,
            "workspace" => Some(DepOrigin::Workspace),
            "link" | "portal" | "file" => Some(DepOrigin::Path),
            "http" | "https" => {
                Some(if rest.contains(".git") || rest.contains("codeload") { DepOrigin::Git } else { DepOrigin::Url })
            }
            _ => Some(DepOrigin::Git),
        };
        // A `patch:` of an npm package is that version with a local patch applied.
        let patch_of_npm = protocol == "patch" && rest.contains("npm%3A");
        match origin {
            None if protocol == "npm" || patch_of_npm => {
                if let Some(v) = version_node.and_then(YNode::as_str) {
                    dep = dep.version(v);
                }
            }
            None => dep = dep.origin(DepOrigin::Path).requirement(rest),
            Some(o) => dep = dep.origin(o).requirement(rest),
        }
        out.inventory.dependencies.push(dep);
    }
}
