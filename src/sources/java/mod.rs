//! Java: `pom.xml` (properties interpolated, dependencyManagement, profiles; each fact at
//! the line where its version is written, before interpolation), `gradle.lockfile`,
//! `build.gradle(.kts)` simple declarations and version catalogs (`libs.versions.toml`).

mod gradle;
mod pom;

pub use gradle::{GradleBuildParser, GradleLockParser, VersionCatalogParser};
pub use pom::PomParser;
