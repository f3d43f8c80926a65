//! How code turns on the client features some Valkey risks depend on
//! (`rules/client-features.toml`): token patterns per client and language, read by the code
//! scanner, which records every match as a `ClientFeature` fact.

use super::{Knowledge, KnowledgeError};
use crate::inventory::Feature;
use crate::knowledge::modules::Lang;
use serde::Deserialize;
use std::collections::HashMap;

const FILE: &str = "client-features.toml";

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeaturePattern {
    pub feature: Feature,
    /// Client ids of `rules/clients.toml` the option belongs to.
    pub clients: Vec<String>,
    pub lang: Vec<Lang>,
    /// The option as a finding quotes it.
    pub option: String,
    /// Token texts in order; `'x'` matches a string literal whose content is `x`.
    #[serde(default)]
    pub tokens: Vec<String>,
    /// The first token must be a keyword argument or an option field: after `(`, `,` or `{`
    /// (or `.` outside Python, a property set: `options.ServiceName = …`).
    #[serde(default)]
    pub argument: bool,
    /// The nearest enclosing `(` or `{` follows one of these names (a client constructor).
    #[serde(default)]
    pub within: Vec<String>,
    /// Instead of tokens: a string literal containing this text, case-insensitive (a
    /// connection string's `serviceName=`).
    #[serde(default)]
    pub string_contains: Option<String>,
    pub source: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FeaturesFile {
    #[serde(rename = "pattern")]
    patterns: Vec<FeaturePattern>,
}

#[derive(Debug)]
pub struct ClientFeatureCatalog {
    pub patterns: Vec<FeaturePattern>,
    /// First token text → token patterns starting with it.
    by_first: HashMap<String, Vec<usize>>,
    /// Patterns matched against string literals.
    pub in_strings: Vec<usize>,
}

impl ClientFeatureCatalog {
    pub fn load(knowledge: &Knowledge) -> Result<Self, KnowledgeError> {
        // Client ids are checked against the shipped table in a test, not here: a user's
        // --rules-dir clients.toml must not stop the code scanner.
        let file: FeaturesFile = knowledge.parse_toml(FILE)?;
        let invalid = |message: String| KnowledgeError {
            message: format!("{}: {message}", knowledge.origin(FILE)),
            origin: knowledge.origin(FILE),
            location: None,
            help: Some("fix the pattern in client-features.toml".into()),
        };
        let mut by_first: HashMap<String, Vec<usize>> = HashMap::new();
        let mut in_strings = Vec::new();
        for (i, p) in file.patterns.iter().enumerate() {
            match (p.tokens.first(), &p.string_contains) {
                (Some(first), None) => by_first.entry(first.clone()).or_default().push(i),
                (None, Some(_)) => in_strings.push(i),
                _ => return Err(invalid(format!("pattern `{}` needs either tokens or string_contains", p.option))),
            }
        }
        Ok(ClientFeatureCatalog { patterns: file.patterns, by_first, in_strings })
    }

    /// Token patterns whose first token is `text`.
    pub fn starting_with(&self, text: &str) -> &[usize] {
        self.by_first.get(text).map_or(&[], Vec::as_slice)
    }
}

impl crate::knowledge::View for ClientFeatureCatalog {
    fn build(knowledge: &Knowledge) -> Result<Self, KnowledgeError> {
        ClientFeatureCatalog::load(knowledge)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_patterns_load() {
        let k = Knowledge::embedded().unwrap();
        let c = k.view::<ClientFeatureCatalog>().unwrap();
        for f in [Feature::ClientSideCaching, Feature::Resp3, Feature::Sentinel, Feature::Cluster] {
            assert!(c.patterns.iter().any(|p| p.feature == f), "{f:?}");
        }
        assert!(!c.starting_with("cache_config").is_empty());
        assert!(!c.in_strings.is_empty());
        let clients = k.clients().unwrap();
        for p in &c.patterns {
            for id in &p.clients {
                assert!(clients.by_id(id).is_some(), "pattern `{}` names unknown client `{id}`", p.option);
            }
        }
    }
}
