//! `requirements*.txt`. Only `==` is a pin; everything else is a range the install resolves
//! later. `-r`/`--requirement` includes are followed (loop-safe) when the included file is not
//! one the walk reads anyway; `-e` and URL requirements are recorded without a version.

use super::{Pep508, url_origin};
use crate::findings::Finding;
use crate::inventory::{DepOrigin, DepSource, Dependency, Ecosystem};
use crate::scan::codes;
use crate::sources::pkg::in_vendored_tree;
use crate::sources::{Claim, Facts, ParseContext, SourceFile, SourceParser};
use std::collections::HashSet;

pub struct RequirementsParser;

fn is_requirements_name(file_name: &str) -> bool {
    file_name.ends_with(".txt") && file_name.contains("requirements")
}

impl SourceParser for RequirementsParser {
    fn id(&self) -> &'static str {
        "pip-requirements"
    }

    fn claim(&self, rel_path: &str, file_name: &str) -> Claim {
        let in_req_dir =
            rel_path.rsplit('/').nth(1).is_some_and(|d| d == "requirements") && file_name.ends_with(".txt");
        if (is_requirements_name(file_name) || in_req_dir) && !in_vendored_tree(rel_path) {
            Claim::Yes
        } else {
            Claim::No
        }
    }

    fn parse(&self, src: &SourceFile, cx: &ParseContext, out: &mut Facts) {
        let mut seen = HashSet::new();
        seen.insert(src.rel.clone());
        parse_file(src, cx, out, &mut seen, 0);
    }
}

fn parse_file(src: &SourceFile, cx: &ParseContext, out: &mut Facts, seen: &mut HashSet<String>, depth: usize) {
    let Some(text) = src.text_or_report(out) else { return };
    let mut offset = 0;
    let mut logical = String::new();
    let mut logical_start = 0;
    let mut lines = Vec::new();
    for raw in text.split_inclusive('\n') {
        let start = offset;
        offset += raw.len();
        let line = raw.trim_end_matches(['\n', '\r']);
        if logical.is_empty() {
            logical_start = start;
        }
        if let Some(cont) = line.strip_suffix('\\') {
            logical.push_str(cont);
            logical.push(' ');
            continue;
        }
        logical.push_str(line);
        lines.push((logical_start, std::mem::take(&mut logical)));
    }
    if !logical.is_empty() {
        lines.push((logical_start, logical));
    }
    for (start, line) in lines {
        // A comment starts at `#` preceded by whitespace (or the line start); `#egg=` does not.
        let content = match line.find(" #").or_else(|| line.starts_with('#').then_some(0)) {
            Some(i) => &line[..i],
            None => &line,
        };
        let content = content.trim();
        if content.is_empty() {
            continue;
        }
        let lead = line.len() - line.trim_start().len();
        let location = src.location(start + lead..start + lead + content.len());
        if let Some(target) = content
            .strip_prefix("-r ")
            .or_else(|| content.strip_prefix("--requirement "))
            .or_else(|| content.strip_prefix("--requirement="))
            .or_else(|| content.strip_prefix("-r"))
        {
            include(src, cx, out, seen, depth, target.trim(), location);
            continue;
        }
        if let Some(editable) = content.strip_prefix("-e ").or_else(|| content.strip_prefix("--editable ")) {
            let target = editable.trim();
            let name = egg_name(target)
                .unwrap_or_else(|| target.trim_end_matches('/').rsplit('/').next().unwrap_or(target).to_string());
            let origin =
                if target.starts_with('.') || target.starts_with('/') { DepOrigin::Path } else { url_origin(target) };
            out.inventory.dependencies.push(
                Dependency::new(Ecosystem::Pypi, name, DepSource::Manifest, location)
                    .origin(origin)
                    .requirement(target),
            );
            continue;
        }
        if content.starts_with('-') {
            // Other options (-c, -i, --hash lines, --find-links …) declare no package.
            continue;
        }
        if content.contains("://") && !content.contains(" @ ") {
            // A bare URL, named by `#egg=`.
            if let Some(name) = egg_name(content) {
                out.inventory.dependencies.push(
                    Dependency::new(Ecosystem::Pypi, name, DepSource::Manifest, location)
                        .origin(url_origin(content))
                        .requirement(content),
                );
            }
            continue;
        }
        let spec_text = content.split(" --").next().unwrap_or(content);
        let parsed = Pep508::parse(spec_text).filter(|r| {
            r.url.is_some()
                || r.specifier.is_empty()
                || crate::versions::Requirement::parse(Ecosystem::Pypi, &r.specifier).is_ok()
        });
        let Some(req) = parsed else {
            out.diagnostic(
                Finding::new(codes::UNPARSABLE, location, format!("{}: cannot read this requirement", src.rel))
                    .help("expected `name`, `name==1.2.3`, `name>=1,<2` or `name @ url` (PEP 508)"),
            );
            continue;
        };
        let mut dep = Dependency::new(Ecosystem::Pypi, &req.name, DepSource::Manifest, location);
        if let Some(url) = &req.url {
            dep = dep.origin(url_origin(url)).requirement(url.as_str());
        } else {
            dep = dep.requirement(&req.specifier);
            if let Some(pin) = req.pinned() {
                dep = dep.version(pin);
            }
        }
        out.inventory.dependencies.push(dep);
    }
}

fn egg_name(url: &str) -> Option<String> {
    let frag = url.split_once("#egg=")?.1;
    Some(frag.split(['&', ' ', '[']).next()?.to_string()).filter(|s| !s.is_empty())
}

fn include(
    src: &SourceFile,
    cx: &ParseContext,
    out: &mut Facts,
    seen: &mut HashSet<String>,
    depth: usize,
    target: &str,
    location: crate::location::Location,
) {
    let file_name = target.rsplit('/').next().unwrap_or(target);
    match cx.read_relative(src, target) {
        Ok(included) => {
            // The walk reads files with requirements names itself: reading them here too
            // would count every package twice.
            if is_requirements_name(file_name) && !in_vendored_tree(&included.rel) {
                return;
            }
            if !seen.insert(included.rel.clone()) || depth > 32 {
                return;
            }
            out.files_read += 1;
            parse_file(&included, cx, out, seen, depth + 1);
        }
        Err(reason) => out.diagnostic(
            Finding::new(codes::UNREADABLE, location, format!("cannot read the included requirements file: {reason}"))
                .help("fix the path after -r; packages in that file are missing from the results"),
        ),
    }
}
