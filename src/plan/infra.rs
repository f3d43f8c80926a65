//! Phase 4: infrastructure — the Terraform files to add per directory (from
//! `terraform_override::generate`), and what `terraform plan` will show for each change.

use super::model::{ArtifactKind, FindingRef, Step, StepKind};
use super::{Contributor, PlanBuilder, PlanContext, shell_quote};
use crate::knowledge::Phase;
use crate::knowledge::terraform::TerraformKnowledge;
use std::collections::BTreeMap;

pub struct Infrastructure;

/// What `terraform plan` prints for a finding's change, in its own words.
fn plan_effect(code: &str) -> Option<&'static str> {
    Some(match code {
        "TF001" | "TF003" | "TF009" => "`~ update in-place` (engine and engine_version change together; no data move)",
        "TF010" => "`+ create` for the Valkey parameter group (Redis-only parameters left out)",
        "TF011" => "`-/+ replace` for the parameter group unless it gets a new name (the generated group has one)",
        "TF006" | "TF007" => "an error until the provider or module constraint is raised (the override raises it)",
        _ => return None,
    })
}

fn shown(dir: &str) -> &str {
    if dir.is_empty() { "." } else { dir }
}

fn dir_of(file: &str) -> &str {
    file.rsplit_once('/').map_or(".", |(d, _)| d)
}

impl Contributor for Infrastructure {
    fn contribute(&self, cx: &PlanContext, plan: &mut PlanBuilder) {
        let Ok(tk) = cx.knowledge.view::<TerraformKnowledge>() else { return };
        let overrides = crate::terraform_override::generate(cx.inventory, &tk, &cx.target.header.version);
        let mut by_dir: BTreeMap<&str, Vec<&crate::terraform_override::GeneratedFile>> = BTreeMap::new();
        for f in &overrides.files {
            by_dir.entry(f.dir.as_str()).or_default().push(f);
        }
        let out = cx.artifact_dir();
        // Lines of the caches the generator left alone: their findings are not answered by the
        // files, so the step must not cite them as if they were.
        let skipped_lines: Vec<(&str, u32)> = overrides
            .skipped
            .iter()
            .filter_map(|s| {
                cx.inventory.infra.iter().find(|r| r.address == s.address && dir_of(&r.location.file) == shown(&s.dir))
            })
            .flat_map(|r| {
                std::iter::once(r.location.line)
                    .chain(r.attribute_lines.values().copied())
                    .map(move |line| (r.location.file.as_str(), line))
            })
            .collect();
        for (dir, files) in by_dir {
            let shown_dir = if dir.is_empty() { "." } else { dir };
            let mut paths = Vec::new();
            for f in &files {
                let artifact = format!("terraform/{}", f.path.trim_start_matches("./"));
                paths.push(plan.artifact(artifact, ArtifactKind::Terraform, Some(f.path.clone()), f.contents.clone()));
            }
            let cited: Vec<FindingRef> = plan.take(cx, |f| {
                f.code.starts_with("TF")
                    && dir_of(&f.location.file) == shown_dir
                    && plan_effect(&f.code).is_some()
                    && !skipped_lines.contains(&(f.location.file.as_str(), f.location.line))
            });
            let mut detail = format!(
                "Copy the generated files into `{shown_dir}/` and run `terraform plan`. They override exactly the \
                 arguments that change (Terraform's override-file merge rules); new resources sit in a normal file.\n\n"
            );
            let mut effects: Vec<String> = cited
                .iter()
                .filter_map(|f| plan_effect(&f.code).map(|e| format!("- `{}:{}` — {e}", f.file, f.line)))
                .collect();
            effects.dedup();
            if !effects.is_empty() {
                detail.push_str("What `terraform plan` will show:\n\n");
                detail.push_str(&effects.join("\n"));
                detail.push('\n');
            }
            for n in overrides.notes.iter().filter(|n| n.dir == dir) {
                detail.push_str(&format!("\nNote on `{}`: {}\n", n.address, n.reason));
            }
            for sk in overrides.skipped.iter().filter(|s| s.dir == dir) {
                detail.push_str(&format!("\nNot changed by these files: `{}` — {}\n", sk.address, sk.reason));
            }
            let init = overrides.init_dirs.iter().any(|d| d == dir);
            if init {
                detail.push_str(
                    "\nThe files raise a module version or the provider requirement: run `terraform init -upgrade` \
                     before `terraform plan`.\n",
                );
            }
            let mut step = Step::new(StepKind::Change, format!("Add the Valkey overrides in `{shown_dir}`"), detail);
            let copies = files.iter().map(|f| {
                format!(
                    "cp {} {}",
                    shell_quote(&format!("{out}/terraform/{}", f.path.trim_start_matches("./"))),
                    shell_quote(&format!("{shown_dir}/"))
                )
            });
            step.commands = cx
                .write_files_command()
                .into_iter()
                .chain(copies)
                .chain(init.then(|| format!("terraform -chdir={} init -upgrade", shell_quote(shown_dir))))
                .chain([format!("terraform -chdir={} plan", shell_quote(shown_dir))])
                .collect();
            step.artifacts = paths;
            step.diff = Some(files.iter().map(|f| new_file_diff(&f.path, &f.contents)).collect::<Vec<_>>().join("\n"));
            step.findings = cited;
            plan.add(Phase::Infrastructure, step);
        }
        engines_below_target(cx, &overrides.engines, plan);
    }
}

/// Managed services lag the open-source releases: a cache that lands on an older Valkey than
/// the target must be validated against that version, not the target.
fn engines_below_target(
    cx: &PlanContext,
    engines: &[crate::terraform_override::ManagedEngine],
    plan: &mut PlanBuilder,
) {
    let target = crate::knowledge::migration::profile_version(&cx.settings.target);
    let mut by_profile: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for e in engines {
        let Some(v) = e.server_version() else { continue };
        let mut parts = v.split('.').filter_map(|p| p.parse::<u32>().ok());
        let (Some(major), Some(minor)) = (parts.next(), parts.next()) else { continue };
        if target.is_some_and(|(p, ma, mi)| p == "valkey" && (major, minor) < (ma, mi)) {
            let profile = crate::knowledge::migration::nearest_profile(
                "valkey",
                (major, minor),
                cx.knowledge.profile_names().iter().map(String::as_str),
            );
            if let Some(p) = profile {
                by_profile.entry(p).or_default().push(&e.address);
            }
        }
    }
    for (profile, caches) in by_profile {
        let list: Vec<String> = caches.iter().map(|c| format!("`{c}`")).collect();
        let mut step = Step::new(
            StepKind::Check,
            format!("Validate the clients of {} against {profile}, the Valkey they will run", list.join(", ")),
            format!(
                "The managed service offers no newer Valkey for {}, so their applications will talk to {profile}, \
                 not {}. Validate against that profile as well: commands and settings newer than it are not there.\n",
                list.join(", "),
                cx.target.display_name()
            ),
        );
        step.commands = vec![format!(
            "valkey-migrate validate {} --target {profile}",
            shell_quote(&cx.out_dir.clone().unwrap_or_else(|| cx.scanned.clone()))
        )];
        plan.add(Phase::Validation, step);
    }
}

/// A unified diff that adds a whole new file, for review in the plan.
pub fn new_file_diff(path: &str, contents: &str) -> String {
    let lines: Vec<&str> = contents.lines().collect();
    let mut d = format!("--- /dev/null\n+++ b/{path}\n@@ -0,0 +1,{} @@\n", lines.len());
    for l in lines {
        d.push('+');
        d.push_str(l);
        d.push('\n');
    }
    d
}
