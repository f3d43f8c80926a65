//! Version orderings and requirement ranges, one module per ecosystem. npm ranges, PEP 440,
//! Cargo/Go semver, Maven, NuGet, RubyGems and Composer each order versions their own way;
//! comparing them with the wrong rules gives wrong findings, so every comparison goes
//! through the ecosystem's own ordering.

mod composer;
mod maven;
mod nuget;
mod pypi;
mod rubygems;

use crate::inventory::Ecosystem;
use std::cmp::Ordering;

/// Compares two versions under the ordering of `eco`; `None` when either is not a version
/// of that ecosystem (a git ref, a branch name).
pub fn compare(eco: Ecosystem, a: &str, b: &str) -> Option<Ordering> {
    match eco {
        Ecosystem::Npm => {
            let (a, b) = (npm_version(a)?, npm_version(b)?);
            Some(a.cmp(&b))
        }
        Ecosystem::Pypi => Some(pypi::parse_version(a)?.cmp(&pypi::parse_version(b)?)),
        Ecosystem::Go | Ecosystem::Cargo => Some(semver_version(a)?.cmp_precedence(&semver_version(b)?)),
        Ecosystem::Maven => Some(maven::MavenVersion::parse(a).cmp(&maven::MavenVersion::parse(b))),
        Ecosystem::Nuget => Some(nuget::NugetVersion::parse(a)?.cmp(&nuget::NugetVersion::parse(b)?)),
        Ecosystem::Rubygems => Some(rubygems::GemVersion::parse(a)?.cmp(&rubygems::GemVersion::parse(b)?)),
        Ecosystem::Packagist => Some(composer::ComposerVersion::parse(a)?.cmp(&composer::ComposerVersion::parse(b)?)),
    }
}

/// True when `version` lies in `[introduced, fixed)` under the ecosystem's ordering
/// (`introduced = "0"` means from the first version; no `fixed` means not fixed yet).
pub fn in_band(eco: Ecosystem, version: &str, introduced: &str, fixed: Option<&str>) -> Option<bool> {
    let from = introduced == "0" || compare(eco, version, introduced)? != Ordering::Less;
    let below = match fixed {
        Some(f) => compare(eco, version, f)? == Ordering::Less,
        None => true,
    };
    Some(from && below)
}

/// Whether a string is a version of the ecosystem (not a range, tag or git ref).
pub fn is_version(eco: Ecosystem, v: &str) -> bool {
    compare(eco, v, v).is_some()
}

fn npm_version(v: &str) -> Option<nodejs_semver::Version> {
    nodejs_semver::Version::parse(v.trim().trim_start_matches('v')).ok()
}

fn semver_version(v: &str) -> Option<semver::Version> {
    semver::Version::parse(v.trim().trim_start_matches('v')).ok()
}

/// A declared range, parsed with the ecosystem's own syntax.
#[derive(Debug, Clone)]
pub struct Requirement {
    eco: Ecosystem,
    inner: Inner,
}

#[derive(Debug, Clone)]
enum Inner {
    /// The range, and the version when the text is a bare version (an exact pin).
    Npm(nodejs_semver::Range, Option<String>),
    Pypi(pypi::Specifiers),
    Cargo(semver::VersionReq),
    /// Go's `require` is a minimum under minimal version selection.
    GoMinimum(semver::Version),
    Maven(maven::MavenRange),
    Nuget(nuget::NugetRange),
    Rubygems(rubygems::GemRequirement),
    Composer(composer::ComposerConstraint),
}

impl Requirement {
    pub fn parse(eco: Ecosystem, text: &str) -> Result<Self, String> {
        let t = text.trim();
        let inner = match eco {
            Ecosystem::Npm => {
                let range = nodejs_semver::Range::parse(t).map_err(|_| format!("'{t}' is not an npm range"))?;
                let pin = npm_version(t.trim_start_matches('=')).map(|v| v.to_string());
                Inner::Npm(range, pin)
            }
            Ecosystem::Pypi => Inner::Pypi(pypi::Specifiers::parse(t)?),
            Ecosystem::Cargo => Inner::Cargo(
                semver::VersionReq::parse(t).map_err(|e| format!("'{t}' is not a Cargo requirement: {e}"))?,
            ),
            Ecosystem::Go => {
                Inner::GoMinimum(semver_version(t).ok_or_else(|| format!("'{t}' is not a Go module version"))?)
            }
            Ecosystem::Maven => Inner::Maven(maven::MavenRange::parse(t)?),
            Ecosystem::Nuget => Inner::Nuget(nuget::NugetRange::parse(t)?),
            Ecosystem::Rubygems => Inner::Rubygems(rubygems::GemRequirement::parse(t)?),
            Ecosystem::Packagist => Inner::Composer(composer::ComposerConstraint::parse(t)?),
        };
        Ok(Requirement { eco, inner })
    }

    pub fn ecosystem(&self) -> Ecosystem {
        self.eco
    }

    /// Whether the range lets the package manager install `version`; `None` when `version`
    /// is not a version of the ecosystem.
    pub fn allows(&self, version: &str) -> Option<bool> {
        Some(match &self.inner {
            Inner::Npm(r, _) => r.satisfies(&npm_version(version)?),
            Inner::Pypi(s) => s.contains(&pypi::parse_version(version)?),
            Inner::Cargo(r) => r.matches(&semver_version(version)?),
            Inner::GoMinimum(min) => semver_version(version)?.cmp_precedence(min) != Ordering::Less,
            Inner::Maven(r) => r.allows(&maven::MavenVersion::parse(version)),
            Inner::Nuget(r) => r.allows(&nuget::NugetVersion::parse(version)?),
            Inner::Rubygems(r) => r.allows(&rubygems::GemVersion::parse(version)?),
            Inner::Composer(c) => c.allows(&composer::ComposerVersion::parse(version)?),
        })
    }

    /// The one version the range admits, when it is an exact pin (`==1.2.3`, `1.2.3` in
    /// package.json, `[1.2.3]`, a Maven soft requirement).
    pub fn exact(&self) -> Option<String> {
        match &self.inner {
            Inner::Npm(_, pin) => pin.clone(),
            Inner::Pypi(s) => s.exact(),
            Inner::Cargo(r) => match r.comparators.as_slice() {
                [c] if c.op == semver::Op::Exact && c.minor.is_some() && c.patch.is_some() => {
                    Some(format!("{}.{}.{}", c.major, c.minor?, c.patch?))
                }
                _ => None,
            },
            Inner::GoMinimum(v) => Some(format!("v{v}")),
            Inner::Maven(r) => r.exact(),
            Inner::Nuget(r) => r.exact(),
            Inner::Rubygems(r) => r.exact(),
            Inner::Composer(c) => c.exact(),
        }
    }

    /// The lowest version the range admits, when the syntax says it (used to test whether a
    /// range reaches down into an affected band).
    pub fn floor(&self) -> Option<String> {
        match &self.inner {
            Inner::Npm(r, _) => r.min_version().map(|v| v.to_string()),
            Inner::Pypi(s) => s.floor(),
            Inner::Cargo(r) => r
                .comparators
                .iter()
                .find(|c| !matches!(c.op, semver::Op::Less | semver::Op::LessEq))
                .map(|c| format!("{}.{}.{}", c.major, c.minor.unwrap_or(0), c.patch.unwrap_or(0))),
            Inner::GoMinimum(v) => Some(format!("v{v}")),
            Inner::Maven(r) => r.floor(),
            Inner::Nuget(r) => r.floor(),
            Inner::Rubygems(r) => r.floor(),
            Inner::Composer(c) => c.floor(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Ecosystem::*;

    #[test]
    fn each_ecosystem_orders_its_own_way() {
        // Lexical order would say 5.10.0 < 5.9.0.
        assert_eq!(compare(Npm, "5.10.0", "5.9.0"), Some(Ordering::Greater));
        assert_eq!(compare(Npm, "6.0.0-beta.1", "6.0.0"), Some(Ordering::Less));
        assert_eq!(compare(Pypi, "8.0.0b1", "8.0.0"), Some(Ordering::Less));
        assert_eq!(compare(Pypi, "5.0", "5.0.0"), Some(Ordering::Equal));
        assert_eq!(compare(Go, "v9.16.0", "v9.7.3"), Some(Ordering::Greater));
        assert_eq!(compare(Go, "v2.0.0+incompatible", "v2.0.0"), Some(Ordering::Equal));
        assert_eq!(compare(Maven, "6.3.0.RELEASE", "6.3.0"), Some(Ordering::Equal));
        assert_eq!(compare(Maven, "7.0.0.BETA1", "7.0.0.RELEASE"), Some(Ordering::Less));
        assert_eq!(compare(Nuget, "2.12.27", "2.8.0"), Some(Ordering::Greater));
        assert_eq!(compare(Nuget, "2.12.27.0", "2.12.27"), Some(Ordering::Equal));
        assert_eq!(compare(Rubygems, "5.0.0.rc1", "5.0.0"), Some(Ordering::Less));
        assert_eq!(compare(Packagist, "v3.0.0", "2.4.1"), Some(Ordering::Greater));
        assert_eq!(compare(Npm, "github:luin/ioredis", "5.0.0"), None);
    }

    #[test]
    fn bands_are_half_open() {
        assert_eq!(in_band(Nuget, "2.12.26", "0", Some("2.12.27")), Some(true));
        assert_eq!(in_band(Nuget, "2.12.27", "0", Some("2.12.27")), Some(false));
        assert_eq!(in_band(Npm, "6.3.1", "6.0.0", None), Some(true));
        assert_eq!(in_band(Npm, "5.12.1", "6.0.0", None), Some(false));
    }

    #[test]
    fn requirements_per_ecosystem() {
        let r = Requirement::parse(Npm, "^5.8.0").unwrap();
        assert_eq!(r.allows("5.12.1"), Some(true));
        assert_eq!(r.allows("6.0.0"), Some(false));
        assert_eq!(r.exact(), None);
        assert_eq!(r.floor().as_deref(), Some("5.8.0"));
        assert_eq!(Requirement::parse(Npm, "5.8.0").unwrap().exact().as_deref(), Some("5.8.0"));
        assert_eq!(Requirement::parse(Npm, ">=5.8.0").unwrap().exact(), None);

        let r = Requirement::parse(Pypi, ">=4.2,<6").unwrap();
        assert_eq!(r.allows("5.0.1"), Some(true));
        assert_eq!(r.allows("6.0.0"), Some(false));
        assert_eq!(Requirement::parse(Pypi, "==5.0.1").unwrap().exact().as_deref(), Some("5.0.1"));
        // Poetry's own syntax in [tool.poetry.dependencies].
        let r = Requirement::parse(Pypi, "^5.0").unwrap();
        assert_eq!((r.allows("5.9"), r.allows("6.0")), (Some(true), Some(false)));

        let r = Requirement::parse(Cargo, "0.24").unwrap();
        assert_eq!((r.allows("0.24.5"), r.allows("0.25.0")), (Some(true), Some(false)));
        assert_eq!(Requirement::parse(Cargo, "=0.25.1").unwrap().exact().as_deref(), Some("0.25.1"));

        let r = Requirement::parse(Maven, "[6.0,7.0)").unwrap();
        assert_eq!((r.allows("6.8.1.RELEASE"), r.allows("7.0.0.RELEASE")), (Some(true), Some(false)));
        assert_eq!(Requirement::parse(Maven, "6.3.0.RELEASE").unwrap().exact().as_deref(), Some("6.3.0.RELEASE"));

        let r = Requirement::parse(Nuget, "2.8.0").unwrap();
        assert_eq!((r.allows("2.12.27"), r.allows("2.7.9")), (Some(true), Some(false)));
        assert_eq!(r.floor().as_deref(), Some("2.8.0"));
        let r = Requirement::parse(Nuget, "2.*").unwrap();
        assert_eq!((r.allows("2.12.27"), r.allows("3.0.0")), (Some(true), Some(false)));

        let r = Requirement::parse(Rubygems, "~> 4.8").unwrap();
        assert_eq!((r.allows("4.9.1"), r.allows("5.0.0")), (Some(true), Some(false)));

        let r = Requirement::parse(Packagist, "^2.1 || ^3.0").unwrap();
        assert_eq!((r.allows("3.6.0"), r.allows("2.0.9"), r.allows("4.0.0")), (Some(true), Some(false), Some(false)));

        let r = Requirement::parse(Go, "v9.7.0").unwrap();
        assert_eq!(r.allows("v9.16.0"), Some(true));
    }
}
