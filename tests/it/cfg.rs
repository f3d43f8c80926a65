//! CFG rules end to end: the fixture under testdata/rules/CFG001 audited against several
//! targets, and its findings compared with what the real target server does with the file.

use crate::common::{audit_json, cmd, copy_tree, finding_keys, oracle, testdata};
use crate::config_differential::real_outcomes;

fn fixture() -> tempfile::TempDir {
    copy_tree(&testdata("rules/CFG001/refused"))
}

fn cfg001(doc: &serde_json::Value) -> Vec<(u64, String)> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "CFG001")
        .map(|f| (f["line"].as_u64().unwrap(), f["message"].as_str().unwrap().to_string()))
        .collect()
}

#[test]
fn cfg001_human_output() {
    let dir = fixture();
    let out = cmd().arg("audit").arg(dir.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!(String::from_utf8(out.stdout).unwrap());
}

#[test]
fn cfg001_one_finding_per_refused_line_with_the_servers_text() {
    let dir = fixture();
    let (doc, code) = audit_json(dir.path(), &[]);
    assert_eq!(code, 1);
    let lines: Vec<u64> = cfg001(&doc).iter().map(|(l, _)| *l).collect();
    assert_eq!(lines, [6, 7, 8, 9, 10, 11, 13, 14, 15, 16, 17, 19], "{:#}", doc["findings"]);
    for f in doc["findings"].as_array().unwrap() {
        assert_eq!(f["name"], "target-refuses-config");
    }
    let messages = cfg001(&doc);
    let msg = |line: u64| messages.iter().find(|(l, _)| *l == line).unwrap().1.clone();
    assert!(msg(6).ends_with("argument must be between 1 and 256 inclusive"), "{}", msg(6));
    assert!(msg(9).ends_with("Bad directive or wrong number of arguments"));
    assert!(msg(10).contains("# Unused Module Configuration: json.max-document-size"), "{}", msg(10));
    // The server names the argument at the bad rule's index among the rules, counted from the
    // start of the line: `+get`, not `badrule` (the help says which rule it is).
    assert!(msg(11).ends_with("Error in user declaration '+get': Syntax error"), "{}", msg(11));
    assert!(msg(13).ends_with("No such command in rename-command"));
    assert!(msg(14).ends_with("dbfilename can't be a path, just a filename"));
    // Valkey 9.1 joins text after a closing quote to the argument: line 18 is a password.
    assert!(!lines.contains(&18));
}

#[test]
fn the_findings_are_the_lines_the_real_server_refuses() {
    let Some(bin) = oracle("bin/valkey-server-9.1") else { return };
    let dir = fixture();
    let (doc, _) = audit_json(dir.path(), &[]);
    let text = std::fs::read(dir.path().join("redis.conf")).unwrap();
    let lines: Vec<Vec<u8>> = text.split(|&b| b == b'\n').map(<[u8]>::to_vec).collect();
    let real = real_outcomes(&bin, &lines);
    let refused: Vec<(u64, String)> =
        real.iter().enumerate().filter_map(|(i, r)| r.as_ref().map(|m| (i as u64 + 1, m.clone()))).collect();
    let ours = cfg001(&doc);
    // Line 10 passes the parser and aborts the start later (a module setting): not a parse
    // refusal, and our finding says so.
    let ours_parse: Vec<(u64, String)> = ours.into_iter().filter(|(l, _)| *l != 10).collect();
    assert_eq!(ours_parse.len(), refused.len(), "server refuses {refused:?}");
    for ((l1, m1), (l2, m2)) in ours_parse.iter().zip(&refused) {
        assert_eq!(l1, l2);
        assert!(m1.ends_with(m2.as_str()), "line {l1}: ours {m1:?}, server {m2:?}");
    }
}

#[test]
fn the_verdict_depends_on_the_target() {
    let dir = fixture();
    let (doc, _) = audit_json(dir.path(), &["--target", "valkey-8.1"]);
    let lines: Vec<u64> = cfg001(&doc).iter().map(|(l, _)| *l).collect();
    // Valkey 8.1 still refuses text after a closing quote.
    assert!(lines.contains(&18), "{lines:?}");
    let (doc, _) = audit_json(dir.path(), &["--target", "redis-8.2"]);
    let found = cfg001(&doc);
    // Redis 8 queues unknown names as module settings; the start aborts later.
    let typo = found.iter().find(|(l, _)| *l == 9).expect("line 9");
    assert!(typo.1.contains("Unresolved Configuration(s) Detected"), "{}", typo.1);
    assert!(finding_keys(&doc).iter().all(|k| k.starts_with("CFG001@redis.conf:") || k.starts_with("SCAN")));
}

#[test]
fn a_loadmodule_line_keeps_module_settings_unjudged() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("redis.conf"),
        "loadmodule /usr/lib/valkey/libjson.so\njson.max-document-size 1048576\n",
    )
    .unwrap();
    let (doc, code) = audit_json(dir.path(), &[]);
    assert_eq!(code, 0, "{doc:#}");
    assert!(cfg001(&doc).is_empty());
}
