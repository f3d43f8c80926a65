//! Caches behind a `module` block: a popular module moves through its inputs (and, when it is
//! pinned below its first Valkey release, through its `version` too); a local module whose
//! engine comes from its callers moves at each caller.

use super::writer::{Block, Expr};
use super::{Change, ChangeResult, Moved};
use crate::inventory::{InfraResource, Inventory};
use crate::knowledge::terraform::{ModuleSpec, TerraformKnowledge, parse_version};
use crate::rules::tf::constraint::{Allows, allows_at_least};
use crate::rules::tf::valkey_family;
use crate::rules::tf::view::{Cache, Service};
use serde_json::Value;

pub(super) fn module(c: &Cache, m: &ModuleSpec, k: &TerraformKnowledge, version: &str) -> Result<Change, String> {
    let mut b = Block::new("module", &[c.r.name.as_str()]);
    b.comments.push(format!("{}: Redis OSS to Valkey {version} through the module's inputs.", c.r.address));
    let raise = raised_module(c.r, m)?;
    let needs_init = raise.is_some();
    if let Some(raise) = raise {
        b.comments.push(raise.comment);
        b = b.string(&raise.key, &raise.value);
    }
    b = b.string(m.input("engine").unwrap_or("engine"), "valkey");
    b = b.string(m.input("engine_version").unwrap_or("engine_version"), version);
    if let (Some(family_key), Some(family)) = (m.input("family"), valkey_family(c, k, version)) {
        b = b.string(family_key, &family);
        if let Some(params_key) = m.input("parameters")
            && let Some(f) = k.family(&family)
            && let Some(kept) = kept_parameters(c.r, params_key, &f.removed)
        {
            b = b.attr(params_key, kept);
        }
    }
    let feature = if c.service == Service::MemoryDb { "memorydb-engine" } else { "elasticache-valkey" };
    Ok(Change {
        override_block: b,
        new_resources: Vec::new(),
        // The module passes engine = "valkey" to the provider's resources, which need the
        // release that accepts it (the module's own floor is the same; rules/terraform.toml).
        provider_need: k.minimum(feature).map(|m| m.version.clone()),
        moved: vec![Moved::of(c, &c.r.dir, &c.r.address, version)],
        needs_init,
        ..Default::default()
    })
}

/// The module's parameter list without the parameters the Valkey family does not have, or
/// `None` when nothing is dropped. A list written literally is written again literally; a list
/// built from variables or locals is filtered with a `for` expression over the same expression,
/// so it stays right in every environment.
fn kept_parameters(r: &InfraResource, key: &str, removed: &[String]) -> Option<Expr> {
    let Value::Array(items) = r.attr(key)? else { return None };
    let dropped = |p: &Value| p.get("name").and_then(Value::as_str).is_some_and(|n| removed.iter().any(|x| x == n));
    if !items.iter().any(dropped) {
        return None;
    }
    let span = r.spans.get(key)?;
    if span.references.is_empty() {
        return Some(Expr::Literal(Value::Array(items.iter().filter(|p| !dropped(p)).cloned().collect())));
    }
    let names: Vec<String> = items
        .iter()
        .filter(|p| dropped(p))
        .filter_map(|p| p.get("name").and_then(Value::as_str).map(super::writer::quote))
        .collect();
    Some(Expr::Raw(format!("[for p in {} : p if !contains([{}], p.name)]", span.expr.trim(), names.join(", "))))
}

struct Raise {
    /// `version`, or `source` for a git ref.
    key: String,
    value: String,
    comment: String,
}

/// The module block's `version` (or its git source's `ref`) raised to the module's first
/// Valkey release when the pin never reaches it. Terraform merges a module block's `version`
/// and `source` from an override file like any argument (`internal/configs/module_merge.go`).
/// A raise across a major version is left to the user: the module's inputs may have changed.
fn raised_module(r: &InfraResource, m: &ModuleSpec) -> Result<Option<Raise>, String> {
    let Some(call) = &r.module else { return Ok(None) };
    let Some(pinned) = &call.version else { return Ok(None) };
    if allows_at_least(pinned, &m.valkey_since) != Some(Allows::Never) {
        return Ok(None);
    }
    let floor = pinned.split(',').next().unwrap_or(pinned).trim().trim_start_matches(['=', '~', '>', '<', ' ', 'v']);
    if parse_version(floor)[0] != parse_version(&m.valkey_since)[0] {
        return Err(format!(
            "{} \"{pinned}\" predates Valkey support ({}), a new major release of the module; raise it by hand \
             following the module's upgrade notes, then plan again (TF007)",
            m.id, m.valkey_since
        ));
    }
    let why = format!(
        "{} \"{pinned}\" predates Valkey support; {} is the first release that accepts engine = \"valkey\" (same major \
         version). Read the module's changelog between the two, and run `terraform init` to fetch it.",
        m.id, m.valkey_since
    );
    if r.spans.contains_key("version") {
        return Ok(Some(Raise {
            key: "version".into(),
            value: raised_constraint(pinned, &m.valkey_since),
            comment: why,
        }));
    }
    // A git source pins with `?ref=`: the source is overridden with the new ref, written the
    // way the original writes it (with or without a `v`).
    let Some((base, query)) = call.source.split_once('?') else { return Ok(None) };
    let params: Vec<String> = query
        .split('&')
        .map(|kv| match kv.strip_prefix("ref=") {
            Some(old) => {
                let v = if old.starts_with('v') { "v" } else { "" };
                format!("ref={v}{}", m.valkey_since)
            }
            None => kv.to_string(),
        })
        .collect();
    Ok(Some(Raise { key: "source".into(), value: format!("{base}?{}", params.join("&")), comment: why }))
}

/// A constraint in the style of the original that starts at `since`: an exact pin stays exact,
/// `~> 1.2.0` becomes `~> 1.4.0`, anything else `~> 1.4` (this major version, from `since`).
fn raised_constraint(pinned: &str, since: &str) -> String {
    let c = pinned.trim();
    if !c.contains(',') {
        if let Some(rest) = c.strip_prefix('=') {
            if !rest.starts_with('=') {
                return format!("= {since}");
            }
        } else if c.starts_with(|ch: char| ch.is_ascii_digit() || ch == 'v') {
            return since.to_string();
        } else if let Some(rest) = c.strip_prefix("~>")
            && rest.trim().split('.').count() >= 3
        {
            return format!("~> {since}");
        }
    }
    let v = parse_version(since);
    format!("~> {}.{}", v[0], v[1])
}

/// A cache inside a local module whose engine comes from the callers' arguments: the change
/// goes on each caller's module block (module inputs can be overridden; the resources inside
/// a module cannot be reached from outside it). `None` when the engine is not set that way.
pub(super) fn via_callers(c: &Cache, inv: &Inventory, k: &TerraformKnowledge, target: &str) -> Option<ChangeResult> {
    // A value that flows from a variable (directly or through locals) is what a caller sets.
    let from_caller = |key: &str| c.r.origins.get(key).and_then(|o| o.via.strip_prefix("var.")).map(String::from);
    let callers: Vec<&InfraResource> = inv
        .infra
        .iter()
        .filter(|r| r.module.as_ref().and_then(|m| m.local_dir.as_deref()) == Some(c.r.dir.as_str()))
        .collect();
    if callers.is_empty() {
        return None;
    }
    let engine_input = from_caller("engine")?;
    let inside = |key: &str| {
        let at = c.r.attr_location(key);
        format!(
            "{key} is written inside the module ({}:{}); the callers can only change the engine, so change {key} \
             there in the same apply",
            at.file, at.line
        )
    };
    let version_key = c.key("engine_version").unwrap_or_else(|| "engine_version".into());
    let Some(version_input) = from_caller(&version_key) else {
        return Some(Err(inside(&version_key)));
    };
    let version = k.pick_version(c.service.knowledge_key(), target)?;
    let mut pg_input = None;
    if c.r.has("parameter_group_name") {
        let name = c.r.attr_str("parameter_group_name").unwrap_or_default();
        match (from_caller("parameter_group_name"), valkey_family(c, k, version)) {
            (Some(input), Some(family)) if name.starts_with("default.") => {
                pg_input = Some((input, super::resources::default_group(name, k, &family)));
            }
            _ => return Some(Err(inside("parameter_group_name"))),
        }
    }
    let changes = callers
        .iter()
        .map(|call| {
            let mut b = Block::new("module", &[call.name.as_str()]);
            b.comments.push(format!(
                "{}: {} in {} moves to Valkey {version} through this call's inputs.",
                call.address, c.r.address, c.r.dir
            ));
            b = b.string(&engine_input, "valkey").string(&version_input, version);
            if let Some((input, name)) = &pg_input {
                b = b.string(input, name);
            }
            let address = format!("{}.{}", call.address, c.r.address);
            let change = Change {
                override_block: b,
                new_resources: Vec::new(),
                provider_need: None,
                moved: vec![Moved::of(c, &call.dir, &address, version)],
                ..Default::default()
            };
            (call.dir.clone(), change)
        })
        .collect();
    Some(Ok(Some(changes)))
}

#[cfg(test)]
mod tests {
    use super::raised_constraint;

    #[test]
    fn a_raised_pin_keeps_the_style_of_the_original() {
        for (pinned, want) in [
            ("1.2.0", "1.4.0"),
            ("= 1.2.0", "= 1.4.0"),
            ("=1.2.0", "= 1.4.0"),
            ("~> 1.2.0", "~> 1.4.0"),
            ("~> 1.2", "~> 1.4"),
            (">= 1.0, < 1.3", "~> 1.4"),
        ] {
            assert_eq!(raised_constraint(pinned, "1.4.0"), want, "{pinned}");
        }
    }
}
