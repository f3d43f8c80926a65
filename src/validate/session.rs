//! A connection that remembers what it sent and what came back, so a failed check shows the
//! exchange that failed.

use super::model::Exchange;
use redis::Value;
use redis::aio::{ConnectionLike, MultiplexedConnection};
use std::time::Duration;

pub struct Session {
    con: MultiplexedConnection,
    pub log: Vec<Exchange>,
    timeout: Duration,
}

impl Session {
    pub fn new(con: MultiplexedConnection, timeout: Duration) -> Self {
        Session { con, log: Vec::new(), timeout }
    }

    /// Sends one command; a server error comes back as `Err` with its text.
    pub async fn call(&mut self, args: &[&str]) -> Result<Value, String> {
        let mut cmd = redis::cmd(args[0]);
        for a in &args[1..] {
            cmd.arg(*a);
        }
        let sent = args.iter().map(|a| show_arg(a)).collect::<Vec<_>>().join(" ");
        let result = match tokio::time::timeout(self.timeout, self.con.req_packed_command(&cmd)).await {
            Err(_) => Err(format!("no reply within {:?}", self.timeout)),
            Ok(Err(e)) => Err(error_text(&e)),
            Ok(Ok(Value::ServerError(e))) => {
                Err(format!("{} {}", e.code(), e.details().unwrap_or_default()).trim().to_string())
            }
            Ok(Ok(v)) => Ok(v),
        };
        let received = match &result {
            Ok(v) => show(v),
            Err(e) => format!("-{e}"),
        };
        self.log.push(Exchange { sent, received });
        result
    }

    /// Like `call`, but a reply other than `expected` (in `show` form) is an error.
    pub async fn expect(&mut self, args: &[&str], expected: &str) -> Result<(), String> {
        let v = self.call(args).await?;
        let got = show(&v);
        if got == expected { Ok(()) } else { Err(format!("{} returned {got}, expected {expected}", args[0])) }
    }

    pub async fn int(&mut self, args: &[&str]) -> Result<i64, String> {
        match self.call(args).await? {
            Value::Int(n) => Ok(n),
            other => Err(format!("{} returned {}, expected an integer", args[0], show(&other))),
        }
    }
}

fn error_text(e: &redis::RedisError) -> String {
    match (e.code(), e.detail()) {
        (Some(code), Some(detail)) => format!("{code} {detail}"),
        _ => e.to_string(),
    }
}

fn show_arg(a: &str) -> String {
    if !a.is_empty() && a.bytes().all(|b| b.is_ascii_graphic() && b != b'"') { a.to_string() } else { format!("{a:?}") }
}

/// A compact, redis-cli-like rendering of a reply.
pub fn show(v: &Value) -> String {
    match v {
        Value::Nil => "(nil)".into(),
        Value::Int(n) => format!("(integer) {n}"),
        Value::BulkString(b) => format!("{:?}", String::from_utf8_lossy(b)),
        Value::SimpleString(s) => format!("+{s}"),
        Value::Okay => "+OK".into(),
        Value::Array(items) | Value::Set(items) => {
            format!("[{}]", items.iter().map(show).collect::<Vec<_>>().join(", "))
        }
        Value::Map(pairs) => {
            format!(
                "{{{}}}",
                pairs.iter().map(|(k, v)| format!("{}: {}", show(k), show(v))).collect::<Vec<_>>().join(", ")
            )
        }
        Value::Double(d) => format!("(double) {d}"),
        Value::Boolean(b) => format!("(boolean) {b}"),
        Value::VerbatimString { text, .. } => format!("{text:?}"),
        Value::BigNumber(n) => format!("(big number) {n:?}"),
        Value::Push { kind, data } => {
            format!("push {kind:?} [{}]", data.iter().map(show).collect::<Vec<_>>().join(", "))
        }
        Value::Attribute { data, .. } => show(data),
        Value::ServerError(e) => format!("-{} {}", e.code(), e.details().unwrap_or_default()),
        _ => format!("{v:?}"),
    }
}
