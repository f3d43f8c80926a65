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

impl Ecosystem {
    pub fn as_str(self) -> &'static str {
        match self {
            Ecosystem::Npm => "npm",
            Ecosystem::Pypi => "pypi",
            Ecosystem::Go => "go",
            Ecosystem::Cargo => "cargo",
            Ecosystem::Rubygems => "rubygems",
            Ecosystem::Packagist => "packagist",
            Ecosystem::Maven => "maven",
            Ecosystem::Nuget => "nuget",
        }
    }

    /// Package names that the ecosystem treats as equal (PyPI normalises case and `-_.`,
    /// NuGet ignores case), so a lock-file entry and a manifest line can be matched.
    pub fn normalize_name(self, name: &str) -> String {
        match self {
            Ecosystem::Pypi => {
                let mut out = String::with_capacity(name.len());
                let mut last_sep = false;
                for c in name.chars() {
                    if matches!(c, '-' | '_' | '.') {
                        if !last_sep {
                            out.push('-');
                        }
                        last_sep = true;
                    } else {
                        out.push(c.to_ascii_lowercase());
                        last_sep = false;
                    }
                }
                out
            }
            Ecosystem::Nuget | Ecosystem::Packagist | Ecosystem::Rubygems => name.to_ascii_lowercase(),
            _ => name.to_string(),
        }
    }
}

impl std::fmt::Display for Ecosystem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DepSource {
    Lockfile,
    Manifest,
}

/// Where a dependency comes from when it is not a registry package with a version: such
/// dependencies are recorded without a version, never with a guessed one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DepOrigin {
    Git,
    /// A local directory or file (`file:`, `path =`, `link:`, a `replace` to a directory).
    Path,
    /// A package of the same workspace or monorepo (`workspace:`, npm links).
    Workspace,
    /// A tarball or archive URL.
    Url,
}

/// A BOM or parent POM that may set the version of a dependency declared without one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManagedBy {
    /// `group:artifact` of the BOM or parent, e.g. `org.springframework.boot:spring-boot-starter-parent`.
    pub name: String,
    /// Its version as declared (after property interpolation); `None` when not written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

/// A package the repository depends on, as one file declares or resolves it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Dependency {
    pub ecosystem: Ecosystem,
    /// The real package name (npm aliases resolved; Maven `group:artifact`; Go module path).
    pub name: String,
    /// The exact resolved version (lock files, exact pins); never guessed.
    pub version: Option<String>,
    /// The declared range, as written in a manifest (after property interpolation for Maven).
    pub requirement: Option<String>,
    pub direct: bool,
    pub source: DepSource,
    /// Set for dependencies that do not come from the registry (git, path, workspace, url).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<DepOrigin>,
    /// The name the project uses when it differs from `name` (an npm alias
    /// `"redis4": "npm:redis@4"`), or the text before interpolation (`${redis.version}`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub declared_as: Option<String>,
    /// Only needed to develop or test (npm devDependencies, Poetry dev groups, Maven `test`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub dev: bool,
    /// For a dependency declared without a version: the imported BOMs and the parent POM that
    /// may manage it, in the order Maven consults them (imports, then the parent).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub managed_by: Vec<ManagedBy>,
    #[serde(flatten)]
    pub location: Location,
}

impl Dependency {
    pub fn new(ecosystem: Ecosystem, name: impl Into<String>, source: DepSource, location: Location) -> Self {
        Dependency {
            ecosystem,
            name: name.into(),
            version: None,
            requirement: None,
            direct: source == DepSource::Manifest,
            source,
            origin: None,
            declared_as: None,
            dev: false,
            managed_by: Vec::new(),
            location,
        }
    }

    pub fn version(mut self, v: impl Into<String>) -> Self {
        self.version = Some(v.into());
        self
    }

    pub fn requirement(mut self, r: impl Into<String>) -> Self {
        self.requirement = Some(r.into());
        self
    }

    pub fn direct(mut self, direct: bool) -> Self {
        self.direct = direct;
        self
    }

    pub fn origin(mut self, origin: DepOrigin) -> Self {
        self.origin = Some(origin);
        self
    }

    pub fn declared_as(mut self, alias: impl Into<String>) -> Self {
        self.declared_as = Some(alias.into());
        self
    }

    pub fn dev(mut self, dev: bool) -> Self {
        self.dev = dev;
        self
    }

    /// The directory of the file that holds this fact, `""` at the scan root.
    pub fn dir(&self) -> &str {
        crate::location::parent_dir(&self.location.file)
    }

    pub fn file_name(&self) -> &str {
        self.location.file.rsplit('/').next().unwrap_or(&self.location.file)
    }
}
