use super::analysis::Index;
use crate::findings::Finding;
use crate::inventory::DepSource;
use crate::knowledge::clients::ClientKind;
use crate::rules::{Rule, RuleContext};
use std::collections::HashSet;

/// A Redis client that has a Valkey-native counterpart in the same ecosystem.
pub struct ValkeyNativeClient;

impl Rule for ValkeyNativeClient {
    fn code(&self) -> &'static str {
        "DEP005"
    }

    fn check(&self, cx: &RuleContext, out: &mut Vec<Finding>) {
        let Ok(clients) = cx.knowledge.clients() else { return };
        let index = Index::new(cx.inventory, &clients);
        // Projects (directories) that already use a Valkey-native client get no advice.
        let native_dirs: HashSet<(crate::inventory::Ecosystem, &str)> = index
            .all_indexed()
            .filter(|d| clients.client_for(d).is_some_and(|c| c.kind == ClientKind::ValkeyNative))
            .map(|d| (d.ecosystem, d.dir()))
            .collect();
        let mut seen = HashSet::new();
        let mut candidates: Vec<_> = index
            .all_indexed()
            .filter(|d| d.source == DepSource::Manifest || (d.direct && index.manifest_for(d).is_none()))
            .collect();
        candidates.sort_by(|a, b| {
            (a.source == DepSource::Lockfile, &a.location).cmp(&(b.source == DepSource::Lockfile, &b.location))
        });
        for d in candidates {
            let Some(client) = clients.client_for(d) else { continue };
            if client.kind != ClientKind::Client || client.alternatives.is_empty() {
                continue;
            }
            if native_dirs.iter().any(|(eco, dir)| *eco == d.ecosystem && super::analysis::is_within(dir, d.dir())) {
                continue;
            }
            if !seen.insert((d.dir().to_string(), client.id.clone())) {
                continue;
            }
            let alts: Vec<String> = client
                .alternatives
                .iter()
                .filter_map(|a| clients.by_id(&a.id).map(|native| (a, native)))
                .map(|(a, native)| format!("{} ({}): {}", native.display, native.packages.join(" / "), a.migration))
                .collect();
            out.push(
                Finding::new(
                    self.code(),
                    d.location.clone(),
                    format!("{} has a Valkey-native alternative: {}", client.display, alts.join("; ")),
                )
                .help("nothing is wrong with staying; a Valkey-native client follows Valkey's features and fixes first")
                .fingerprint(format!("native:{}", client.id)),
            );
        }
    }
}
