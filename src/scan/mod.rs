//! Walk the scanned paths and decide which files each parser reads.

mod walk;

pub use walk::{WalkOptions, relative as relative_path, walk};

/// Codes of the findings the scan itself emits (their metadata is in `rules/catalog/scan.toml`).
pub mod codes {
    pub const UNREADABLE: &str = "SCAN001";
    pub const BINARY: &str = "SCAN002";
    pub const TOO_LARGE: &str = "SCAN003";
    pub const UNPARSABLE: &str = "SCAN004";
    pub const SKIPPED_PATH: &str = "SCAN005";
    pub const UNUSED_SUPPRESSION: &str = "SCAN006";

    pub const ALL: &[&str] = &[UNREADABLE, BINARY, TOO_LARGE, UNPARSABLE, SKIPPED_PATH, UNUSED_SUPPRESSION];
}

use std::path::PathBuf;

/// A file the walk found, before anyone has read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScannedFile {
    /// Relative to the scan root, `/`-separated.
    pub rel: String,
    pub abs: PathBuf,
    pub size: u64,
}

impl ScannedFile {
    pub fn file_name(&self) -> &str {
        self.rel.rsplit('/').next().unwrap_or(&self.rel)
    }
}
