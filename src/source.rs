//! Which server the repository runs today (the migration's source), from what it says: a
//! `--source`/`source` setting wins; otherwise image tags and Terraform engine versions.

use crate::config::Settings;
use crate::inventory::Inventory;
use crate::knowledge::Knowledge;
use crate::location::Location;
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct Evidence {
    pub location: Location,
    /// What was read, e.g. `image redis:7.4-alpine` or `engine_version = "7.1"`.
    pub what: String,
    /// The profile it points at.
    pub profile: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct SourceServer {
    /// The profile chosen: the newest one the evidence names (the one that constrains the
    /// data path most), or the user's setting.
    pub profile: Option<String>,
    pub from_setting: bool,
    pub evidence: Vec<Evidence>,
}

/// Maps a Redis `major.minor` to the nearest profile we have, newest first.
fn redis_profile(version: &str, known: &[String]) -> Option<String> {
    let mut parts = version.trim_start_matches('v').split(['.', '-']);
    let major: u32 = parts.next()?.parse().ok()?;
    let minor: u32 = parts.next().and_then(|m| m.parse().ok()).unwrap_or(99);
    known
        .iter()
        .filter_map(|p| {
            let (product, ma, mi) = crate::knowledge::migration::profile_version(p)?;
            (product == "redis" && ma == major && mi <= minor).then_some((mi, p))
        })
        .max()
        .map(|(_, p)| p.clone())
}

fn image_version(image: &str, tag: &str) -> Option<String> {
    let repo = image.rsplit('/').next().unwrap_or(image);
    if !(repo == "redis" || repo == "redis-stack" || repo == "redis-stack-server") {
        return None;
    }
    let version: String = tag.chars().take_while(|c| c.is_ascii_digit() || *c == '.').collect();
    (!version.is_empty()).then_some(version)
}

pub fn infer(inventory: &Inventory, settings: &Settings, knowledge: &Knowledge) -> SourceServer {
    let known = knowledge.profile_names();
    let mut evidence = Vec::new();
    for img in &inventory.images {
        let Some(tag) = img.tag.as_deref() else { continue };
        if let Some(profile) = image_version(&img.image, tag).and_then(|v| redis_profile(&v, &known)) {
            evidence.push(Evidence {
                location: img.location.clone(),
                what: format!("image {}:{tag}", img.image),
                profile,
            });
        }
    }
    for res in &inventory.infra {
        let engine = res.attributes.get("engine").and_then(|v| v.as_str());
        let version = res.attributes.get("engine_version").and_then(|v| v.as_str());
        if let (Some("redis"), Some(v)) = (engine, version) {
            if let Some(profile) = redis_profile(v, &known) {
                evidence.push(Evidence {
                    location: res.location.clone(),
                    what: format!("{} engine_version = \"{v}\"", res.address),
                    profile,
                });
            }
        }
    }
    if let Some(profile) = &settings.source {
        return SourceServer { profile: Some(profile.clone()), from_setting: true, evidence };
    }
    let newest = evidence
        .iter()
        .filter_map(|e| {
            crate::knowledge::migration::profile_version(&e.profile).map(|(_, ma, mi)| ((ma, mi), &e.profile))
        })
        .max()
        .map(|(_, p)| p.clone());
    SourceServer { profile: newest, from_setting: false, evidence }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_and_versions_map_to_the_nearest_profile() {
        let known: Vec<String> = ["redis-6.2", "redis-7.0", "redis-7.2", "redis-7.4", "redis-8.0", "redis-8.2"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(redis_profile("7.4.2", &known).as_deref(), Some("redis-7.4"));
        assert_eq!(redis_profile("7", &known).as_deref(), Some("redis-7.4"));
        assert_eq!(redis_profile("7.1", &known).as_deref(), Some("redis-7.0"));
        assert_eq!(redis_profile("8.4", &known).as_deref(), Some("redis-8.2"));
        assert_eq!(redis_profile("5.0.6", &known), None);
        assert_eq!(image_version("docker.io/library/redis", "7.4-alpine").as_deref(), Some("7.4"));
        assert_eq!(image_version("redis/redis-stack", "7.2.0-v10").as_deref(), Some("7.2.0"));
        assert_eq!(image_version("redis", "latest"), None);
        assert_eq!(image_version("valkey/valkey", "8.1"), None);
    }
}
