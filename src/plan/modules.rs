//! Phase 1 (and 2): module commands. Per module family the code uses: when Valkey has a module
//! that implements every command used, load it (a change); when it implements none of them or
//! only some, the decision comes first — keep that workload on Redis, or rewrite it — and the
//! plan says so plainly, as the team that wrote this tool's seed story had to.

use super::model::{FindingRef, Step, StepKind};
use super::{Contributor, PlanBuilder, PlanContext};
use crate::knowledge::Phase;
use crate::knowledge::modules::{Coverage, ModuleCatalog};
use std::collections::BTreeMap;

pub struct ModuleCommands;

#[derive(Default)]
struct FamilyUse<'a> {
    covered: Vec<&'a str>,
    rewrite: Vec<&'a str>,
    none: Vec<&'a str>,
    places: Vec<(&'a str, u32)>,
}

impl Contributor for ModuleCommands {
    fn contribute(&self, cx: &PlanContext, plan: &mut PlanBuilder) {
        let Ok(modules) = cx.knowledge.view::<ModuleCatalog>() else { return };
        let mut families: BTreeMap<&str, FamilyUse> = BTreeMap::new();
        for u in &cx.inventory.command_uses {
            let family = match u.command.strip_suffix(".*") {
                Some(id) => modules.family(id),
                None => modules.family_of(&u.command),
            };
            let Some(family) = family else { continue };
            // A command the target has (a module loaded on it, or a core command) is no step.
            if cx.target.command(&u.command).is_some() {
                continue;
            }
            let entry = families.entry(family.id.as_str()).or_default();
            let list = match u.command.strip_suffix(".*") {
                Some(_) if family.valkey.equivalent.is_some() => &mut entry.rewrite,
                Some(_) => &mut entry.none,
                None => match modules.coverage(family, &u.command) {
                    Coverage::Covered { .. } => &mut entry.covered,
                    Coverage::NotCovered { .. } => &mut entry.rewrite,
                    Coverage::None { .. } => &mut entry.none,
                },
            };
            if !list.contains(&u.command.as_str()) {
                list.push(&u.command);
            }
            entry.places.push((&u.location.file, u.location.line));
        }
        // Decisions first: what must stay on Redis, then what must be rewritten, then the modules to load.
        let mut ordered: Vec<(&str, FamilyUse)> = families.into_iter().collect();
        ordered.sort_by_key(|(id, u)| (u.none.is_empty(), u.rewrite.is_empty(), *id));
        for (id, uses) in ordered {
            let Some(family) = modules.family(id) else { continue };
            let module = modules.module(&family.module).map_or(family.module.clone(), |m| m.title.clone());
            let equivalent = family.valkey.equivalent.as_deref().and_then(|e| modules.equivalent(e));
            let cited: Vec<FindingRef> = plan.take(cx, |f| {
                f.code == "MOD001"
                    && uses.places.iter().any(|(file, line)| f.location.file == *file && f.location.line == *line)
            });
            let places = uses.places.len();
            let (phase, kind, title, mut detail) = if !uses.none.is_empty() {
                let why = family.valkey.none.as_deref().unwrap_or("no Valkey module implements it");
                (
                    Phase::Blockers,
                    StepKind::Blocker,
                    format!(
                        "Stay on Redis for {} ({module}): nothing in Valkey implements {}",
                        family.title,
                        uses.none.join(", ")
                    ),
                    format!(
                        "The code sends {} in {}. {}.\n\nKeep this workload on a Redis server (the rest of \
                         the repository can still move), move it to a store built for it, or rewrite it on \
                         core commands and measure. Its data cannot move to Valkey by snapshot or replication.\n",
                        uses.none.join(", "),
                        crate::report::plural(places, "place"),
                        sentence(why),
                    ),
                )
            } else if !uses.rewrite.is_empty() {
                let eq = equivalent.map_or("the Valkey module", |e| e.title.as_str());
                (
                    Phase::Blockers,
                    StepKind::Blocker,
                    format!(
                        "Decide on {} ({module}): {eq} does not implement {}",
                        family.title,
                        uses.rewrite.join(", ")
                    ),
                    format!(
                        "{eq} implements {}, but not {}. Rewrite those calls with what it has, or stay on Redis for \
                         this workload.\n",
                        family.valkey.covers.join(", "),
                        uses.rewrite.join(", "),
                    ),
                )
            } else {
                let Some(eq) = equivalent else { continue };
                (
                    Phase::Blockers,
                    StepKind::Change,
                    format!("Load {} on the target for {} ({module})", eq.title, family.title),
                    format!(
                        "{} implements every {} command the code uses ({}). The `{}` image ships it. {}. \
                         Compatibility: {}.\n",
                        eq.title,
                        family.id,
                        uses.covered.join(", "),
                        eq.image,
                        sentence(&eq.maturity),
                        eq.compatibility.trim_end_matches('.'),
                    ),
                )
            };
            if !uses.covered.is_empty() && kind == StepKind::Blocker {
                if let Some(eq) = equivalent {
                    detail.push_str(&format!(
                        "\n{} covers the other commands used: {}.\n",
                        eq.title,
                        uses.covered.join(", ")
                    ));
                }
            }
            detail.push_str(&format!("\nSource: {}\n", family.source));
            let mut step = Step::new(kind, title, detail);
            step.findings = cited;
            plan.add(phase, step);
        }
    }
}

/// `text` with a capital first letter and no final full stop, to sit in a sentence.
fn sentence(text: &str) -> String {
    let t = text.trim().trim_end_matches('.');
    let mut c = t.chars();
    match c.next() {
        Some(first) => first.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}
