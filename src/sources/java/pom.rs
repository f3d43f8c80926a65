use crate::inventory::{DepSource, Dependency, Ecosystem, ManagedBy};
use crate::sources::pkg::xml::{self, Element};
use crate::sources::pkg::{in_vendored_tree, unparsable};
use crate::sources::{Claim, Facts, ParseContext, SourceFile, SourceParser};
use crate::versions::Requirement;
use std::collections::HashMap;

pub struct PomParser;

impl SourceParser for PomParser {
    fn id(&self) -> &'static str {
        "maven-pom"
    }

    fn claim(&self, rel_path: &str, file_name: &str) -> Claim {
        if (file_name == "pom.xml" || file_name.ends_with(".pom")) && !in_vendored_tree(rel_path) {
            Claim::Yes
        } else {
            Claim::No
        }
    }

    fn parse(&self, src: &SourceFile, _cx: &ParseContext, out: &mut Facts) {
        let Some(text) = src.text_or_report(out) else { return };
        if text.trim().is_empty() {
            unparsable(out, src.file_location(), "pom.xml", "the file is empty", "a pom.xml holds a <project> element");
            return;
        }
        let root = match xml::parse(text) {
            Ok(r) => r,
            Err(e) => {
                let at = e.offset.min(text.len());
                unparsable(
                    out,
                    src.location(at..at),
                    "pom.xml",
                    &format!("not valid XML: {}", e.message),
                    "fix the XML at the marked place; nothing in this file was read",
                );
                return;
            }
        };
        if root.name != "project" {
            unparsable(
                out,
                src.location(root.span.clone()),
                "pom.xml",
                &format!("the root element is <{}>, not <project>", root.name),
                "this does not look like a Maven POM",
            );
            return;
        }
        let props = properties(&root);
        let managed = managed_versions(&root, &props);
        let managers = managers(&root, &props);
        let mut sections: Vec<(&Element, bool)> = vec![(&root, true)];
        for p in root.at(&["profiles", "profile"]) {
            sections.push((p, true));
        }
        for (owner, _) in &sections {
            for d in owner.at(&["dependencies", "dependency"]) {
                let mut dep = dependency(src, d, &props, &managed, true);
                if dep.requirement.is_none() && d.child_text("version").is_none() {
                    dep.managed_by = managers.clone();
                }
                out.inventory.dependencies.push(dep);
            }
            for d in owner.at(&["dependencyManagement", "dependencies", "dependency"]) {
                out.inventory.dependencies.push(dependency(src, d, &props, &managed, false));
            }
        }
    }
}

/// `${name}` values: `<properties>`, the project's own coordinates, and the parent's.
fn properties(root: &Element) -> HashMap<String, String> {
    let mut p = HashMap::new();
    for prop in root.child("properties").map(|e| e.children.as_slice()).unwrap_or(&[]) {
        p.insert(prop.name.clone(), prop.text.trim().to_string());
    }
    for (key, el) in [("project", Some(root)), ("project.parent", root.child("parent"))] {
        let Some(el) = el else { continue };
        for field in ["version", "groupId", "artifactId"] {
            if let Some((v, _)) = el.child_text(field) {
                p.insert(format!("{key}.{field}"), v.to_string());
                if key == "project" {
                    p.insert(format!("pom.{field}"), v.to_string());
                }
            }
        }
    }
    if !p.contains_key("project.version")
        && let Some(v) = p.get("project.parent.version").cloned()
    {
        p.insert("project.version".into(), v);
    }
    p
}

/// Replaces `${…}` repeatedly (properties may refer to properties), keeping unknown ones.
fn interpolate(s: &str, props: &HashMap<String, String>) -> String {
    let mut cur = s.to_string();
    for _ in 0..8 {
        let Some(start) = cur.find("${") else { break };
        let Some(len) = cur[start..].find('}') else { break };
        let key = &cur[start + 2..start + len];
        let Some(v) = props.get(key) else { break };
        cur = format!("{}{}{}", &cur[..start], v, &cur[start + len + 1..]);
    }
    cur
}

fn managed_versions(root: &Element, props: &HashMap<String, String>) -> HashMap<String, String> {
    let mut m = HashMap::new();
    for d in root.at(&["dependencyManagement", "dependencies", "dependency"]) {
        let (Some((g, _)), Some((a, _)), Some((v, _))) =
            (d.child_text("groupId"), d.child_text("artifactId"), d.child_text("version"))
        else {
            continue;
        };
        m.insert(format!("{}:{}", interpolate(g, props), interpolate(a, props)), interpolate(v, props));
    }
    m
}

/// The BOMs a POM imports (`<scope>import</scope>` in dependencyManagement) and its parent:
/// what sets the version of a dependency written without one, in Maven's order.
fn managers(root: &Element, props: &HashMap<String, String>) -> Vec<ManagedBy> {
    let coordinate = |e: &Element| -> Option<ManagedBy> {
        let g = e.child_text("groupId").map(|(g, _)| interpolate(g, props))?;
        let a = e.child_text("artifactId").map(|(a, _)| interpolate(a, props))?;
        let version = e.child_text("version").map(|(v, _)| interpolate(v, props));
        Some(ManagedBy { name: format!("{g}:{a}"), version })
    };
    let mut out: Vec<ManagedBy> = root
        .at(&["dependencyManagement", "dependencies", "dependency"])
        .into_iter()
        .filter(|d| d.child_text("scope").is_some_and(|(s, _)| s.trim() == "import"))
        .filter_map(coordinate)
        .collect();
    out.extend(root.child("parent").and_then(coordinate));
    out
}

fn dependency(
    src: &SourceFile,
    d: &Element,
    props: &HashMap<String, String>,
    managed: &HashMap<String, String>,
    direct: bool,
) -> Dependency {
    let g = d.child_text("groupId").map(|(g, _)| interpolate(g, props)).unwrap_or_default();
    let a = d.child_text("artifactId").map(|(a, _)| interpolate(a, props)).unwrap_or_default();
    let name = format!("{g}:{a}");
    let scope = d.child_text("scope").map(|(s, _)| s.to_string());
    let version = d.child_text("version");
    let location = match &version {
        Some((_, span)) if !span.is_empty() => src.location(span.clone()),
        _ => src.location(d.span.clone()),
    };
    let mut dep = Dependency::new(Ecosystem::Maven, &name, DepSource::Manifest, location)
        .direct(direct)
        .dev(matches!(scope.as_deref(), Some("test")));
    let resolved = match version {
        Some((raw, _)) => {
            let v = interpolate(raw, props);
            if v != raw {
                dep = dep.declared_as(raw);
            }
            Some(v)
        }
        None => managed.get(&name).cloned(),
    };
    if let Some(v) = resolved {
        if !v.contains("${")
            && let Some(exact) = Requirement::parse(Ecosystem::Maven, &v).ok().and_then(|r| r.exact())
        {
            dep = dep.version(exact);
        }
        dep = dep.requirement(v);
    }
    dep
}
