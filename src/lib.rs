//! valkey-migrate: audit a repository for a Redis → Valkey migration, plan it, prove it.
//!
//! The pipeline flows one way — walk → classify → parse (`sources`) → `inventory` → `rules` →
//! findings → `report` — with `plan`, `validate` and `server` built on the same facts.

pub mod cli;
pub mod clock;
pub mod config;
pub mod config_rewrite;
pub mod engine;
pub mod error;
pub mod findings;
pub mod fsutil;
pub mod inventory;
pub mod knowledge;
pub mod location;
pub mod plan;
pub mod report;
pub mod rules;
pub mod scan;
pub mod server;
pub mod source;
pub mod sources;
pub mod suppress;
pub mod terraform_override;
pub mod validate;
pub mod versions;
