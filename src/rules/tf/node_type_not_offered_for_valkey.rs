use super::view::{self, Service};
use super::{knowledge, moves};
use crate::findings::Finding;
use crate::rules::{Rule, RuleContext};

/// A previous-generation node type (t1, m1, m2, m3, c1, r3): AWS no longer creates them and
/// its Valkey node table does not list them, so the engine change needs a scale-up first.
pub struct NodeTypeNotOfferedForValkey;

impl Rule for NodeTypeNotOfferedForValkey {
    fn code(&self) -> &'static str {
        "TF014"
    }

    fn check(&self, cx: &RuleContext, out: &mut Vec<Finding>) {
        let Some(k) = knowledge(cx, out) else { return };
        for c in view::caches(cx.inventory, &k) {
            if !(moves(&c) && matches!(c.service, Service::ElastiCache)) {
                continue;
            }
            let Some(node_type) = c.str_value("node_type") else { continue };
            let Some(node) = k.node_type(&node_type) else { continue };
            if node.valkey {
                continue;
            }
            out.push(
                Finding::new(
                    self.code(),
                    c.location("node_type"),
                    format!(
                        "{} runs on {node_type}, a {} generation node type that AWS's Valkey node table does not list",
                        c.r.address, node.generation
                    ),
                )
                .help(
                    "scale to a current node type first (a separate apply: AWS blocks an engine upgrade while a scale-up \
                     is pending); the Valkey table lists t2, t3, t4g, m4-m8g, r4-r8g and c7gn/c8gn types. Sources: AWS \
                     ElastiCache Engine specific parameters (Valkey node-type table) and Supported node types",
                )
                .fingerprint(format!("{}/{}", c.r.dir, c.r.address)),
            );
        }
    }
}
