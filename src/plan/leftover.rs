//! Findings no area contributor planned become steps too, one per rule, in the rule's phase:
//! every finding appears in the plan, and every step cites the places that caused it.

use super::model::{FindingRef, Step, StepKind};
use super::{Contributor, PlanBuilder, PlanContext};
use crate::findings::Severity;
use crate::knowledge::Phase;
use crate::scan::codes;
use std::collections::BTreeMap;

pub struct Leftover;

impl Contributor for Leftover {
    fn contribute(&self, cx: &PlanContext, plan: &mut PlanBuilder) {
        let refs = plan.take(cx, |_| true);
        let mut by_code: BTreeMap<String, Vec<FindingRef>> = BTreeMap::new();
        for r in refs {
            by_code.entry(r.code.clone()).or_default().push(r);
        }
        for (code, refs) in by_code {
            let meta = cx.knowledge.catalog.get(&code);
            let worst = refs.iter().map(|r| r.severity).max().unwrap_or(Severity::Info);
            let unread =
                [codes::UNREADABLE, codes::BINARY, codes::TOO_LARGE, codes::UNPARSABLE].contains(&code.as_str());
            let kind = if unread {
                StepKind::Check
            } else if meta.is_some_and(|m| m.blocker) && worst >= Severity::Warning {
                StepKind::Blocker
            } else if worst == Severity::Info {
                StepKind::Note
            } else {
                StepKind::Change
            };
            let phase = meta.map_or(Phase::Validation, |m| m.plan_phase());
            let title = match meta {
                Some(m) => format!("{} ({code}, {})", m.summary, crate::report::plural(refs.len(), "place")),
                None => format!("{code} ({})", crate::report::plural(refs.len(), "place")),
            };
            let mut detail = String::new();
            if unread {
                detail.push_str("The audit could not read these files; the plan does not cover what they hold.\n\n");
            }
            for r in &refs {
                detail.push_str(&format!("- `{}:{}`: {}\n", r.file, r.line, r.message));
            }
            let helps: Vec<&str> = {
                let mut h: Vec<&str> =
                    cx.findings.iter().filter(|f| f.code == code).filter_map(|f| f.help.as_deref()).collect();
                h.dedup();
                h
            };
            if helps.len() == 1 {
                detail.push_str(&format!("\n{}\n", helps[0]));
            }
            detail.push_str(&format!("\nSee `valkey-migrate explain {code}`.\n"));
            let mut step = Step::new(kind, title, detail);
            step.findings = refs;
            plan.add(phase, step);
        }
    }
}
