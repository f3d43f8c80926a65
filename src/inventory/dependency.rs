use crate::location::Location;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Ecosystem {
    Npm,
    Pypi,
    Go,
    Cargo,
    Rubygems,
    Packagist,
    Maven,
    Nuget,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DepSource {
    Lockfile,
    Manifest,
}

/// A package the repository depends on, as one file declares or resolves it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Dependency {
    pub ecosystem: Ecosystem,
    pub name: String,
    /// The exact resolved version (lock files, exact pins); never guessed.
    pub version: Option<String>,
    /// The declared range, as written in a manifest.
    pub requirement: Option<String>,
    pub direct: bool,
    pub source: DepSource,
    #[serde(flatten)]
    pub location: Location,
}
