use super::analysis::{Index, Resolved, affected, evidence_note, update_command};
use crate::findings::Finding;
use crate::inventory::DepSource;
use crate::rules::{Rule, RuleContext};
use crate::versions::Requirement;

/// The lock file pins a version with a Valkey problem while the manifest's range already
/// allows the release that fixes it: one update command away.
pub struct LockDrift;

/// The fixed version the manifest's range already admits, for a lock entry in a risky band.
pub(crate) fn drift_target(r: &Resolved) -> Option<String> {
    let manifest = r.manifest?;
    if r.dep.source != DepSource::Lockfile {
        return None;
    }
    let target = r.client.safe_upgrade(r.version)?;
    let req = Requirement::parse(r.dep.ecosystem, manifest.requirement.as_deref()?).ok()?;
    (req.allows(&target) == Some(true)).then_some(target)
}

impl Rule for LockDrift {
    fn code(&self) -> &'static str {
        "DEP002"
    }

    fn check(&self, cx: &RuleContext, out: &mut Vec<Finding>) {
        let Ok(clients) = cx.knowledge.clients() else { return };
        let index = Index::new(cx.inventory, &clients);
        for (r, risks) in affected(&index) {
            let Some(target) = drift_target(&r) else { continue };
            let manifest = r.manifest.expect("drift needs a manifest");
            let range = manifest.requirement.as_deref().unwrap_or("");
            let problems: Vec<String> = risks.iter().map(|k| k.effect.clone()).collect();
            let message = format!(
                "{} pins {} {} although {} allows {target} (`{range}`), which fixes it: {}",
                r.dep.file_name(),
                r.dep.name,
                r.version,
                manifest.file_name(),
                problems.join("; "),
            );
            let dir = if r.dep.dir().is_empty() { "." } else { r.dep.dir() };
            let action = match update_command(r.dep, &target, true) {
                super::analysis::UpdateCommand::Run(c) => format!("run `{c}` (in {dir})"),
                super::analysis::UpdateCommand::Edit(e) => format!("{e} (in {dir})"),
            };
            let help = format!(
                "{action} to move the lock to {target} or later [{}; {}]",
                evidence_note(risks[0]),
                risks[0].sources[0],
            );
            let severity =
                risks.iter().map(|k| k.effective_severity()).max().unwrap_or(crate::findings::Severity::Warning);
            out.push(
                Finding::new(self.code(), r.dep.location.clone(), message)
                    .help(help)
                    .severity_hint(severity)
                    .related(manifest.location.clone(), format!("`{range}` already allows {target}"))
                    .fingerprint(format!("drift:{}@{}", r.dep.name, r.version)),
            );
        }
    }
}
