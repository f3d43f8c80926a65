//! .NET: `*.csproj`/`*.fsproj`/`*.vbproj` `PackageReference` (attribute or element versions,
//! `VersionOverride`), `Directory.Packages.props` (central package versions),
//! `packages.config`, and `packages.lock.json` (per target framework, deduplicated).

use crate::inventory::{DepSource, Dependency, Ecosystem};
use crate::sources::pkg::json::Node;
use crate::sources::pkg::xml::{self, Element};
use crate::sources::pkg::{in_vendored_tree, json_or_report, unparsable};
use crate::sources::{Claim, Facts, ParseContext, SourceFile, SourceParser};
use crate::versions::Requirement;
use std::collections::HashSet;

pub struct MsBuildParser;
pub struct PackagesLockParser;

fn is_project_file(file_name: &str) -> bool {
    [".csproj", ".fsproj", ".vbproj"].iter().any(|e| file_name.ends_with(e))
        || matches!(file_name, "Directory.Packages.props" | "Directory.Build.props" | "packages.config")
}

impl SourceParser for MsBuildParser {
    fn id(&self) -> &'static str {
        "msbuild"
    }

    fn claim(&self, rel_path: &str, file_name: &str) -> Claim {
        if is_project_file(file_name) && !in_vendored_tree(rel_path) { Claim::Yes } else { Claim::No }
    }

    fn parse(&self, src: &SourceFile, _cx: &ParseContext, out: &mut Facts) {
        let what = src.rel.rsplit('/').next().unwrap_or(&src.rel).to_string();
        let Some(text) = src.text_or_report(out) else { return };
        if text.trim().is_empty() {
            unparsable(
                out,
                src.file_location(),
                &what,
                "the file is empty",
                "an MSBuild file holds a <Project> element",
            );
            return;
        }
        let root = match xml::parse(text) {
            Ok(r) => r,
            Err(e) => {
                let at = e.offset.min(text.len());
                unparsable(
                    out,
                    src.location(at..at),
                    &what,
                    &format!("not valid XML: {}", e.message),
                    "fix the XML at the marked place; nothing in this file was read",
                );
                return;
            }
        };
        if what == "packages.config" {
            for p in root.children_named("package") {
                let Some((id, _)) = p.attr("id") else { continue };
                let (version, span) = p.attr("version").map_or(("", p.span.clone()), |(v, s)| (v, s));
                let dev = p.attr("developmentDependency").is_some_and(|(v, _)| v == "true");
                out.inventory.dependencies.push(
                    Dependency::new(Ecosystem::Nuget, id, DepSource::Manifest, src.location(span))
                        .version(version)
                        .requirement(version)
                        .dev(dev),
                );
            }
            return;
        }
        for group in root.children_named("ItemGroup") {
            for el in group
                .children
                .iter()
                .filter(|c| matches!(c.name.as_str(), "PackageReference" | "PackageVersion" | "GlobalPackageReference"))
            {
                out.inventory.dependencies.push(reference(src, el));
            }
        }
    }
}

fn reference(src: &SourceFile, el: &Element) -> Dependency {
    let name = el.attr("Include").or(el.attr("Update")).map_or(String::new(), |(n, _)| n.to_string());
    let version = el
        .attr("VersionOverride")
        .or(el.attr("Version"))
        .map(|(v, s)| (v.to_string(), s))
        .or_else(|| el.child_text("VersionOverride").or(el.child_text("Version")).map(|(v, s)| (v.to_string(), s)));
    let span = version.as_ref().map_or(el.span.clone(), |(_, s)| s.clone());
    let dev = el.attr("PrivateAssets").is_some_and(|(v, _)| v.eq_ignore_ascii_case("all"));
    let mut dep = Dependency::new(Ecosystem::Nuget, name, DepSource::Manifest, src.location(span)).dev(dev);
    if let Some((v, _)) = version
        && !v.contains("$(")
    {
        if let Some(exact) = Requirement::parse(Ecosystem::Nuget, &v).ok().and_then(|r| r.exact()) {
            dep = dep.version(exact);
        }
        dep = dep.requirement(v);
    }
    dep
}

impl SourceParser for PackagesLockParser {
    fn id(&self) -> &'static str {
        "nuget-lock"
    }

    fn claim(&self, rel_path: &str, file_name: &str) -> Claim {
        if file_name == "packages.lock.json" && !in_vendored_tree(rel_path) { Claim::Yes } else { Claim::No }
    }

    fn parse(&self, src: &SourceFile, _cx: &ParseContext, out: &mut Facts) {
        let Some(root) = json_or_report(src, out, "packages.lock.json") else { return };
        let Some(frameworks) = root.get("dependencies").and_then(Node::as_object) else {
            unparsable(
                out,
                src.location(root.span()),
                "packages.lock.json",
                "no `dependencies` object",
                "regenerate it with `dotnet restore --use-lock-file`",
            );
            return;
        };
        let mut seen = HashSet::new();
        for (_, packages) in frameworks {
            for (key, entry) in packages.as_object().unwrap_or(&[]) {
                let kind = entry.get("type").and_then(Node::as_str).unwrap_or("");
                if kind.eq_ignore_ascii_case("project") {
                    continue;
                }
                let Some(resolved) = entry.get("resolved") else { continue };
                let Some(version) = resolved.as_str() else { continue };
                if !seen.insert((key.name.to_ascii_lowercase(), version.to_string())) {
                    continue;
                }
                let mut dep = Dependency::new(
                    Ecosystem::Nuget,
                    key.name.as_ref(),
                    DepSource::Lockfile,
                    src.location(resolved.span()),
                )
                .version(version)
                .direct(kind.eq_ignore_ascii_case("direct"));
                if let Some(req) = entry.get("requested").and_then(Node::as_str) {
                    dep = dep.requirement(req);
                }
                out.inventory.dependencies.push(dep);
            }
        }
    }
}
