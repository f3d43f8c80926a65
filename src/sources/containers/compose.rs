//! `docker-compose.yml` / `compose.yaml`: each service's image, the module files its command
//! loads, and its CPU limits (`cpus`, `deploy.resources.limits.cpus`, `cpuset`).

use super::Ctx;
use super::yaml::Node;
use crate::findings::{Finding, Severity};
use crate::inventory::{HostFact, HostSource, ImageOrigin};
use crate::scan::codes;
use crate::sources::{Facts, ParseContext, SourceFile};
use std::collections::HashMap;

/// Values compose substitutes into `${VAR}`: the `.env` file beside the compose file.
/// (The shell environment is not read: results must not depend on who runs the scan.)
pub fn dotenv(src: &SourceFile, cx: &ParseContext, out: &mut Facts) -> HashMap<String, String> {
    let dir = src.abs.parent().map(|p| p.join(".env"));
    if !dir.is_some_and(|p| p.is_file()) {
        return HashMap::new();
    }
    match cx.read_relative(src, ".env") {
        Ok(env) => parse_dotenv(&String::from_utf8_lossy(env.bytes())),
        Err(reason) => {
            out.diagnostic(
                Finding::new(codes::UNREADABLE, src.file_location(), format!("cannot read .env beside it: {reason}"))
                    .help("image tags set in .env could not be resolved")
                    .severity_hint(Severity::Info),
            );
            HashMap::new()
        }
    }
}

fn parse_dotenv(text: &str) -> HashMap<String, String> {
    let mut vars = HashMap::new();
    for line in text.lines() {
        let line = line.trim();
        let line = line.strip_prefix("export ").unwrap_or(line);
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        let value = value.trim();
        let value = if let Some(q) = value.strip_prefix('"').and_then(|v| v.strip_suffix('"')) {
            q
        } else if let Some(q) = value.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')) {
            q
        } else {
            value.split(" #").next().unwrap_or(value).trim()
        };
        vars.insert(key.trim().to_string(), value.to_string());
    }
    vars
}

pub(super) fn runs_server(node: &Node) -> bool {
    let mut text = String::new();
    match node.as_str() {
        Some(s) => text.push_str(s),
        None => node.seq().iter().filter_map(Node::as_str).for_each(|s| text.push_str(s)),
    }
    text.contains("redis-server") || text.contains("valkey-server") || text.contains("redis-stack-server")
}

pub fn read(cx: &Ctx, doc: &Node, out: &mut Facts) {
    // Compose file format v1 has the services at the top level.
    let services = match doc.get("services") {
        Some(s) => s,
        None if doc.pairs().iter().any(|(_, v)| v.get("image").is_some() || v.get("build").is_some()) => doc,
        None => return,
    };
    for (name, svc) in services.pairs() {
        if !svc.is_map() {
            continue;
        }
        let subject = format!("compose service {name}");
        let mut server = false;
        if let Some(image) = svc.get("image")
            && let Some(text) = image.text()
        {
            server |=
                cx.image(text, cx.node_location(image), ImageOrigin::Compose, Some(subject.clone()), out).is_some();
        }
        let server_image = server;
        for key in ["command", "entrypoint"] {
            if let Some(cmd) = svc.get(key) {
                cx.module_refs(cmd, out);
                server |= runs_server(cmd);
            }
        }
        if !server {
            continue;
        }
        let configured =
            super::configs::server_command(cx, svc.get("entrypoint"), svc.get("command"), server_image, &subject, out);
        if !configured
            && server_image
            && let Some(env) = svc.get("environment")
        {
            super::configs::redis_args(cx, env, &subject, out);
        }
        super::configs::attach_mounts(&subject, super::configs::compose_mounts(cx, svc), out);
        if let Some(cpus) = svc.get("cpus") {
            cx.cpu_limit(cpus, &subject, out);
        }
        if let Some(cpus) = svc.path(&["deploy", "resources", "limits", "cpus"]) {
            cx.cpu_limit(cpus, &subject, out);
        }
        if let Some(set) = svc.get("cpuset")
            && let Some(text) = set.text()
        {
            match cpuset_size(text) {
                Some(n) => out.inventory.hosts.push(HostFact {
                    source: HostSource::ContainerLimit,
                    subject: subject.clone(),
                    cores: Some(n as f64),
                    location: cx.node_location(set),
                }),
                None => out.diagnostic(
                    Finding::new(
                        codes::UNPARSABLE,
                        cx.node_location(set),
                        format!("cpuset '{text}' is not a CPU list"),
                    )
                    .help("a cpuset lists CPUs like `0-3` or `0,2`"),
                ),
            }
        }
    }
}

/// The number of CPUs in a cpuset list: `0-3` → 4, `0,2,4-5` → 4.
fn cpuset_size(text: &str) -> Option<usize> {
    let mut n = 0;
    for part in text.trim().trim_matches(['"', '\'']).split(',') {
        match part.trim().split_once('-') {
            Some((a, b)) => {
                let (a, b): (usize, usize) = (a.trim().parse().ok()?, b.trim().parse().ok()?);
                n += b.checked_sub(a)? + 1;
            }
            None => {
                part.trim().parse::<usize>().ok()?;
                n += 1;
            }
        }
    }
    (n > 0).then_some(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dotenv_lines() {
        let vars = parse_dotenv("# c\nREDIS_TAG=7.2\nexport A=\"x y\"\nB='z' \nC=1 # note\n");
        assert_eq!(vars["REDIS_TAG"], "7.2");
        assert_eq!(vars["A"], "x y");
        assert_eq!(vars["B"], "z");
        assert_eq!(vars["C"], "1");
    }

    #[test]
    fn cpusets() {
        assert_eq!(cpuset_size("0-3"), Some(4));
        assert_eq!(cpuset_size("0,2,4-5"), Some(4));
        assert_eq!(cpuset_size("3-1"), None);
        assert_eq!(cpuset_size("x"), None);
    }
}
