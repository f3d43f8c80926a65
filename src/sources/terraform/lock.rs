//! `.terraform.lock.hcl`: the provider versions `terraform init` selected. A constraint may
//! allow a new provider while the lock still holds an old one until `init -upgrade`.

use super::extract::normalize_provider_source;
use super::files::{self, FileKind};
use crate::inventory::ProviderRequirement;
use crate::sources::{Facts, SourceFile};
use hcl_edit::Span;

pub fn parse(dir: &str, src: &SourceFile, out: &mut Facts) {
    let Some(file) = files::parse(src, FileKind::Lock, out) else { return };
    let Some(body) = file.body() else { return };
    for block in body.get_blocks("provider") {
        let Some(address) = block.labels.first().map(|l| l.as_str().to_string()) else { continue };
        let Some(version) = block.body.get_attribute("version") else { continue };
        let Some(locked) = version.value.as_str().map(String::from) else { continue };
        let location = version.value.span().map_or_else(|| src.file_location(), |s| src.location(s));
        out.inventory.providers.push(ProviderRequirement {
            dir: dir.to_string(),
            name: address.clone(),
            source: normalize_provider_source(&address),
            constraint: block.body.get_attribute("constraints").and_then(|c| c.value.as_str()).map(String::from),
            locked: Some(locked),
            location,
        });
    }
}
