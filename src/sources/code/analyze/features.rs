//! Client features in code (`rules/client-features.toml`): client-side caching, RESP3,
//! Sentinel, cluster clients, maintenance-notification opt-outs — the facts that decide
//! whether a conditional client risk happens.

use super::super::lexer::Kind;
use super::Analysis;
use crate::inventory::ClientFeature;
use crate::knowledge::client_features::FeaturePattern;
use crate::knowledge::modules::Lang;
use crate::sources::Facts;

impl Analysis<'_> {
    /// Matches the feature patterns that start at token `i`.
    pub(super) fn features_at(&mut self, i: usize, out: &mut Facts) {
        let catalog = self.vocab.features.clone();
        let t = self.tokens[i];
        match t.kind {
            Kind::Str => {
                // Connection-string options are few and per language: most files have none to look for.
                if !catalog.in_strings.iter().any(|&p| catalog.patterns[p].lang.contains(&self.lang)) {
                    return;
                }
                let lower = self.text(i).to_ascii_lowercase();
                for &p in &catalog.in_strings {
                    let pat = &catalog.patterns[p];
                    let needle = pat.string_contains.as_deref().unwrap_or_default().to_ascii_lowercase();
                    if pat.lang.contains(&self.lang) && memchr::memmem::find(&lower, needle.as_bytes()).is_some() {
                        self.feature(pat, i..i + 1, out);
                    }
                }
            }
            Kind::Ident | Kind::Punct(_) | Kind::Other => {
                let Ok(text) = std::str::from_utf8(self.text(i)) else { return };
                for &p in catalog.starting_with(text) {
                    let pat = &catalog.patterns[p];
                    if pat.lang.contains(&self.lang) && self.tokens_match(i, pat) && !self.in_import(i) {
                        self.feature(pat, i..i + pat.tokens.len(), out);
                    }
                }
            }
        }
    }

    fn tokens_match(&self, i: usize, pat: &FeaturePattern) -> bool {
        for (k, want) in pat.tokens.iter().enumerate() {
            let Some(t) = self.tokens.get(i + k) else { return false };
            let text = &self.bytes[t.range()];
            let ok = match want.strip_prefix('\'').and_then(|w| w.strip_suffix('\'')) {
                Some(content) => t.kind == Kind::Str && text == content.as_bytes(),
                None => t.kind != Kind::Str && text == want.as_bytes(),
            };
            // `protocol == 3` compares; it does not set an option.
            if !ok || (want == "=" && self.punct_at(i + k + 1) == Some(b'=')) {
                return false;
            }
        }
        if pat.argument {
            let before = self.punct_before(i);
            let property_set = before == Some(b'.') && self.lang != Lang::Python;
            if !(matches!(before, Some(b'(' | b',' | b'{')) || property_set) {
                return false;
            }
        }
        pat.within.is_empty() || self.enclosing_callee(i).is_some_and(|c| pat.within.iter().any(|w| w.as_bytes() == c))
    }

    /// The name before the nearest unclosed `(` or `{` left of token `i`.
    fn enclosing_callee(&self, i: usize) -> Option<&[u8]> {
        let mut depth = 0i32;
        for j in (i.saturating_sub(256)..i).rev() {
            match self.tokens[j].kind {
                Kind::Punct(b')' | b'}' | b']') => depth += 1,
                Kind::Punct(b'(' | b'{' | b'[') if depth > 0 => depth -= 1,
                Kind::Punct(b'(' | b'{') => {
                    let k = j.checked_sub(1)?;
                    return (self.tokens[k].kind == Kind::Ident).then(|| &self.bytes[self.tokens[k].range()]);
                }
                Kind::Punct(b'[') => return None,
                _ => {}
            }
        }
        None
    }

    fn feature(&self, pat: &FeaturePattern, tokens: std::ops::Range<usize>, out: &mut Facts) {
        let start = self.tokens[tokens.start].start as usize;
        let end = self.tokens[tokens.end - 1].end as usize;
        out.inventory.client_features.push(ClientFeature {
            feature: pat.feature,
            clients: pat.clients.clone(),
            option: pat.option.clone(),
            location: self.src.location(start..end),
        });
    }
}
