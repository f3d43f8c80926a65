use super::analysis::evidence_note;
use super::usage::trigger;
use crate::findings::{Finding, Severity};
use crate::inventory::{DepSource, Ecosystem};
use crate::knowledge::clients::Evidence;
use crate::rules::{Rule, RuleContext};

/// A client whose version a BOM or parent POM sets (Spring Boot's parent and the Lettuce that
/// `spring-boot-starter-data-redis` pulls in): no lock file names the version that runs, so
/// the finding says which driver line the BOM manages — with the risks of that line — or asks
/// for `mvn dependency:tree`.
pub struct ManagedClientVersion;

/// The command that shows the Lettuce a build really resolves, in the build's own tool.
fn tree(file: &str) -> &'static str {
    if file.ends_with(".gradle") || file.ends_with(".gradle.kts") {
        "./gradlew dependencyInsight --dependency lettuce-core --configuration runtimeClasspath"
    } else {
        "mvn dependency:tree -Dincludes=io.lettuce:lettuce-core"
    }
}

impl Rule for ManagedClientVersion {
    fn code(&self) -> &'static str {
        "DEP006"
    }

    fn check(&self, cx: &RuleContext, out: &mut Vec<Finding>) {
        let Ok(clients) = cx.knowledge.clients() else { return };
        for d in &cx.inventory.dependencies {
            if d.ecosystem != Ecosystem::Maven || d.source != DepSource::Manifest || d.managed_by.is_empty() || d.dev {
                continue;
            }
            let rows: Vec<_> = clients.managed.iter().filter(|m| m.packages.iter().any(|p| p == &d.name)).collect();
            if rows.is_empty() {
                continue;
            }
            let found = d.managed_by.iter().find_map(|bom| {
                let v = bom.version.as_deref()?;
                rows.iter().find(|m| m.applies(&bom.name, v)).map(|m| (bom, v, *m))
            });
            let tree = tree(&d.location.file);
            let Some((bom, bom_version, row)) = found else {
                // Managed by a BOM the table has no row for (or an unknown version of it).
                let bom = &d.managed_by[0];
                // A BOM named by coordinates has a version, written or not; a platform outside
                // the file is only a description.
                let version = match (&bom.version, bom.name.contains(':')) {
                    (Some(v), _) => format!(" {v}"),
                    (None, true) => " (no version written)".to_string(),
                    (None, false) => String::new(),
                };
                out.push(
                    Finding::new(
                        self.code(),
                        d.location.clone(),
                        format!(
                            "{} has no version here: {}{version} sets it, and which Lettuce that pulls in is not in the tool's table",
                            d.name, bom.name
                        ),
                    )
                    .help(format!(
                        "run `{tree}` to see the version that runs: Lettuce 7.0.0.RELEASE and later send a maintenance-notifications probe Valkey refuses on every connection"
                    ))
                    .severity_hint(Severity::Info)
                    .fingerprint(format!("managed:{}", d.name)),
                );
                continue;
            };
            let Some(client) = clients.by_id(&row.client) else { continue };
            // The same build file declares the driver with its own version: that version wins
            // over the BOM's, and DEP001 judges it.
            let pinned_here = cx.inventory.dependencies.iter().any(|x| {
                x.location.file == d.location.file
                    && x.version.is_some()
                    && client.packages.iter().any(|p| p == &x.name)
            });
            if pinned_here {
                continue;
            }
            let unverified = row.evidence == Evidence::Unverified;
            let caveat =
                if unverified { " (UNVERIFIED: not confirmed against the BOM's published versions)" } else { "" };
            let managed = format!(
                "{} has no version here: {} {bom_version} manages it and pulls in {} {}{caveat}",
                d.name, bom.name, client.display, row.line
            );
            let risks: Vec<_> = client.risks_at(&row.version).collect();
            let mut f = if risks.is_empty() {
                Finding::new(
                    self.code(),
                    d.location.clone(),
                    format!("{managed}, which has no known Valkey risk; Lettuce 7.0.0.RELEASE and later send a maintenance-notifications probe on every connection"),
                )
                .help(format!(
                    "run `{tree}` to confirm the version that runs, especially if the project overrides `lettuce.version` [{}]",
                    row.sources[0]
                ))
                .severity_hint(Severity::Info)
            } else {
                let risk = risks[0];
                let code = trigger(cx.inventory, client, risk, d.dir());
                let severity = if unverified { Severity::Info } else { code.severity(risk) };
                let mut help = format!("run `{tree}` to confirm the version that runs");
                if let Some(w) = code.workaround(cx.inventory, client, risk, d.dir()) {
                    help.push_str(&format!("; workaround: {w}"));
                }
                help.push_str(&format!(" [{}; {}; {}]", evidence_note(risk), risk.sources[0], row.sources[0]));
                Finding::new(
                    self.code(),
                    d.location.clone(),
                    format!("{managed}: {} {}", risk.effect, code.clause(risk)),
                )
                .help(help)
                .severity_hint(severity)
            };
            f = f.fingerprint(format!("managed:{}:{}@{bom_version}", d.name, bom.name));
            out.push(f);
        }
    }
}
