//! The bundled server against the real servers: scripted sessions compared byte for byte,
//! real clients, the CLI.

mod cli;
mod cli_tools;
mod clients;
mod harness;
mod info_shapes;
mod normalise;
mod sessions;
