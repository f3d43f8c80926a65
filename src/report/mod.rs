//! Rendering findings. The same findings feed every format; each format is one module.

mod github;
mod gitlab;
mod human;
mod json;
mod junit;
mod sarif;

pub use github::step_summary_markdown;

use crate::findings::{Finding, Summary};
use crate::knowledge::Knowledge;
use std::io::{self, Write};
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Human,
    Json,
    Sarif,
    Github,
    Junit,
    /// GitLab Code Quality (CodeClimate JSON).
    Gitlab,
}

pub struct Report<'a> {
    pub findings: &'a [Finding],
    pub summary: &'a Summary,
    pub knowledge: &'a Knowledge,
    /// The scan root; finding paths are relative to it.
    pub root: PathBuf,
    /// The scan root relative to the repository's top (empty when they are the same), for the
    /// formats that GitHub resolves against the repository (SARIF, annotations).
    pub repo_prefix: String,
    pub target: String,
    pub color: bool,
    /// Terminal width for the human format.
    pub width: usize,
}

impl Report<'_> {
    /// A finding's path as GitHub expects it: relative to the repository top.
    pub fn repo_path(&self, file: &str) -> String {
        if self.repo_prefix.is_empty() {
            file.to_string()
        } else if file.is_empty() {
            self.repo_prefix.clone()
        } else {
            format!("{}/{file}", self.repo_prefix)
        }
    }
}

pub fn render(format: Format, report: &Report, out: &mut dyn Write) -> io::Result<()> {
    match format {
        Format::Human => human::render(report, out),
        Format::Json => json::render(report, out),
        Format::Sarif => sarif::render(report, out),
        Format::Github => github::render(report, out),
        Format::Junit => junit::render(report, out),
        Format::Gitlab => gitlab::render(report, out),
    }
}

pub const TOOL_NAME: &str = "valkey-migrate";
pub const TOOL_VERSION: &str = env!("CARGO_PKG_VERSION");
pub const TOOL_URI: &str = "https://github.com/valkey-migrate/valkey-migrate";

/// The directory of the git repository that holds `root`, and `root` relative to it.
pub fn repo_prefix(root: &std::path::Path) -> String {
    let mut dir = Some(root);
    while let Some(d) = dir {
        if d.join(".git").exists() {
            return crate::scan::relative_path(d, root);
        }
        dir = d.parent();
    }
    String::new()
}

/// `1 error`, `2 warnings`: counts that read as English.
pub fn plural(n: usize, word: &str) -> String {
    if n == 1 { format!("{n} {word}") } else { format!("{n} {word}s") }
}
