//! Decoy: serde_json and names like `ts` and `json` in a crate that talks to Redis.
use serde::Deserialize;
use serde_json::Value;

#[derive(Deserialize)]
struct Settings<'a> {
    redis_url: &'a str,
    ts: u64,
}

fn load(raw: &str) -> serde_json::Result<Value> {
    let v: Value = serde_json::from_str(raw)?;
    let json = v.get("json").cloned().unwrap_or_default();
    let label = 'x';
    let _ = ("JSON.SET is only text here", label);
    Ok(json)
}
