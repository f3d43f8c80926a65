//! Parsers: bytes in, facts out. One module per format family. A parser never judges; it
//! records what a file says, with the location of every fact, and a diagnostic for what it
//! cannot read.

pub mod cargo;
pub mod code;
pub mod containers;
pub mod dotnet;
#[cfg(test)]
mod ecosystem_tests;
mod file;
pub mod golang;
pub mod java;
pub mod npm;
pub mod php;
pub mod pkg;
pub mod python;
pub mod ruby;
pub mod server_config;
pub mod terraform;

pub use file::{Facts, ParseContext, SourceFile, io_reason as file_io_reason};

use crate::scan::ScannedFile;

/// Whether a parser wants a file, decided from its path alone so that files nobody wants are
/// never read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    No,
    Yes,
    /// The name is ambiguous (`*.conf`, `*.yaml`): read it and ask `sniff`.
    Sniff,
}

pub trait SourceParser: Sync + Send {
    /// Stable identifier, e.g. `server-config`; used in diagnostics and `--dump` output.
    fn id(&self) -> &'static str;

    /// `rel_path` is relative to the scan root with `/` separators; `file_name` is its last part.
    fn claim(&self, rel_path: &str, file_name: &str) -> Claim;

    /// Files with NUL bytes are read anyway (others are skipped as binary).
    fn reads_nul_bytes(&self) -> bool {
        false
    }

    /// For `Claim::Sniff`: whether the content is really this format.
    fn sniff(&self, _src: &SourceFile) -> bool {
        true
    }

    fn parse(&self, src: &SourceFile, cx: &ParseContext, out: &mut Facts);

    /// Parsers that need all their files at once (every `.tf` of a directory, say) return
    /// true and implement `parse_group`; the others are run file by file in parallel.
    fn grouped(&self) -> bool {
        false
    }

    fn parse_group(&self, files: &[SourceFile], cx: &ParseContext, out: &mut Facts) {
        for f in files {
            self.parse(f, cx, out);
        }
    }
}

/// Every parser, in a fixed order (the order facts from one file are produced in).
pub fn registry() -> Vec<&'static dyn SourceParser> {
    vec![
        &server_config::ServerConfigParser,
        &npm::PackageJsonParser,
        &npm::PackageLockParser,
        &npm::YarnLockParser,
        &npm::PnpmLockParser,
        &python::RequirementsParser,
        &python::PyprojectParser,
        &python::PoetryLockParser,
        &python::UvLockParser,
        &python::PipfileParser,
        &python::PipfileLockParser,
        &golang::GoModParser,
        &cargo::CargoTomlParser,
        &cargo::CargoLockParser,
        &ruby::GemfileParser,
        &ruby::GemfileLockParser,
        &php::ComposerJsonParser,
        &php::ComposerLockParser,
        &java::PomParser,
        &java::GradleLockParser,
        &java::GradleBuildParser,
        &java::VersionCatalogParser,
        &dotnet::MsBuildParser,
        &dotnet::PackagesLockParser,
        &terraform::TerraformParser,
        &code::CodeParser,
        &containers::ContainerYamlParser,
        &containers::DockerfileParser,
    ]
}

/// The parsers that claim a file, with whether each needs sniffing.
pub fn claims(file: &ScannedFile, parsers: &[&'static dyn SourceParser]) -> Vec<(usize, Claim)> {
    parsers
        .iter()
        .enumerate()
        .filter_map(|(i, p)| match p.claim(&file.rel, file.file_name()) {
            Claim::No => None,
            c => Some((i, c)),
        })
        .collect()
}
