//! The bundled RESP server: answers as the chosen Valkey (or Redis) profile does.

pub mod frame;
pub mod keyspace;
pub mod longdouble;
pub mod num;
pub mod reply;
pub mod request;
