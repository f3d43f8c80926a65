//! CFG: server configuration files.

mod target_refuses_config;

use super::Rule;

pub static RULES: &[&dyn Rule] = &[&target_refuses_config::TargetRefusesConfig];
