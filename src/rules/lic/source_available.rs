use crate::findings::Finding;
use crate::rules::img::{catalog, reference_text, resolve, server_label, valkey_target};
use crate::rules::{Rule, RuleContext};

/// A Redis image whose version carries a source-available licence (7.4: RSALv2/SSPLv1; 8.x:
/// RSALv2/SSPLv1/AGPLv3; Redis Stack and module images: RSAL), quoting the licence.
pub struct SourceAvailableRedis;

impl Rule for SourceAvailableRedis {
    fn code(&self) -> &'static str {
        "LIC001"
    }

    fn check(&self, cx: &RuleContext, out: &mut Vec<Finding>) {
        let Some(catalog) = catalog(cx, self.code(), out) else {
            return;
        };
        for fact in &cx.inventory.images {
            let Some(r) = resolve(&catalog, fact) else {
                continue;
            };
            if !r.info.is_redis() {
                continue;
            }
            let licences: Vec<_> = catalog.licences_of(&r).into_iter().filter(|l| !l.osi).collect();
            let Some(first) = licences.first() else {
                continue;
            };
            // Each licence with what it covers: the server's version decides the server's
            // licence; the image's own licence covers what it adds (Redis Stack's modules).
            let server_id = crate::knowledge::images::server_licence_id(&catalog, &r);
            let parts: Vec<String> = licences
                .iter()
                .map(|l| {
                    if Some(l.id.as_str()) == server_id.as_deref() {
                        format!("the Redis server is under {}", l.name)
                    } else if r.info.modules.is_empty() {
                        format!("the image is under the {}", l.name)
                    } else {
                        format!("its modules ({}) are under the {}", r.info.title, l.name)
                    }
                })
                .collect();
            let reference = reference_text(fact);
            let mut message = format!("{reference} runs {}: {}", server_label(&r), parts.join(", and "));
            match &first.osi_note {
                Some(note) => message.push_str(&format!(" ({note})")),
                None if licences.len() > 1 => message.push_str("; none of these is an open-source licence"),
                None => message.push_str(", not an open-source licence"),
            }
            let quotes: Vec<String> =
                licences.iter().map(|l| format!("\u{201c}{}\u{201d} ({})", l.quote, l.url())).collect();
            let to = valkey_target(cx).and_then(|_| catalog.replacement(&r, &cx.target));
            let mut help = quotes.join("; ");
            help.push_str(". Valkey is BSD-3-Clause in every version");
            if let Some(to) = to {
                help.push_str(&format!(": {to}"));
            }
            out.push(
                Finding::new(self.code(), fact.location.clone(), message)
                    .help(help)
                    .fingerprint(format!("lic:{}", fact.name)),
            );
        }
    }
}
