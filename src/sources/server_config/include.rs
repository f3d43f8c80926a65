//! `include` lines, followed in the repository.
//!
//! The server opens an include path as it is written, relative to its working directory, and
//! expands wildcards with `glob(3)` (no match: skipped silently). Verified on valkey-server
//! 8.1.8 / 9.1.2 and redis-server 7.0.15: a missing file stops the start with `Fatal error,
//! can't open config file 'missing.conf': No such file or directory`, and a file that
//! includes itself makes the server recurse until it crashes (SIGSEGV, exit status 139).
//! The working directory is not in the repository, so a relative path is looked up from the
//! scan root first, then beside the including file. Each included file is parsed too and
//! added to the Inventory (the Inventory keeps one copy of a file parsed twice).

use super::{Facts, ParseContext, SourceFile, parse_file};
use crate::inventory::{ConfigInclude, IncludeStatus};
use std::path::{Path, PathBuf};

/// How deep includes are followed; the server has no limit (it crashes on a loop).
const MAX_DEPTH: usize = 16;

pub fn parse_with_includes(src: &SourceFile, cx: &ParseContext, out: &mut Facts, stack: &mut Vec<String>) {
    let mut cfg = parse_file(src, cx.quote_tail);
    stack.push(src.rel.clone());
    for d in cfg.directives.iter().filter(|d| d.name == "include" && d.args.len() == 1) {
        let pattern = d.args[0].value.clone();
        let (resolved, mut status) = resolve(cx, src, &pattern);
        let mut paths = Vec::new();
        for path in resolved {
            let rel = crate::scan::relative_path(&root(cx), &path);
            if stack.contains(&rel) {
                status = IncludeStatus::Loop;
                paths.push(rel);
                continue;
            }
            if stack.len() >= MAX_DEPTH {
                status = IncludeStatus::Unreadable(format!("includes nested more than {MAX_DEPTH} deep"));
                continue;
            }
            match cx.read_in_root(&path, &pattern, true) {
                Ok(included) if super::binary_not_config(included.bytes()) => {
                    status = IncludeStatus::Unreadable(format!("{} looks like a binary file", included.rel));
                }
                Ok(included) => {
                    let mut sub = Facts::default();
                    parse_with_includes(&included, cx, &mut sub, stack);
                    // An include loop below is a loop of this line too.
                    let loops_back = sub
                        .inventory
                        .server_configs
                        .iter()
                        .flat_map(|c| &c.includes)
                        .any(|i| i.status == IncludeStatus::Loop && i.resolved.iter().any(|r| stack.contains(r)));
                    if loops_back && status == IncludeStatus::Found {
                        status = IncludeStatus::Loop;
                    }
                    out.merge(sub);
                    paths.push(included.rel.clone());
                }
                Err(reason) => status = IncludeStatus::Unreadable(reason),
            }
        }
        cfg.includes.push(ConfigInclude {
            line: d.line,
            pattern,
            resolved: paths,
            status,
            location: d.args[0].location.clone().or_else(|| d.location.clone()),
        });
    }
    stack.pop();
    out.inventory.server_configs.push(cfg);
}

fn root(cx: &ParseContext) -> PathBuf {
    cx.root.canonicalize().unwrap_or_else(|_| cx.root.clone())
}

/// The files an include pattern names in the repository, and what the lookup found.
fn resolve(cx: &ParseContext, from: &SourceFile, pattern: &str) -> (Vec<PathBuf>, IncludeStatus) {
    let root = root(cx);
    let bases: Vec<PathBuf> = if Path::new(pattern).is_absolute() {
        vec![PathBuf::new()]
    } else {
        let beside = from.abs.parent().map(|p| p.canonicalize().unwrap_or_else(|_| p.to_path_buf()));
        std::iter::once(root.clone()).chain(beside.filter(|b| *b != root)).collect()
    };
    let wildcard = pattern.contains(['*', '?', '[']);
    for base in &bases {
        let full = base.join(pattern);
        if wildcard {
            if !full.starts_with(&root) || full.components().any(|c| c == std::path::Component::ParentDir) {
                return (Vec::new(), IncludeStatus::Outside);
            }
            let found = glob(&full, &root);
            if !found.is_empty() {
                return (found, IncludeStatus::Found);
            }
        } else if full.is_file() {
            let canonical = full.canonicalize().unwrap_or(full);
            if !canonical.starts_with(&root) {
                return (Vec::new(), IncludeStatus::Outside);
            }
            return (vec![canonical], IncludeStatus::Found);
        } else if !full.starts_with(&root) {
            return (Vec::new(), IncludeStatus::Outside);
        }
    }
    (Vec::new(), if wildcard { IncludeStatus::NoMatch } else { IncludeStatus::Missing })
}

/// `glob(3)` without flags: `*`, `?` and `[…]` within one path component, no hidden files
/// unless the pattern names the dot, results in alphabetical order.
fn glob(pattern: &Path, root: &Path) -> Vec<PathBuf> {
    let text = pattern.to_string_lossy();
    // The directories up to the first component with a wildcard are walked from there.
    let fixed: PathBuf =
        pattern.components().take_while(|c| !c.as_os_str().to_string_lossy().contains(['*', '?', '['])).collect();
    let depth = pattern.components().count() - fixed.components().count();
    let Ok(matcher) = globset::GlobBuilder::new(&text).literal_separator(true).build().map(|g| g.compile_matcher())
    else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut frontier = vec![fixed];
    for level in 0..depth {
        let mut next = Vec::new();
        for dir in &frontier {
            let Ok(entries) = std::fs::read_dir(dir) else { continue };
            for e in entries.flatten() {
                let path = e.path();
                let hidden = e.file_name().to_string_lossy().starts_with('.');
                if hidden || !path.starts_with(root) {
                    continue;
                }
                if level + 1 == depth {
                    if path.is_file() && matcher.is_match(&path) {
                        out.push(path);
                    }
                } else if path.is_dir() {
                    next.push(path);
                }
            }
        }
        frontier = next;
    }
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::knowledge::Knowledge;
    use crate::knowledge::profile::QuoteTail;

    fn parse_tree(files: &[(&str, &str)], start: &str) -> Facts {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in files {
            let path = dir.path().join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        let cx = ParseContext {
            root: dir.path().to_path_buf(),
            max_file_size: 1 << 20,
            knowledge: Knowledge::shared_embedded().unwrap(),
            quote_tail: QuoteTail::Joined,
        };
        let abs = dir.path().join(start).canonicalize().unwrap();
        let mut src = SourceFile::from_bytes(start, std::fs::read(&abs).unwrap());
        src.abs = abs;
        let mut out = Facts::default();
        parse_with_includes(&src, &cx, &mut out, &mut Vec::new());
        out.inventory.sort();
        out
    }

    fn includes(out: &Facts, file: &str) -> Vec<(String, Vec<String>, IncludeStatus)> {
        let cfg = out.inventory.server_configs.iter().find(|c| c.file == file).unwrap();
        cfg.includes.iter().map(|i| (i.pattern.clone(), i.resolved.clone(), i.status.clone())).collect()
    }

    #[test]
    fn includes_resolve_from_the_root_then_beside_the_file() {
        let out = parse_tree(
            &[
                ("deploy/redis.conf", "include common.conf\ninclude deploy/extra.conf\ninclude conf.d/*.conf\n"),
                ("deploy/common.conf", "hz 5\n"),
                ("deploy/extra.conf", "maxmemory 1mb\n"),
                ("deploy/conf.d/b.conf", "port 1\n"),
                ("deploy/conf.d/a.conf", "port 2\n"),
                ("deploy/conf.d/.hidden.conf", "port 3\n"),
            ],
            "deploy/redis.conf",
        );
        assert_eq!(
            includes(&out, "deploy/redis.conf"),
            [
                ("common.conf".into(), vec!["deploy/common.conf".into()], IncludeStatus::Found),
                ("deploy/extra.conf".into(), vec!["deploy/extra.conf".into()], IncludeStatus::Found),
                (
                    "conf.d/*.conf".into(),
                    vec!["deploy/conf.d/a.conf".into(), "deploy/conf.d/b.conf".into()],
                    IncludeStatus::Found
                ),
            ]
        );
        let files: Vec<&str> = out.inventory.server_configs.iter().map(|c| c.file.as_str()).collect();
        assert_eq!(
            files,
            [
                "deploy/common.conf",
                "deploy/conf.d/a.conf",
                "deploy/conf.d/b.conf",
                "deploy/extra.conf",
                "deploy/redis.conf"
            ]
        );
    }

    #[test]
    fn missing_outside_no_match_and_loops() {
        let out = parse_tree(
            &[
                (
                    "a.conf",
                    "include missing.conf\ninclude /etc/redis/users.conf\ninclude none/*.conf\ninclude b.conf\n",
                ),
                ("b.conf", "include a.conf\n"),
            ],
            "a.conf",
        );
        let found = includes(&out, "a.conf");
        let statuses: Vec<&IncludeStatus> = found.iter().map(|(_, _, s)| s).collect();
        assert_eq!(
            statuses,
            [&IncludeStatus::Missing, &IncludeStatus::Outside, &IncludeStatus::NoMatch, &IncludeStatus::Loop]
        );
        assert_eq!(includes(&out, "b.conf")[0].2, IncludeStatus::Loop);
    }
}
