use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    valkey_migrate::cli::run(valkey_migrate::cli::args::Cli::parse())
}
