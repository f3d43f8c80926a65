use crate::findings::Finding;
use crate::rules::{Rule, RuleContext};

/// A self-hosted Redis image, with the Valkey image and tag to move to.
pub struct RedisImage;

impl Rule for RedisImage {
    fn code(&self) -> &'static str {
        "IMG001"
    }

    fn check(&self, cx: &RuleContext, out: &mut Vec<Finding>) {
        if super::valkey_target(cx).is_none() {
            return;
        }
        let Some(catalog) = super::catalog(cx, self.code(), out) else {
            return;
        };
        for fact in &cx.inventory.images {
            let Some(r) = super::resolve(&catalog, fact) else {
                continue;
            };
            if !r.info.is_redis() {
                continue;
            }
            let reference = super::reference_text(fact);
            let label = super::server_label(&r);
            let where_ = fact.subject.as_ref().map(|s| format!(" ({s})")).unwrap_or_default();
            let in_chart = fact.origin == crate::inventory::ImageOrigin::HelmValues;
            let (message, help) = match catalog.replacement(&r, &cx.target) {
                // A chart built for this image: the chart changes, and the image with it.
                Some(to) if in_chart && r.info.chart_note.is_some() => (
                    format!(
                        "{reference}{where_} runs {label} from a Helm chart built for it: change the chart, not only the image, for {to} ({})",
                        cx.target.display_name()
                    ),
                    r.info.chart_note.clone().unwrap_or_default(),
                ),
                Some(to) => (
                    format!("{reference}{where_} runs {label}; use {to} for {}", cx.target.display_name()),
                    r.info.to_note.clone().unwrap_or_else(|| format!("{to} is the Valkey image for the target line")),
                ),
                None => (
                    format!("{reference}{where_} runs {label}; no Valkey image replaces it"),
                    r.info
                        .to_note
                        .clone()
                        .unwrap_or_else(|| "its modules have no Valkey equivalent (see MOD002)".into()),
                ),
            };
            out.push(
                Finding::new(self.code(), fact.location.clone(), message).help(help).fingerprint(fact.name.clone()),
            );
        }
    }
}
