use crate::findings::{Finding, Severity};
use crate::knowledge::images::{Pinning, Product};
use crate::rules::{Rule, RuleContext};

/// A server image whose version is not pinned (no tag, `latest`, `alpine`, `7`), or whose tag
/// comes from a variable nothing in the repository sets.
pub struct FloatingImageTag;

impl Rule for FloatingImageTag {
    fn code(&self) -> &'static str {
        "IMG002"
    }

    fn check(&self, cx: &RuleContext, out: &mut Vec<Finding>) {
        let Some(catalog) = super::catalog(cx, self.code(), out) else {
            return;
        };
        for fact in &cx.inventory.images {
            let Some(r) = super::resolve(&catalog, fact) else {
                continue;
            };
            if r.info.product == Product::Falkordb {
                continue;
            }
            let reference = super::reference_text(fact);
            let finding = match r.pinning {
                Pinning::Latest | Pinning::Major => {
                    let tag = fact.tag.as_deref().map_or("no tag".to_string(), |t| format!("tag '{t}'"));
                    let meaning = r.floating_note.clone().unwrap_or_else(|| format!("{tag} follows new releases"));
                    let suggestion = match (r.info.is_redis(), super::valkey_target(cx)) {
                        (true, Some(_)) => catalog.replacement(&r, &cx.target),
                        _ => r.version.map(|v| format!("{}:{}", fact.image, v.line_text())),
                    };
                    let help = match suggestion {
                        Some(s) => format!("pin major and minor at least, e.g. {s}, or a full version or digest"),
                        None => "pin major and minor at least, or a full version or digest".into(),
                    };
                    Finding::new(
                        self.code(),
                        fact.location.clone(),
                        format!("{reference} is not pinned: {meaning}, and changes when the image is pulled again"),
                    )
                    .help(help)
                }
                Pinning::Unknown => {
                    let why = match (&fact.unresolved, &fact.tag) {
                        (Some(u), None) if u.starts_with('$') => {
                            format!("its tag comes from {u}, which nothing in the repository sets")
                        }
                        (Some(u), None) => format!("it has no tag here ({u} decides)"),
                        (_, Some(t)) => format!("tag '{t}' names no version"),
                        _ => "its version cannot be told".into(),
                    };
                    Finding::new(
                        self.code(),
                        fact.location.clone(),
                        format!("{reference}: {why}; the server version is unknown"),
                    )
                    .help("pin the version where the repository can see it, so licence, RDB and command checks can run")
                    .severity_hint(Severity::Info)
                }
                Pinning::Minor | Pinning::Exact | Pinning::Digest => continue,
            };
            out.push(finding.fingerprint(format!("tag:{reference}")));
        }
    }
}
