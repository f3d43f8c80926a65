use super::analysis::Index;
use super::usage::trigger;
use crate::findings::{Finding, Severity};
use crate::knowledge::clients::{Applies, Risk};
use crate::rules::{Rule, RuleContext};
use crate::versions::Requirement;

/// A client declared with a range that admits versions with a Valkey problem, and either
/// no lock file decides which one is installed, or the lock pins a good one that the next
/// update may leave.
pub struct UnpinnedClient;

/// A version the range admits that the risk affects: the band's first version or the
/// range's lowest, whichever the range allows.
fn admitted(req: &Requirement, risk: &Risk, eco: crate::inventory::Ecosystem, floor: Option<&str>) -> Option<String> {
    let mut candidates: Vec<String> = Vec::new();
    if risk.introduced != "0" {
        candidates.push(risk.introduced.clone());
    }
    candidates.extend(floor.map(str::to_string));
    candidates.into_iter().find(|c| req.allows(c) == Some(true) && risk.affects(eco, c) == Some(true))
}

impl Rule for UnpinnedClient {
    fn code(&self) -> &'static str {
        "DEP003"
    }

    fn check(&self, cx: &RuleContext, out: &mut Vec<Finding>) {
        let Ok(clients) = cx.knowledge.clients() else { return };
        let index = Index::new(cx.inventory, &clients);
        let mut manifests: Vec<_> = index.manifests().collect();
        manifests.sort_by(|a, b| a.location.cmp(&b.location));
        for m in manifests {
            if m.origin.is_some() || m.version.is_some() {
                continue;
            }
            let Some(client) = clients.client_for(m) else { continue };
            if client.risks.is_empty() {
                continue;
            }
            let text = m.requirement.as_deref().unwrap_or("");
            let Ok(req) = Requirement::parse(m.ecosystem, if text.is_empty() { "*" } else { text }) else { continue };
            let floor = req.floor();
            let locks = index.locks_for(m);
            let locked = !locks.is_empty();
            for risk in &client.risks {
                // With a lock that pins a good version, only a default-on problem is worth
                // a note about the next update.
                if locked && risk.applies == Applies::Conditional {
                    continue;
                }
                let Some(example) = admitted(&req, risk, m.ecosystem, floor.as_deref()) else { continue };
                if locked
                    && locks
                        .iter()
                        .any(|l| l.version.as_deref().is_some_and(|v| risk.affects(m.ecosystem, v) == Some(true)))
                {
                    // The lock already pins an affected version: DEP001/DEP002 say so.
                    continue;
                }
                let code = trigger(cx.inventory, client, risk, m.dir());
                let shown = if text.is_empty() { "no version constraint".to_string() } else { format!("`{text}`") };
                let (message, severity) = if locked {
                    (
                        format!(
                            "{} {} admits {example}, where {} {}; the lock file pins a version without it for now, but an update may move to it",
                            m.name,
                            shown,
                            risk.effect,
                            code.clause(risk)
                        ),
                        Severity::Info,
                    )
                } else {
                    (
                        format!(
                            "{} {} is not pinned by any lock file, and the range admits {example}, where {} {}",
                            m.name,
                            shown,
                            risk.effect,
                            code.clause(risk)
                        ),
                        code.severity(risk),
                    )
                };
                let help = match (risk.fixed.as_deref(), risk.workaround.as_deref()) {
                    (Some(f), _) => format!(
                        "require at least {f}, and commit a lock file so the version that runs is the one you tested"
                    ),
                    (None, Some(w)) => format!(
                        "commit a lock file and choose the version deliberately; if it falls in the affected band: {w}"
                    ),
                    (None, None) => "commit a lock file so the version that runs is the one you tested".to_string(),
                };
                out.push(
                    Finding::new(self.code(), m.location.clone(), message)
                        .help(help)
                        .severity_hint(severity)
                        .fingerprint(format!("unpinned:{}:{}", risk.id, m.name)),
                );
            }
        }
    }
}
