//! Ruby: `Gemfile` (`gem` lines with their requirements, groups, git/path sources) and
//! `Gemfile.lock` (GEM/GIT/PATH specs, DEPENDENCIES for what is direct).

use crate::inventory::{DepOrigin, DepSource, Dependency, Ecosystem};
use crate::sources::pkg::{in_vendored_tree, unparsable};
use crate::sources::{Claim, Facts, ParseContext, SourceFile, SourceParser};
use crate::versions::Requirement;
use std::collections::HashSet;

pub struct GemfileParser;
pub struct GemfileLockParser;

/// The quoted strings of a Ruby argument list, in order, with the text after them.
fn quoted_args(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'"' || b[i] == b'\'' {
            let q = b[i];
            if let Some(end) = s[i + 1..].find(q as char) {
                out.push(s[i + 1..i + 1 + end].to_string());
                i += end + 2;
                continue;
            }
        }
        i += 1;
    }
    out
}

impl SourceParser for GemfileParser {
    fn id(&self) -> &'static str {
        "gemfile"
    }

    fn claim(&self, rel_path: &str, file_name: &str) -> Claim {
        if matches!(file_name, "Gemfile" | "gems.rb") && !in_vendored_tree(rel_path) { Claim::Yes } else { Claim::No }
    }

    fn parse(&self, src: &SourceFile, _cx: &ParseContext, out: &mut Facts) {
        let Some(text) = src.text_or_report(out) else { return };
        let mut groups: Vec<bool> = Vec::new();
        let mut offset = 0;
        for raw in text.split_inclusive('\n') {
            let start = offset;
            offset += raw.len();
            let line = raw.trim_end_matches(['\n', '\r']);
            let code = line.split(" #").next().unwrap_or(line);
            let t = code.trim();
            if t.starts_with('#') || t.is_empty() {
                continue;
            }
            if t.starts_with("group ") || t.starts_with("group(") {
                let dev = ["development", "test"].iter().any(|g| t.contains(g))
                    && !t.contains(":production")
                    && !t.contains(":default");
                groups.push(dev);
                continue;
            }
            if t.ends_with(" do")
                || t.ends_with(" do |")
                || t.starts_with("platforms")
                || t.starts_with("source ") && t.ends_with("do")
            {
                groups.push(groups.last().copied().unwrap_or(false));
                continue;
            }
            if t == "end" {
                groups.pop();
                continue;
            }
            let Some(args) = t.strip_prefix("gem ").or_else(|| t.strip_prefix("gem(")) else { continue };
            let strings = quoted_args(args);
            let Some(name) = strings.first() else { continue };
            let lead = line.len() - line.trim_start().len();
            let location = src.location(start + lead..start + lead + t.len());
            let dev = groups.last().copied().unwrap_or(false)
                || args.contains("group: :development")
                || args.contains("group: :test");
            let mut dep = Dependency::new(Ecosystem::Rubygems, name, DepSource::Manifest, location).dev(dev);
            if args.contains("git:")
                || args.contains("github:")
                || args.contains(":git =>")
                || args.contains(":github =>")
            {
                dep = dep.origin(DepOrigin::Git);
            } else if args.contains("path:") || args.contains(":path =>") {
                dep = dep.origin(DepOrigin::Path);
            } else {
                // Version requirements are the quoted strings right after the name, before options.
                let before_opts = args.split(": ").next().unwrap_or(args);
                let reqs: Vec<&String> = strings[1..]
                    .iter()
                    .filter(|r| {
                        before_opts.contains(r.as_str())
                            && r.starts_with(|c: char| c.is_ascii_digit() || "~<>=!".contains(c))
                    })
                    .collect();
                if !reqs.is_empty() {
                    let req = reqs.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ");
                    if let Some(v) = Requirement::parse(Ecosystem::Rubygems, &req).ok().and_then(|r| r.exact()) {
                        dep = dep.version(v);
                    }
                    dep = dep.requirement(req);
                }
            }
            out.inventory.dependencies.push(dep);
        }
    }
}

impl SourceParser for GemfileLockParser {
    fn id(&self) -> &'static str {
        "gemfile-lock"
    }

    fn claim(&self, rel_path: &str, file_name: &str) -> Claim {
        if matches!(file_name, "Gemfile.lock" | "gems.locked") && !in_vendored_tree(rel_path) {
            Claim::Yes
        } else {
            Claim::No
        }
    }

    fn parse(&self, src: &SourceFile, _cx: &ParseContext, out: &mut Facts) {
        let Some(text) = src.text_or_report(out) else { return };
        if text.trim().is_empty() {
            unparsable(
                out,
                src.file_location(),
                "Gemfile.lock",
                "the file is empty",
                "regenerate it with `bundle lock`",
            );
            return;
        }
        let mut section = "";
        let mut in_specs = false;
        let mut direct: HashSet<String> = HashSet::new();
        let mut specs: Vec<(String, String, std::ops::Range<usize>, &str)> = Vec::new();
        let mut offset = 0;
        let mut saw_section = false;
        for raw in text.split_inclusive('\n') {
            let start = offset;
            offset += raw.len();
            let line = raw.trim_end_matches(['\n', '\r']);
            if line.is_empty() {
                continue;
            }
            let indent = line.len() - line.trim_start().len();
            if indent == 0 {
                section = match line.trim() {
                    "GEM" => "gem",
                    "GIT" => "git",
                    "PATH" => "path",
                    "DEPENDENCIES" => "deps",
                    _ => "other",
                };
                saw_section = true;
                in_specs = false;
                continue;
            }
            match (section, indent) {
                ("gem" | "git" | "path", 2) => in_specs = line.trim() == "specs:",
                ("gem" | "git" | "path", 4) if in_specs => {
                    let t = line.trim();
                    let Some((name, rest)) = t.split_once(" (") else { continue };
                    let version = rest.trim_end_matches(')');
                    // Platform gems append the platform: `nokogiri (1.16.0-x86_64-linux)`.
                    let version = version
                        .split_once('-')
                        .filter(|(v, p)| !p.starts_with(|c: char| c.is_ascii_digit()) && !v.is_empty())
                        .map_or(version, |(v, _)| v);
                    let vstart = start + indent + name.len() + 2;
                    specs.push((name.to_string(), version.to_string(), vstart..vstart + version.len(), section));
                }
                ("deps", 2) => {
                    let name = line.trim().split([' ', '!']).next().unwrap_or("");
                    direct.insert(name.to_string());
                }
                _ => {}
            }
        }
        if !saw_section {
            unparsable(
                out,
                src.file_location(),
                "Gemfile.lock",
                "no GEM, GIT, PATH or DEPENDENCIES section",
                "regenerate it with `bundle lock`",
            );
            return;
        }
        let mut seen = HashSet::new();
        for (name, version, span, section) in specs {
            if !seen.insert((name.clone(), version.clone())) {
                continue;
            }
            let mut dep = Dependency::new(Ecosystem::Rubygems, &name, DepSource::Lockfile, src.location(span))
                .direct(direct.contains(&name));
            dep = match section {
                "git" => dep.origin(DepOrigin::Git).requirement(version),
                "path" => dep.origin(DepOrigin::Path).requirement(version),
                _ => dep.version(version),
            };
            out.inventory.dependencies.push(dep);
        }
    }
}
