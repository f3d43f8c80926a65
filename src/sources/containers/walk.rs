//! A walk over YAML documents that finds images wherever they are written: Kubernetes
//! container lists and custom resources, Helm values (`image.repository`/`tag`, the bitnami
//! layout with `global.imageRegistry`), and CI service containers (GitHub Actions, GitLab CI).

use super::Ctx;
use super::yaml::{Node, Value};
use crate::inventory::ImageOrigin;
use crate::sources::Facts;

pub(super) struct Walk<'c, 'a> {
    pub cx: &'c Ctx<'a>,
    pub origin: ImageOrigin,
    /// Names the subject of every fact: `StatefulSet/redis`, `values`, `workflow`.
    pub prefix: String,
    /// Helm's `global.imageRegistry`, used where an image map names no registry.
    pub global_registry: Option<String>,
}

/// Keys whose value is a list of containers (Kubernetes pod specs).
const CONTAINER_LISTS: &[&str] = &["containers", "initContainers", "ephemeralContainers"];

impl Walk<'_, '_> {
    pub fn run(&self, node: &Node, out: &mut Facts) {
        self.node(node, &mut Vec::new(), out);
    }

    fn subject(&self, path: &[String]) -> String {
        // Inside a pod spec, the container names the subject; elsewhere the key path does.
        match path.iter().rev().find(|p| p.starts_with("container ")) {
            Some(container) => format!("{} {container}", self.prefix),
            None if path.is_empty() => self.prefix.clone(),
            None => format!("{} {}", self.prefix, path.join(".")),
        }
    }

    fn node(&self, node: &Node, path: &mut Vec<String>, out: &mut Facts) {
        match &node.value {
            Value::Map(_) => self.mapping(node, path, out),
            Value::Seq(items) => {
                if items.iter().all(|i| i.as_str().is_some()) {
                    self.cx.module_refs(node, out);
                    return;
                }
                for (i, item) in items.iter().enumerate() {
                    path.push(i.to_string());
                    self.node(item, path, out);
                    path.pop();
                }
            }
            Value::Scalar(text, _) => {
                if text.contains("loadmodule") || text.contains(".so") {
                    self.cx.module_refs(node, out);
                }
            }
        }
    }

    fn mapping(&self, node: &Node, path: &mut Vec<String>, out: &mut Facts) {
        let mut server = false;
        for (key, value) in node.pairs() {
            match key {
                "image" => server |= self.image(value, path, out),
                // GitHub Actions `container: redis:7`.
                "container" if self.origin == ImageOrigin::Ci && value.as_str().is_some() => {
                    server |= self.image(value, path, out);
                }
                // GitLab CI `services: [redis:7, {name: postgres:16}]`.
                "services" if self.origin == ImageOrigin::Ci && !value.seq().is_empty() => {
                    for item in value.seq() {
                        let image = item.get("name").unwrap_or(item);
                        let mut p = path.clone();
                        p.push(format!("services.{}", image.as_str().unwrap_or("?")));
                        self.image(image, &p, out);
                    }
                }
                _ if CONTAINER_LISTS.contains(&key) && !value.seq().is_empty() => {
                    for item in value.seq() {
                        let name = item.get("name").and_then(Node::text).unwrap_or("?");
                        path.push(format!("container {name}"));
                        self.node(item, path, out);
                        path.pop();
                    }
                }
                _ => {
                    path.push(key.to_string());
                    self.node(value, path, out);
                    path.pop();
                }
            }
        }
        // Helm values that give an image as loose `repository`/`tag` keys.
        if node.get("image").is_none() && node.get("repository").is_some() && node.get("tag").is_some() {
            server |= self.image(node, path, out);
        }
        let server_image = server;
        server |= ["command", "args"].iter().any(|k| node.get(k).is_some_and(super::compose::runs_server));
        if server
            && self.origin == ImageOrigin::Kubernetes
            && (node.get("command").is_some() || node.get("args").is_some())
        {
            let subject = self.subject(path);
            super::configs::server_command(self.cx, node.get("command"), node.get("args"), server_image, &subject, out);
        }
        if server && let Some(cpu) = node.path(&["resources", "limits", "cpu"]) {
            self.cx.cpu_limit(cpu, &self.subject(path), out);
        }
    }

    /// Records the image a node names (a string, a Helm `{registry, repository, tag, digest}`
    /// map, or a GitLab `{name: …}` map); returns whether it is a known server image.
    fn image(&self, node: &Node, path: &[String], out: &mut Facts) -> bool {
        let subject = Some(self.subject(path));
        let cx = self.cx;
        if let Some(text) = node.text() {
            return cx.image(text, cx.node_location(node), self.origin, subject, out).is_some();
        }
        if let Some(name) = node.get("name").filter(|n| n.text().is_some()) {
            return cx.image(name.text().unwrap_or(""), cx.node_location(name), self.origin, subject, out).is_some();
        }
        let Some(repo) = node.get("repository").and_then(|r| r.text().map(|t| (r, t))) else {
            return false;
        };
        let registry = node
            .get("registry")
            .and_then(Node::text)
            .map(str::to_string)
            .or_else(|| self.global_registry.clone())
            .filter(|r| !r.is_empty());
        let mut reference = match &registry {
            Some(r) if !repo.1.starts_with(r.as_str()) => format!("{}/{}", r.trim_end_matches('/'), repo.1),
            _ => repo.1.to_string(),
        };
        let tag_node = node.get("tag").filter(|t| t.text().is_some());
        if let Some(tag) = tag_node.and_then(Node::text) {
            reference.push(':');
            reference.push_str(tag);
        }
        if let Some(digest) = node.get("digest").and_then(Node::text) {
            reference.push('@');
            reference.push_str(digest);
        }
        let location = cx.node_location(tag_node.unwrap_or(repo.0));
        let (resolved, unresolved) = super::interpolate(&reference, &cx.vars);
        // Without a tag a chart falls back to its appVersion: not "latest", but not known here.
        let unresolved = unresolved.or_else(|| tag_node.is_none().then(|| "the chart's appVersion".to_string()));
        let (fact, known) = super::image_fact(&cx.images, &resolved, unresolved, location, self.origin, subject);
        out.inventory.images.push(fact);
        known.is_some()
    }
}

/// Where charts in the bitnami layout put the resources of the server pods, apart from the
/// top-level `image` they run (bitnami/redis: master, replica, sentinel; bitnami/valkey:
/// primary, replica).
const HELM_SERVER_COMPONENTS: &[&str] = &["master", "primary", "replica", "secondary", "sentinel", "server"];

pub(super) fn helm_values(cx: &Ctx, doc: &Node, out: &mut Facts) {
    super::configs::helm_values(cx, doc, out);
    let global_registry = doc.path(&["global", "imageRegistry"]).and_then(Node::text).map(str::to_string);
    Walk { cx, origin: ImageOrigin::HelmValues, prefix: "values".into(), global_registry }.run(doc, out);
    if doc.get("image").is_some_and(|i| is_server_image(cx, i)) {
        for component in HELM_SERVER_COMPONENTS {
            if let Some(cpu) = doc.path(&[component, "resources", "limits", "cpu"]) {
                cx.cpu_limit(cpu, &format!("values {component}"), out);
            }
        }
    }
}

fn is_server_image(cx: &Ctx, node: &Node) -> bool {
    let text = node.text().or_else(|| node.get("repository").and_then(Node::text)).unwrap_or("");
    let repo = text.split(['@']).next().unwrap_or(text);
    let repo = match repo.rfind(':') {
        Some(i) if !repo[i..].contains('/') => &repo[..i],
        _ => repo,
    };
    cx.images.classify(&cx.images.normalise(repo)).is_some()
}

pub(super) fn ci(cx: &Ctx, doc: &Node, out: &mut Facts) {
    Walk { cx, origin: ImageOrigin::Ci, prefix: "ci".into(), global_registry: None }.run(doc, out);
}
