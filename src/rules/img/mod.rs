//! IMG: container images — self-hosted Redis servers, floating tags, and snapshots that will
//! not load into the target.

mod floating_tag;
mod rdb_incompatible;
mod redis_image;

use super::{Rule, RuleContext};
use crate::findings::Finding;
use crate::inventory::ContainerImage;
use crate::knowledge::images::{ImageCatalog, Pinning, Product, Resolved, Version};
use crate::knowledge::profile::Product as ServerProduct;
use crate::location::Location;
use crate::scan::codes;

pub static RULES: &[&dyn Rule] =
    &[&redis_image::RedisImage, &floating_tag::FloatingImageTag, &rdb_incompatible::RdbSnapshotIncompatible];

/// The reference as written, for messages: `redis:7.4-alpine`, `redis:${TAG}`.
pub(crate) fn reference_text(fact: &ContainerImage) -> String {
    let mut s = fact.image.clone();
    match (&fact.tag, &fact.unresolved) {
        (Some(t), _) => {
            s.push(':');
            s.push_str(t);
        }
        (None, Some(u)) if u.starts_with('$') => {
            s.push(':');
            s.push_str(u);
        }
        _ => {}
    }
    if let Some(d) = &fact.digest {
        s.push('@');
        s.push_str(&d[..d.len().min(19)]);
        if d.len() > 19 {
            s.push('…');
        }
    }
    s
}

/// The image catalog of this run (with `--rules-dir` applied), or a finding saying why not.
pub(crate) fn catalog(cx: &RuleContext, code: &str, out: &mut Vec<Finding>) -> Option<std::sync::Arc<ImageCatalog>> {
    match cx.knowledge.view::<ImageCatalog>() {
        Ok(c) => Some(c),
        Err(e) => {
            out.push(
                Finding::new(
                    codes::UNPARSABLE,
                    Location::file_only(&e.origin),
                    format!("rule {code} skipped: {}", e.message),
                )
                .help("fix the data file; the other rules ran"),
            );
            None
        }
    }
}

/// What an image fact means; a tag left to an unset variable means "unknown", not "latest".
pub(crate) fn resolve<'a>(catalog: &'a ImageCatalog, fact: &ContainerImage) -> Option<Resolved<'a>> {
    let mut r = catalog.resolve(&fact.name, fact.tag.as_deref(), fact.digest.is_some())?;
    if r.info.product == Product::RedisModule {
        // The tag of a module image is the module's version, not the server's.
        r.version = None;
    }
    if fact.tag.is_none() && fact.unresolved.is_some() {
        r.version = None;
        r.pinning = if fact.digest.is_some() { Pinning::Digest } else { Pinning::Unknown };
        r.floating_note = None;
    }
    Some(r)
}

/// The target's version when it is a Valkey server (these rules are about moving to Valkey).
pub(crate) fn valkey_target(cx: &RuleContext) -> Option<Version> {
    (cx.target.header.product == ServerProduct::Valkey).then(|| Version::parse(&cx.target.header.version)).flatten()
}

/// `Redis 7.4`, `Redis Stack 7.2`, or `Redis 8 (the newest 8.x today)`.
pub(crate) fn server_label(r: &Resolved) -> String {
    if r.info.product == Product::RedisModule {
        return format!("Redis with {}", r.info.title);
    }
    let product = match r.info.product {
        Product::Redis | Product::RedisModule => "Redis",
        Product::RedisStack => "Redis Stack",
        Product::Valkey => "Valkey",
        Product::Falkordb => "FalkorDB",
    };
    match (r.version, r.pinning) {
        (Some(v), Pinning::Latest | Pinning::Major) => format!("{product} {v} (the newest {v}.x today)"),
        (Some(v), _) => format!("{product} {v}"),
        (None, _) => format!("{product} (version not known)"),
    }
}
