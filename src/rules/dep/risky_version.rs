use super::analysis::{Index, affected, evidence_note, update_command};
use super::usage::trigger;
use crate::findings::Finding;
use crate::rules::{Rule, RuleContext};

/// A lock file (or an exact pin no lock overrides) resolves a client to a version that
/// misbehaves on Valkey. When the manifest already allows a fixed version, DEP002 reports
/// the same line with the update command instead.
pub struct RiskyClientVersion;

impl Rule for RiskyClientVersion {
    fn code(&self) -> &'static str {
        "DEP001"
    }

    fn check(&self, cx: &RuleContext, out: &mut Vec<Finding>) {
        let Ok(clients) = cx.knowledge.clients() else { return };
        let index = Index::new(cx.inventory, &clients);
        for (r, risks) in affected(&index) {
            if super::lock_drift::drift_target(&r).is_some() {
                continue;
            }
            let project_dir = r.manifest.map_or(r.dep.dir(), |m| m.dir());
            for risk in risks {
                let what = match r.dep.source {
                    crate::inventory::DepSource::Lockfile => format!("{} resolves", r.dep.file_name()),
                    crate::inventory::DepSource::Manifest => format!("{} pins", r.dep.file_name()),
                };
                let retracted =
                    if r.client.retracted.iter().any(|v| v == r.version) { " (a retracted version)" } else { "" };
                let code = trigger(cx.inventory, r.client, risk, project_dir);
                let message =
                    format!("{what} {} {}{retracted}: {} {}", r.dep.name, r.version, risk.effect, code.clause(risk));
                let mut help = match r.client.safe_upgrade(r.version) {
                    Some(target) => {
                        format!("move to {target} ({}); ", update_command(r.dep, &target, false).describe())
                    }
                    None => "no release avoids this yet; ".to_string(),
                };
                if let Some(w) = code.workaround(cx.inventory, r.client, risk, project_dir) {
                    help.push_str(&format!("workaround: {w}"));
                }
                let alts: Vec<&str> = r
                    .client
                    .alternatives
                    .iter()
                    .filter_map(|a| clients.by_id(&a.id))
                    .map(|c| c.display.as_str())
                    .collect();
                if !alts.is_empty() {
                    help.push_str(&format!("; Valkey-native alternative: {}", alts.join(", ")));
                }
                help.push_str(&format!(" [{}; {}]", evidence_note(risk), risk.sources[0]));
                let mut f = Finding::new(self.code(), r.dep.location.clone(), message)
                    .help(help)
                    .severity_hint(code.severity(risk))
                    .fingerprint(format!("{}:{}@{}", risk.id, r.dep.name, r.version));
                if let Some(m) = r.manifest {
                    f = f.related(
                        m.location.clone(),
                        format!("declared here as {}", m.requirement.as_deref().unwrap_or("?")),
                    );
                }
                for place in code.places() {
                    f = f.related(place.location.clone(), place.note());
                }
                out.push(f);
            }
        }
    }
}
