//! Phase 7: cut-over and what a rollback can still do, per target and deployment
//! (`rules/migration.toml`).

use super::model::{Step, StepKind};
use super::{Contributor, PlanBuilder, PlanContext};
use crate::knowledge::Phase;
use crate::knowledge::migration::{Migration, in_range};

pub struct Cutover;

impl Contributor for Cutover {
    fn contribute(&self, cx: &PlanContext, plan: &mut PlanBuilder) {
        let server = cx.target.display_name();
        plan.add(
            Phase::Cutover,
            Step::new(
                StepKind::Check,
                format!("Switch the clients to {server} and watch"),
                "Point the clients at the new endpoint (or let the managed service switch engines), then watch \
                 `INFO errorstats` and `INFO commandstats` for errors the old server did not return, and the \
                 client logs for reconnects. Keep the old server (or its snapshot) until the rollback window \
                 below has passed.\n",
            ),
        );
        let Ok(migration) = cx.knowledge.view::<Migration>() else { return };
        let elasticache = cx.inventory.infra.iter().any(|r| r.resource_type.starts_with("aws_elasticache_"));
        for rb in &migration.rollback {
            if rb.requires.as_deref() == Some("elasticache") && !elasticache {
                continue;
            }
            if !in_range(&cx.settings.target, rb.min_target.as_deref(), rb.max_target.as_deref())
                && (rb.min_target.is_some() || rb.max_target.is_some())
            {
                continue;
            }
            let text = rb.text.split_whitespace().collect::<Vec<_>>().join(" ");
            plan.add(
                Phase::Cutover,
                Step::new(
                    StepKind::Note,
                    format!("Rollback: {}", rb.title),
                    format!("{text}\n\nSource: {}\n", rb.source),
                ),
            );
        }
    }
}
