//! One integration-test binary (linking one binary instead of many keeps CI fast on 2 cores).
//! Each area adds a module here.

mod common;

mod catalog;
mod cfg;
mod cli;
mod config_differential;
mod profiles;
mod reports;
mod server;
