//! Cache layer on redis-rs with the JSON module.
use redis::{Commands, JsonCommands};
use serde_json::json;

pub fn store(con: &mut redis::Connection, id: &str) -> redis::RedisResult<()> {
    let doc = json!({ "id": id, "ts": 1 });
    con.json_set(format!("doc:{id}"), "$", &doc)?; // expect: JSON.SET
    con.json_arr_append(format!("doc:{id}"), "$.tags", &"x")?; // expect: JSON.ARRAPPEND
    let _: () = redis::cmd("FT.CREATE").arg("idx").query(con)?; // expect: FT.CREATE
    let _: () = redis::cmd("TS.ADD").arg("temp").arg("*").arg(1.5).query(con)?; // expect: TS.ADD
    let _: Vec<String> = con.hexpire("h", 60, redis::ExpireOption::NONE, &["f"])?; // expect: HEXPIRE
    let query = r#"FT.SEARCH idx "@id:{x}""#;
    let _: () = redis::cmd("GET").arg(query).query(con)?;
    Ok(())
}
