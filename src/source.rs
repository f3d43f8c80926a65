//! Which server the repository runs today (the migration's source), from what it says: a
//! `--source`/`source` setting wins; otherwise image tags (read with the image catalog) and
//! Terraform engine versions.

use crate::config::Settings;
use crate::inventory::Inventory;
use crate::knowledge::Knowledge;
use crate::knowledge::images::ImageCatalog;
use crate::knowledge::migration::{nearest_profile, profile_version};
use crate::location::Location;
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct Evidence {
    pub location: Location,
    /// What was read, e.g. `image redis:7.4-alpine` or `engine_version = "7.1"`.
    pub what: String,
    /// The profile it points at, when one matches the version.
    pub profile: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct SourceServer {
    /// The profile chosen: the newest one the evidence names (the one that constrains the
    /// data path most), or the user's setting.
    pub profile: Option<String>,
    pub from_setting: bool,
    pub evidence: Vec<Evidence>,
}

/// The profile for a Redis `major.minor[.patch]` as a managed service writes it ("7.1", "6.x").
fn redis_profile(version: &str, known: &[String]) -> Option<String> {
    let mut parts = version.trim_start_matches('v').split(['.', '-']);
    let major: u32 = parts.next()?.parse().ok()?;
    // "6.x" and a bare "7" float to the newest minor of that major.
    let minor: u32 = parts.next().and_then(|m| m.parse().ok()).unwrap_or(u32::MAX);
    nearest_profile("redis", (major, minor), known.iter().map(String::as_str))
}

pub fn infer(inventory: &Inventory, settings: &Settings, knowledge: &Knowledge) -> SourceServer {
    let known = knowledge.profile_names();
    let mut evidence = Vec::new();
    if let Ok(catalog) = knowledge.view::<ImageCatalog>() {
        // The catalog picks the newest Redis image; list every Redis image as evidence.
        for img in &inventory.images {
            if let Some(guess) = catalog.infer_source(std::slice::from_ref(img), &known) {
                evidence.push(Evidence {
                    location: guess.location,
                    what: format!("image {}", guess.reference),
                    profile: guess.profile,
                });
            }
        }
    }
    for res in &inventory.infra {
        let engine = res.attributes.get("engine").and_then(|v| v.as_str());
        let version = res.attributes.get("engine_version").and_then(|v| v.as_str());
        if let (Some("redis"), Some(v)) = (engine, version) {
            evidence.push(Evidence {
                location: res.location.clone(),
                what: format!("{} engine_version = \"{v}\"", res.address),
                profile: redis_profile(v, &known),
            });
        }
    }
    if let Some(profile) = &settings.source {
        return SourceServer { profile: Some(profile.clone()), from_setting: true, evidence };
    }
    let newest = evidence
        .iter()
        .filter_map(|e| e.profile.as_ref())
        .filter_map(|p| profile_version(p).map(|(_, ma, mi)| ((ma, mi), p)))
        .max()
        .map(|(_, p)| p.clone());
    SourceServer { profile: newest, from_setting: false, evidence }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engine_versions_map_to_the_nearest_profile() {
        let known: Vec<String> = ["redis-6.2", "redis-7.0", "redis-7.2", "redis-7.4", "redis-8.0", "redis-8.2"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(redis_profile("7.4.2", &known).as_deref(), Some("redis-7.4"));
        assert_eq!(redis_profile("7", &known).as_deref(), Some("redis-7.4"));
        assert_eq!(redis_profile("6.x", &known).as_deref(), Some("redis-6.2"));
        assert_eq!(redis_profile("7.1", &known).as_deref(), Some("redis-7.0"));
        assert_eq!(redis_profile("8.4", &known).as_deref(), Some("redis-8.2"));
        assert_eq!(redis_profile("5.0.6", &known), None);
    }
}
