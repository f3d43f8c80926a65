//! LIC: licences of the servers the repository runs.

mod source_available;

use super::Rule;

pub static RULES: &[&dyn Rule] = &[&source_available::SourceAvailableRedis];
