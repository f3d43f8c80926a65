//! One integration-test binary (linking one binary instead of many keeps CI fast on 2 cores).
//! Each area adds a module here.

mod catalog;
mod cfg;
mod cfg_rules;
mod cli;
mod common;
mod config_differential;
mod deps;
mod modules;
mod plan;
mod profiles;
mod reports;
mod rewrite;
mod samples;
mod server;
mod terraform;
mod validate;
