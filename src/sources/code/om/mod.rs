//! Object mappers (redis-om and redis-om-spring): the models one file defines and the calls
//! other files make on them. Neither half is a fact on its own — `Listing.find(…)` is a
//! RediSearch query only when `Listing` is a redis-om model — so each file records both
//! halves here and `link` joins them once every file has been read.

mod extract;
mod link;

pub use extract::extract;
pub use link::link;

use crate::knowledge::modules::Lang;
use crate::location::Location;

/// What the code scanner could not finish inside one file.
#[derive(Debug, Default, Clone)]
pub struct Links {
    pub models: Vec<Model>,
    pub subclasses: Vec<Subclass>,
    pub calls: Vec<Call>,
}

impl Links {
    pub fn extend(&mut self, other: Links) {
        self.models.extend(other.models);
        self.subclasses.extend(other.subclasses);
        self.calls.extend(other.calls);
    }

    pub fn is_empty(&self) -> bool {
        self.models.is_empty() && self.subclasses.is_empty() && self.calls.is_empty()
    }
}

/// A model class, a repository interface or a repository handle of an object mapper.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Model {
    /// Index into `ModuleCatalog::mappers`.
    pub mapper: usize,
    pub name: String,
    /// `json` or `hash`.
    pub kind: String,
    pub file: String,
}

/// `class Name(Base)` in Python, for models that inherit from a model of another file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subclass {
    pub name: String,
    pub base: String,
    pub file: String,
}

/// Where the name a call is made on comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// Defined in the calling file.
    SameFile,
    /// Imported from a module that is one of these files (relative imports).
    Files(Vec<String>),
    /// Imported from a module whose path ends with one of these (absolute Python imports).
    Suffixes(Vec<String>),
    /// A Java/Kotlin type name, visible from anywhere after an import.
    Type,
}

/// `Name.method(…)`, or `var.method(…)` where `var` is declared with the type `Name`.
#[derive(Debug, Clone)]
pub struct Call {
    pub lang: Lang,
    pub name: String,
    pub method: String,
    pub origin: Origin,
    pub location: Location,
}
