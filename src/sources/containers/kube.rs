//! Kubernetes manifests (every document of a multi-document file): container images of
//! Pods, Deployments, StatefulSets, DaemonSets, Jobs and CronJobs, images in custom resources
//! (Redis operators), CPU limits of server containers, and module files in their args or in
//! ConfigMaps holding a server config.

use super::Ctx;
use super::walk::Walk;
use super::yaml::Node;
use crate::inventory::ImageOrigin;
use crate::sources::Facts;

pub fn read(cx: &Ctx, doc: &Node, out: &mut Facts) {
    let kind = doc.get("kind").and_then(Node::text).unwrap_or("");
    if kind == "List" {
        for item in doc.get("items").map(Node::seq).unwrap_or_default() {
            read(cx, item, out);
        }
        return;
    }
    if kind.is_empty() {
        return;
    }
    let name = doc.path(&["metadata", "name"]).and_then(Node::text).unwrap_or("?");
    if kind == "ConfigMap" {
        super::configs::configmap(cx, doc, name, out);
    }
    let walk = Walk { cx, origin: ImageOrigin::Kubernetes, prefix: format!("{kind}/{name}"), global_registry: None };
    // Metadata never names images; walking it would only find labels.
    for (key, value) in doc.pairs() {
        if matches!(key, "spec" | "data" | "stringData" | "template" | "items") {
            walk.run(value, out);
        }
    }
}
