//! Go modules: `go.mod` (`require` lines and blocks, `// indirect`, `replace`, `exclude`,
//! `retract`). From Go 1.17 on, go.mod lists every module the build uses, so it is what the
//! build runs; before 1.17 it omits indirect ones, and only then is `go.sum` read to fill in
//! the modules go.mod cannot tell.

use crate::findings::Finding;
use crate::inventory::{DepOrigin, DepSource, Dependency, Ecosystem};
use crate::scan::codes;
use crate::sources::pkg::in_vendored_tree;
use crate::sources::{Claim, Facts, ParseContext, SourceFile, SourceParser};
use std::collections::{BTreeMap, HashMap, HashSet};

pub struct GoModParser;

#[derive(Debug)]
struct Require {
    path: String,
    version: String,
    indirect: bool,
    span: std::ops::Range<usize>,
}

#[derive(Debug)]
enum Replacement {
    Module(String, String),
    Dir(String),
}

impl SourceParser for GoModParser {
    fn id(&self) -> &'static str {
        "go-mod"
    }

    fn claim(&self, rel_path: &str, file_name: &str) -> Claim {
        if file_name == "go.mod" && !in_vendored_tree(rel_path) { Claim::Yes } else { Claim::No }
    }

    fn parse(&self, src: &SourceFile, cx: &ParseContext, out: &mut Facts) {
        let Some(text) = src.text_or_report(out) else { return };
        let mut go_version: Option<(u32, u32)> = None;
        let mut requires = Vec::new();
        // replace: (path, optional version) → replacement
        let mut replaces: HashMap<(String, Option<String>), Replacement> = HashMap::new();
        let mut block: Option<String> = None;
        let mut saw_module = false;
        let mut offset = 0;
        for raw in text.split_inclusive('\n') {
            let start = offset;
            offset += raw.len();
            let line = raw.trim_end_matches(['\n', '\r']);
            let (code, comment) = match line.find("//") {
                Some(i) => (&line[..i], &line[i + 2..]),
                None => (line, ""),
            };
            let code_trim = code.trim();
            if code_trim.is_empty() {
                continue;
            }
            let lead = code.len() - code.trim_start().len();
            let content_span = start + lead..start + lead + code_trim.len();
            let (verb, args) = if let Some(b) = &block {
                if code_trim == ")" {
                    block = None;
                    continue;
                }
                (b.clone(), code_trim.to_string())
            } else {
                let mut parts = code_trim.splitn(2, char::is_whitespace);
                let verb = parts.next().unwrap_or("").to_string();
                let args = parts.next().unwrap_or("").trim().to_string();
                if args == "(" {
                    block = Some(verb);
                    continue;
                }
                (verb, args)
            };
            let fields: Vec<String> = args.split_whitespace().map(|f| f.trim_matches('"').to_string()).collect();
            match verb.as_str() {
                "module" => saw_module = true,
                "go" => {
                    let mut it = fields.first().map(String::as_str).unwrap_or("").split('.');
                    go_version = Some((
                        it.next().and_then(|m| m.parse().ok()).unwrap_or(1),
                        it.next().and_then(|m| m.parse().ok()).unwrap_or(0),
                    ));
                }
                "require" => {
                    if fields.len() < 2 {
                        bad_line(src, out, content_span, "a require needs a module path and a version");
                        continue;
                    }
                    let indirect = comment.trim().starts_with("indirect");
                    requires.push(Require {
                        path: fields[0].clone(),
                        version: fields[1].clone(),
                        indirect,
                        span: content_span,
                    });
                }
                "replace" => {
                    let Some(arrow) = fields.iter().position(|f| f == "=>") else {
                        bad_line(src, out, content_span, "a replace needs `=>`");
                        continue;
                    };
                    let from = (fields[0].clone(), (arrow == 2).then(|| fields[1].clone()));
                    let to = &fields[arrow + 1..];
                    let rep = match to {
                        [dir] if dir.starts_with('.') || dir.starts_with('/') => Replacement::Dir(dir.clone()),
                        [path, version] => Replacement::Module(path.clone(), version.clone()),
                        [dir] => Replacement::Dir(dir.clone()),
                        _ => {
                            bad_line(
                                src,
                                out,
                                content_span,
                                "a replace needs a target module and version, or a directory",
                            );
                            continue;
                        }
                    };
                    replaces.insert(from, rep);
                }
                "exclude" | "retract" | "toolchain" | "godebug" | "tool" | "ignore" => {}
                _ => bad_line(src, out, content_span, &format!("unknown directive `{verb}`")),
            }
        }
        if !saw_module && requires.is_empty() {
            crate::sources::pkg::unparsable(
                out,
                src.file_location(),
                "go.mod",
                "no `module` line",
                "a go.mod starts with `module <path>`",
            );
            return;
        }
        let mut listed: HashSet<String> = HashSet::new();
        for r in &requires {
            listed.insert(r.path.clone());
            let location = src.location(r.span.clone());
            let rep = replaces
                .get(&(r.path.clone(), Some(r.version.clone())))
                .or_else(|| replaces.get(&(r.path.clone(), None)));
            let mut dep = Dependency::new(Ecosystem::Go, &r.path, DepSource::Manifest, location).direct(!r.indirect);
            match rep {
                Some(Replacement::Dir(dir)) => dep = dep.origin(DepOrigin::Path).requirement(dir.as_str()),
                Some(Replacement::Module(path, version)) if path == &r.path => {
                    dep = dep.version(version.as_str()).requirement(r.version.as_str())
                }
                Some(Replacement::Module(path, version)) => {
                    // Another module stands in: that module at that version is what builds.
                    dep.name = path.clone();
                    dep = dep.version(version.as_str()).requirement(r.version.as_str()).declared_as(r.path.as_str());
                }
                None => dep = dep.version(r.version.as_str()).requirement(r.version.as_str()),
            }
            out.inventory.dependencies.push(dep);
        }
        // Before Go 1.17 (or with no `go` line), indirect modules may be missing from go.mod.
        if go_version.is_none_or(|v| v < (1, 17)) {
            read_go_sum(src, cx, &listed, out);
        }
    }
}

fn bad_line(src: &SourceFile, out: &mut Facts, span: std::ops::Range<usize>, why: &str) {
    out.diagnostic(
        Finding::new(codes::UNPARSABLE, src.location(span), format!("go.mod: {why}"))
            .help("run `go mod tidy` to rewrite the file"),
    );
}

/// Modules from go.sum that go.mod does not list: the highest version of each (what minimal
/// version selection picks among those recorded), skipping `/go.mod`-only hash lines.
fn read_go_sum(src: &SourceFile, cx: &ParseContext, listed: &HashSet<String>, out: &mut Facts) {
    let Ok(sum) = cx.read_relative(src, "go.sum") else { return };
    out.files_read += 1;
    let Some(text) = sum.text() else { return };
    let mut best: BTreeMap<String, (String, std::ops::Range<usize>)> = BTreeMap::new();
    let mut offset = 0;
    for raw in text.split_inclusive('\n') {
        let start = offset;
        offset += raw.len();
        let mut f = raw.split_whitespace();
        let (Some(path), Some(version)) = (f.next(), f.next()) else { continue };
        if version.ends_with("/go.mod") || listed.contains(path) {
            continue;
        }
        let span = start..start + raw.trim_end().len();
        match best.get(path) {
            Some((v, _)) if crate::versions::compare(Ecosystem::Go, v, version) != Some(std::cmp::Ordering::Less) => {}
            _ => {
                best.insert(path.to_string(), (version.to_string(), span));
            }
        }
    }
    for (path, (version, span)) in best {
        out.inventory.dependencies.push(
            Dependency::new(Ecosystem::Go, path, DepSource::Lockfile, sum.location(span))
                .version(version)
                .direct(false),
        );
    }
}
