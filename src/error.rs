//! Errors a user can cause (bad path, bad config file, bad flag value): reported with a
//! location and a hint, exit code 2.

use crate::location::Location;

#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct UserError {
    pub message: String,
    pub help: Option<String>,
    /// Where in which text, for a snippet (boxed: errors travel in every `Result`).
    pub context: Option<Box<ErrorContext>>,
}

#[derive(Debug, Clone)]
pub struct ErrorContext {
    pub location: Location,
    /// The text of the file `location` points into.
    pub source_text: Option<String>,
}

impl UserError {
    pub fn new(message: impl Into<String>) -> Self {
        UserError { message: message.into(), help: None, context: None }
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn at(mut self, location: Location, source_text: impl Into<String>) -> Self {
        self.context = Some(Box::new(ErrorContext { location, source_text: Some(source_text.into()) }));
        self
    }
}

impl From<crate::knowledge::KnowledgeError> for UserError {
    fn from(e: crate::knowledge::KnowledgeError) -> Self {
        let context = e.location.map(|location| Box::new(ErrorContext { location: *location, source_text: None }));
        UserError { message: e.message, help: e.help, context }
    }
}

/// Edit distance, for "did you mean" hints on misspelt codes and names.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let word = word.to_ascii_lowercase();
    candidates
        .into_iter()
        .map(|c| (strsim::levenshtein(&word, &c.to_ascii_lowercase()), c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 4))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}
