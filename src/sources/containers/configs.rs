//! Server config written in container definitions: the options of a server command line
//! (compose `command`/`entrypoint`, a Kubernetes container's `command`/`args`, the Redis Stack
//! images' `REDIS_ARGS`), config text in YAML values (Helm charts' `commonConfiguration` and
//! `master.configuration`, ConfigMaps), and the repository files a compose service mounts.
//! The text goes through the server config tokeniser (`sources::server_config::embedded`).

use super::Ctx;
use super::yaml::{Node, Value};
use crate::inventory::{ConfigOrigin, ServerConfigKind};
use crate::sources::Facts;
use crate::sources::server_config::embedded::{self, Word, WordHost, YamlScalar};
use saphyr_parser::ScalarStyle;

/// Where a scalar's text is written verbatim in the file: a plain scalar where it stands, a
/// quoted one just inside its quote, when no escape or line fold changed it.
fn verbatim_offset(cx: &Ctx, node: &Node) -> Option<usize> {
    let Value::Scalar(value, style) = &node.value else { return None };
    let start = super::byte_offset(cx.src, node.line, node.col);
    let at = match style {
        ScalarStyle::Plain => start,
        ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => start + 1,
        _ => return None,
    };
    (cx.src.bytes().get(at..at + value.len()) == Some(value.as_bytes())).then_some(at)
}

fn node_range(cx: &Ctx, node: &Node) -> std::ops::Range<usize> {
    cx.node_location(node).span.range()
}

/// The words of a command written as a string (split as a shell does) or as a list (one
/// word per item, as exec form passes them).
fn words(cx: &Ctx, node: &Node) -> Vec<Word> {
    match &node.value {
        Value::Scalar(text, _) => embedded::shell_words(text, verbatim_offset(cx, node), node_range(cx, node)),
        Value::Seq(items) => items
            .iter()
            .filter_map(|item| {
                let text = item.as_str()?.to_string();
                let host = match verbatim_offset(cx, item) {
                    Some(o) => WordHost::Exact(o),
                    None => WordHost::Covering(node_range(cx, item)),
                };
                Some(Word { text, host })
            })
            .collect(),
        Value::Map(_) => Vec::new(),
    }
}

/// The server command line of a container, if it runs one: `entrypoint` (or `command` in
/// Kubernetes terms) then `command` (`args`). The official images' entrypoint runs the
/// server when the first argument starts with `-` or ends in `.conf`, so arguments alone are
/// a server command line in a server image.
pub fn server_command(
    cx: &Ctx,
    entrypoint: Option<&Node>,
    command: Option<&Node>,
    server_image: bool,
    subject: &str,
    out: &mut Facts,
) -> bool {
    let mut argv: Vec<Word> = entrypoint.map(|n| words(cx, n)).unwrap_or_default();
    argv.extend(command.map(|n| words(cx, n)).unwrap_or_default());
    let implicit = server_image
        && argv.first().is_some_and(|w| w.text.starts_with('-') || w.text.ends_with(".conf"))
        && !argv.iter().any(|w| is_server_program(&w.text));
    if implicit && let Some(node) = command.or(entrypoint) {
        argv.insert(0, Word { text: "redis-server".into(), host: WordHost::Covering(node_range(cx, node)) });
    }
    let Some(cl) = embedded::command_line(cx.src, &argv, subject, cx.quote_tail) else { return false };
    out.inventory.server_configs.push(cl.config);
    true
}

fn is_server_program(word: &str) -> bool {
    let name = word.rsplit('/').next().unwrap_or(word);
    matches!(name, "redis-server" | "valkey-server" | "redis-stack-server" | "redis-sentinel" | "valkey-sentinel")
}

/// `REDIS_ARGS` of the Redis Stack images: their entrypoint passes it, unquoted, to
/// `redis-server` after its own arguments.
pub fn redis_args(cx: &Ctx, environment: &Node, subject: &str, out: &mut Facts) {
    let value = match &environment.value {
        Value::Map(_) => environment.get("REDIS_ARGS"),
        Value::Seq(items) => items.iter().find(|i| i.as_str().is_some_and(|s| s.starts_with("REDIS_ARGS="))),
        Value::Scalar(..) => None,
    };
    let Some(node) = value else { return };
    let Some(text) = node.as_str() else { return };
    let (prefix, text) = match text.strip_prefix("REDIS_ARGS=") {
        Some(rest) => ("REDIS_ARGS=".len(), rest),
        None => (0, text),
    };
    let base = verbatim_offset(cx, node).map(|o| o + prefix);
    let mut argv = vec![Word { text: "redis-server".into(), host: WordHost::Covering(node_range(cx, node)) }];
    argv.extend(embedded::shell_words(text, base, node_range(cx, node)));
    if let Some(cl) = embedded::command_line(cx.src, &argv, subject, cx.quote_tail) {
        out.inventory.server_configs.push(cl.config);
    }
}

/// The repository files a compose service mounts: (repository path, container path).
pub fn compose_mounts(cx: &Ctx, service: &Node) -> Vec<(String, String)> {
    let dir = crate::location::parent_dir(&cx.src.rel);
    let mut out = Vec::new();
    for v in service.get("volumes").map(Node::seq).unwrap_or_default() {
        let (source, target) = match v.as_str() {
            Some(s) => {
                let (s, _) = super::interpolate(s, &cx.vars);
                let mut parts = s.splitn(3, ':');
                match (parts.next(), parts.next()) {
                    (Some(a), Some(b)) => (a.to_string(), b.to_string()),
                    _ => continue,
                }
            }
            None => match (v.get("source").and_then(Node::text), v.get("target").and_then(Node::text)) {
                (Some(a), Some(b)) => (super::interpolate(a, &cx.vars).0, b.to_string()),
                _ => continue,
            },
        };
        // Named volumes have no `.` or `/`; absolute host paths are outside the repository.
        if !(source.starts_with("./") || source.starts_with("../") || source == ".") {
            continue;
        }
        if let Some(rel) = crate::location::join_relative(dir, &source) {
            out.push((rel, target));
        }
    }
    out
}

/// Records the mounts on the service's command-line config (the last one pushed for it).
pub fn attach_mounts(subject: &str, mounts: Vec<(String, String)>, out: &mut Facts) {
    if let Some(cfg) = out
        .inventory
        .server_configs
        .iter_mut()
        .rev()
        .find(|c| matches!(&c.origin, ConfigOrigin::CommandLine { subject: s, .. } if s == subject))
        && let ConfigOrigin::CommandLine { mounts: m, .. } = &mut cfg.origin
    {
        *m = mounts;
    }
}

fn scalar<'n>(cx: &Ctx, node: &'n Node) -> Option<YamlScalar<'n>> {
    let Value::Scalar(value, style) = &node.value else { return None };
    Some(YamlScalar {
        value,
        offset: super::byte_offset(cx.src, node.line, node.col),
        literal_block: *style == ScalarStyle::Literal,
        plain: *style == ScalarStyle::Plain,
    })
}

/// Config text in a YAML value: multi-line text that reads as server config.
fn embedded_text(node: &Node) -> bool {
    node.as_str().is_some_and(|t| t.contains('\n') && embedded::looks_like_config(t.as_bytes()))
}

/// The server components of the bitnami-style charts (bitnami/redis, bitnami/valkey).
const COMPONENTS: &[&str] = &["master", "primary", "replica", "secondary", "server"];

/// Config text anywhere in Helm values: `commonConfiguration` applies to every server
/// component, `<component>.configuration` to that one, `sentinel.configuration` is a
/// sentinel's. Host facts name the components `values <component>`.
pub fn helm_values(cx: &Ctx, doc: &Node, out: &mut Facts) {
    let present: Vec<&str> = COMPONENTS.iter().copied().filter(|c| doc.get(c).is_some_and(Node::is_map)).collect();
    let mut path = Vec::new();
    walk_values(cx, doc, &mut path, &present, out);
}

fn walk_values(cx: &Ctx, node: &Node, path: &mut Vec<String>, present: &[&str], out: &mut Facts) {
    match &node.value {
        Value::Map(_) => {
            for (k, v) in node.pairs() {
                path.push(k.to_string());
                walk_values(cx, v, path, present, out);
                path.pop();
            }
        }
        Value::Scalar(..) if embedded_text(node) => {
            let sentinel = path.iter().any(|p| p.to_ascii_lowercase().contains("sentinel"));
            let subjects: Vec<String> = match path.as_slice() {
                [c, _] if COMPONENTS.contains(&c.as_str()) => vec![format!("values {c}")],
                [k] if k == "commonConfiguration" => present.iter().map(|c| format!("values {c}")).collect(),
                _ => Vec::new(),
            };
            let kind = if sentinel { ServerConfigKind::Sentinel } else { ServerConfigKind::Server };
            if let Some(s) = scalar(cx, node) {
                let cfg = embedded::embedded_config(cx.src, &s, &path.join("."), subjects, kind, cx.quote_tail);
                out.inventory.server_configs.push(cfg);
            }
        }
        _ => {}
    }
}

/// A ConfigMap's `data` entries that hold server config (`redis.conf: |`).
pub fn configmap(cx: &Ctx, doc: &Node, name: &str, out: &mut Facts) {
    for key in ["data", "stringData"] {
        for (k, v) in doc.get(key).map(Node::pairs).unwrap_or_default() {
            if !embedded_text(v) {
                continue;
            }
            let kind = if k.to_ascii_lowercase().contains("sentinel") {
                ServerConfigKind::Sentinel
            } else {
                ServerConfigKind::Server
            };
            if let Some(s) = scalar(cx, v) {
                let subjects = vec![format!("ConfigMap/{name}")];
                let cfg = embedded::embedded_config(cx.src, &s, &format!("{key}.{k}"), subjects, kind, cx.quote_tail);
                out.inventory.server_configs.push(cfg);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::location::join_relative;

    #[test]
    fn mount_sources_resolve_inside_the_repository() {
        assert_eq!(join_relative("app", "./redis/redis.conf").as_deref(), Some("app/redis/redis.conf"));
        assert_eq!(join_relative("app/deploy", "../redis.conf").as_deref(), Some("app/redis.conf"));
        assert_eq!(join_relative("", "./redis.conf").as_deref(), Some("redis.conf"));
        assert_eq!(join_relative("", "../x.conf"), None);
    }
}
