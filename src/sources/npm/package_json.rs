//! `package.json`: the ranges a project declares (dependencies, devDependencies,
//! optionalDependencies), each at the line of its `"name": "range"` pair.

use super::parse_spec;
use crate::inventory::{DepSource, Dependency, Ecosystem};
use crate::sources::pkg::{in_vendored_tree, json_or_report};
use crate::sources::{Claim, Facts, ParseContext, SourceFile, SourceParser};
use crate::versions::Requirement;

pub struct PackageJsonParser;

impl SourceParser for PackageJsonParser {
    fn id(&self) -> &'static str {
        "npm-package-json"
    }

    fn claim(&self, rel_path: &str, file_name: &str) -> Claim {
        if file_name == "package.json" && !in_vendored_tree(rel_path) { Claim::Yes } else { Claim::No }
    }

    fn parse(&self, src: &SourceFile, _cx: &ParseContext, out: &mut Facts) {
        let Some(root) = json_or_report(src, out, "package.json") else { return };
        if root.as_object().is_none() {
            crate::sources::pkg::unparsable(
                out,
                src.location(root.span()),
                "package.json",
                &format!("expected an object at the top, found {}", root.kind()),
                "a package.json holds one JSON object",
            );
            return;
        }
        for (section, dev) in [("dependencies", false), ("optionalDependencies", false), ("devDependencies", true)] {
            let Some(map) = root.get(section).and_then(|n| n.as_object()) else { continue };
            for (key, value) in map {
                let Some(text) = value.as_str() else { continue };
                let spec = parse_spec(&key.name, text);
                let location = src.location(key.start..value.end);
                let mut dep = Dependency::new(Ecosystem::Npm, &spec.name, DepSource::Manifest, location)
                    .requirement(&spec.range)
                    .dev(dev);
                if spec.name != key.name.as_ref() {
                    dep = dep.declared_as(key.name.as_ref());
                }
                match spec.origin {
                    Some(origin) => dep = dep.origin(origin),
                    None => {
                        if let Some(exact) =
                            Requirement::parse(Ecosystem::Npm, &spec.range).ok().and_then(|r| r.exact())
                        {
                            dep = dep.version(exact);
                        }
                    }
                }
                out.inventory.dependencies.push(dep);
            }
        }
    }
}
