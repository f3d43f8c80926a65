//! `validate` against real servers: a config the target refuses fails its check with the
//! server's own words, the workloads pass, and a live server is never written to unless asked.

use crate::common::{RealServer, cmd, oracle};
use std::fs;

fn run_json(args: &[&str]) -> (serde_json::Value, i32) {
    let out = cmd().arg("validate").args(args).args(["--format", "json"]).output().unwrap();
    let doc = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("{e}: {}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
    });
    (doc, out.status.code().unwrap())
}

fn statuses(doc: &serde_json::Value) -> Vec<String> {
    doc["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            format!(
                "{}:{}:{}",
                c["group"].as_str().unwrap(),
                c["status"].as_str().unwrap(),
                c["name"].as_str().unwrap()
            )
        })
        .collect()
}

#[test]
fn a_real_binary_accepts_a_good_config_and_runs_every_workload() {
    for bin in ["valkey-server-8.1", "valkey-server-9.1"] {
        let Some(path) = oracle(&format!("bin/{bin}")) else { return };
        let repo = tempfile::tempdir().unwrap();
        fs::write(
            repo.path().join("redis.conf"),
            "maxmemory 64mb\nmaxmemory-policy allkeys-lru\nrequirepass \"s3cr3t pass\"\n",
        )
        .unwrap();
        let (doc, code) = run_json(&[repo.path().to_str().unwrap(), "--server-bin", path.to_str().unwrap()]);
        assert_eq!(code, 0, "{bin}: {doc:#}");
        assert_eq!(doc["summary"]["failed"], 0);
        assert_eq!(doc["summary"]["passed"], 6, "{bin}: {:?}", statuses(&doc));
    }
}

/// A plan for `repo` written to `repo/migration`, whose rewritten `redis.conf` then gets
/// `line` back, as a reviewer editing the plan by hand might: the check must catch it.
fn plan_with_edited_config(repo: &std::path::Path, line: &str) -> std::path::PathBuf {
    let out = repo.join("migration");
    cmd().arg("plan").arg(repo).arg("--out").arg(&out).assert().code(0);
    let rewritten = out.join("config/redis.conf");
    let text = fs::read_to_string(&rewritten).unwrap();
    fs::write(&rewritten, format!("{text}{line}\n")).unwrap();
    out
}

#[test]
fn a_refused_config_fails_with_the_servers_own_message() {
    let Some(path) = oracle("bin/valkey-server-9.1") else { return };
    let repo = tempfile::tempdir().unwrap();
    fs::write(repo.path().join("redis.conf"), "port 6379\nsearch-timeout 500\n").unwrap();
    // The plan comments the line out, so the repository's plan passes…
    let (doc, code) = run_json(&[repo.path().to_str().unwrap(), "--server-bin", path.to_str().unwrap()]);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(
        (doc["checks"][0]["name"].as_str(), doc["checks"][0]["status"].as_str()),
        (Some("config/redis.conf"), Some("pass"))
    );
    // …and a plan edited to bring it back fails with the server's words.
    let plan = plan_with_edited_config(repo.path(), "search-timeout 500");
    let (doc, code) = run_json(&[plan.to_str().unwrap(), "--server-bin", path.to_str().unwrap()]);
    assert_eq!(code, 1);
    let check = &doc["checks"][0];
    assert_eq!((check["group"].as_str(), check["status"].as_str()), (Some("config"), Some("fail")));
    let reason = check["reason"].as_str().unwrap();
    assert!(reason.contains(">>> 'search-timeout 500'") && reason.contains("Bad directive"), "{reason}");
}

#[test]
fn a_live_server_is_read_only_unless_writes_are_allowed() {
    let Some(server) = RealServer::start("valkey-server-9.1", "") else { return };
    let repo = tempfile::tempdir().unwrap();
    let url = server.url();
    let (doc, code) = run_json(&[repo.path().to_str().unwrap(), "--server", &url]);
    assert_eq!(code, 0);
    assert_eq!(doc["summary"]["skipped"], 5, "{:?}", statuses(&doc));
    let (doc, code) = run_json(&[repo.path().to_str().unwrap(), "--server", &url, "--allow-writes"]);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(doc["summary"]["passed"], 5);
    // Every key the workloads wrote is gone (deleted, or expiring under the prefix).
    let out = std::process::Command::new(oracle("bin/valkey-cli").unwrap())
        .args(["-s", server.socket.to_str().unwrap(), "--scan", "--pattern", "valkey-migrate:validate:*"])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "");
}

#[test]
fn an_unreachable_server_is_a_clear_error() {
    let repo = tempfile::tempdir().unwrap();
    let out = cmd()
        .args(["validate", repo.path().to_str().unwrap(), "--server", "redis://127.0.0.1:1", "--timeout", "1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("cannot connect"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn junit_output_lists_each_check_as_a_test_case() {
    let Some(path) = oracle("bin/valkey-server-9.1") else { return };
    let repo = tempfile::tempdir().unwrap();
    fs::write(repo.path().join("redis.conf"), "bogus-directive yes\n").unwrap();
    let plan = plan_with_edited_config(repo.path(), "bogus-directive yes");
    let out = cmd()
        .args(["validate", plan.to_str().unwrap(), "--server-bin", path.to_str().unwrap(), "--format", "junit"])
        .output()
        .unwrap();
    let xml = String::from_utf8(out.stdout).unwrap();
    assert!(xml.contains(r#"<testsuite name="Config files accepted" tests="1" failures="1""#), "{xml}");
    assert!(xml.contains(r#"<testcase name="pub/sub fan-out (channel + pattern)""#));
}

#[test]
fn handshakes_replay_and_fail_where_the_server_answers_unlike_valkey() {
    let (Some(valkey), Some(redis)) = (oracle("bin/valkey-server-9.1"), oracle("bin/redis-server-7.0")) else { return };
    let repo = crate::common::repo_root().join("sample-projects/node-session-service");
    let handshakes = |bin: &std::path::Path| -> Vec<(String, String)> {
        let (doc, _) = run_json(&[repo.to_str().unwrap(), "--no-config", "--server-bin", bin.to_str().unwrap()]);
        doc["checks"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["group"] == "handshakes")
            .map(|c| (c["name"].as_str().unwrap().to_string(), c["status"].as_str().unwrap().to_string()))
            .collect()
    };
    let on_valkey = handshakes(&valkey);
    assert_eq!(
        on_valkey,
        [("ioredis 5.11.1".to_string(), "pass".to_string()), ("redis 6.3.1".to_string(), "pass".to_string())]
    );
    // Redis 7.0 answers HELLO with server=redis and refuses CLIENT SETINFO: node-redis 6's
    // recorded handshake no longer gets the replies it got from Valkey.
    let on_redis = handshakes(&redis);
    assert!(on_redis.contains(&("redis 6.3.1".to_string(), "fail".to_string())), "{on_redis:?}");
}

/// The default target is the bundled server: it refuses what valkey-server refuses, in the
/// same words, and runs every workload behind the config's password.
#[test]
fn the_bundled_server_judges_configs_as_the_real_one() {
    let repo = tempfile::tempdir().unwrap();
    fs::write(repo.path().join("redis.conf"), "maxmemory 64mb\nrequirepass \"s3cr3t pass\"\n").unwrap();
    let (doc, code) = run_json(&[repo.path().to_str().unwrap()]);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(doc["target"], "bundled server (valkey-9.1)");
    assert_eq!(doc["summary"]["passed"], 6, "{:?}", statuses(&doc));

    let plan = plan_with_edited_config(repo.path(), "search-timeout 500");
    let (bundled, code) = run_json(&[plan.to_str().unwrap()]);
    assert_eq!(code, 1);
    let reason = bundled["checks"][0]["reason"].as_str().unwrap();
    assert!(reason.contains(">>> 'search-timeout 500'") && reason.contains("Bad directive"), "{reason}");
    let Some(path) = oracle("bin/valkey-server-9.1") else { return };
    let (real, _) = run_json(&[plan.to_str().unwrap(), "--server-bin", path.to_str().unwrap()]);
    assert_eq!(statuses(&bundled), statuses(&real));
    // The server's own lines, without the path of the file it read.
    let said = |doc: &serde_json::Value| {
        doc["checks"][0]["reason"].as_str().unwrap().lines().skip(1).map(str::to_string).collect::<Vec<_>>()
    };
    assert_eq!(said(&bundled), said(&real));
}

/// A CA and a server certificate for 127.0.0.1 and localhost, made with the openssl CLI.
fn tls_files(dir: &std::path::Path) -> Option<()> {
    fs::write(dir.join("san.ext"), "subjectAltName=DNS:localhost,IP:127.0.0.1\n").unwrap();
    // Extensions make X.509 v3 certificates, the only version rustls accepts.
    fs::write(dir.join("client.ext"), "extendedKeyUsage=clientAuth\n").unwrap();
    let steps = [
        "req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 1 -subj /CN=valkey-migrate-test-CA",
        "req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj /CN=localhost",
        "x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 1 -extfile san.ext",
        "req -newkey rsa:2048 -nodes -keyout client.key -out client.csr -subj /CN=valkey-migrate",
        "x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out client.pem -days 1 -extfile client.ext",
    ];
    for step in steps {
        let args: Vec<&str> = step.split_whitespace().collect();
        let out = std::process::Command::new("openssl").args(&args).current_dir(dir).output().ok()?;
        assert!(out.status.success(), "openssl {step}: {}", String::from_utf8_lossy(&out.stderr));
    }
    Some(())
}

/// `rediss://` against a real TLS server (Debian's redis-server is built with TLS) that also
/// verifies its clients: the server's certificate is checked against `--tls-ca-cert` (and
/// refused without it), and the client presents `--tls-cert`/`--tls-key`.
#[test]
fn a_tls_server_is_validated_with_its_ca() {
    let certs = tempfile::tempdir().unwrap();
    if tls_files(certs.path()).is_none() {
        assert!(std::env::var_os("VALKEY_MIGRATE_REQUIRE_ORACLES").is_none(), "the openssl CLI is needed");
        return;
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let p = |f: &str| certs.path().join(f).display().to_string();
    let tls = format!(
        "tls-port {port}\nbind 127.0.0.1\ntls-cert-file {}\ntls-key-file {}\ntls-ca-cert-file {}\ntls-auth-clients yes\n",
        p("server.pem"),
        p("server.key"),
        p("ca.pem")
    );
    let Some(_server) = RealServer::start("redis-server-7.0", &tls) else { return };
    let repo = tempfile::tempdir().unwrap();
    let url = format!("rediss://localhost:{port}");
    let (ca, cert, key) = (p("ca.pem"), p("client.pem"), p("client.key"));
    let repo_arg = repo.path().to_str().unwrap();
    let (doc, code) =
        run_json(&[repo_arg, "--server", &url, "--tls-ca-cert", &ca, "--tls-cert", &cert, "--tls-key", &key]);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(doc["target"], url);
    let out =
        cmd().args(["validate", repo_arg, "--server", &url, "--tls-ca-cert", &ca, "--timeout", "5"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "the server wants a client certificate");
    let out =
        cmd().args(["validate", repo.path().to_str().unwrap(), "--server", &url, "--timeout", "5"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "an unknown CA is not trusted");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("cannot connect") && stderr.to_lowercase().contains("certificate"), "{stderr}");
}

/// Module commands the code sends fail the command check, one check per command, on the
/// bundled and the real server alike.
#[test]
fn module_commands_fail_the_command_check() {
    let repo = crate::common::repo_root().join("sample-projects/listing-search");
    let (bundled, code) = run_json(&[repo.to_str().unwrap()]);
    assert_eq!(code, 1);
    let failed: Vec<String> = statuses(&bundled).into_iter().filter(|s| s.contains(":fail:")).collect();
    let commands: Vec<&String> = failed.iter().filter(|s| s.starts_with("commands:")).collect();
    assert!(commands.iter().any(|s| s.contains("FT.SEARCH")), "{failed:#?}");
    assert!(
        commands.iter().any(|s| s.contains("JSON.SET")) && commands.iter().any(|s| s.contains("TS.ADD")),
        "{failed:#?}"
    );
    let reason = bundled["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"].as_str().unwrap().starts_with("FT.SEARCH"))
        .unwrap()["reason"]
        .clone();
    assert_eq!(reason, "the target has no FT.SEARCH command");
    let Some(path) = oracle("bin/valkey-server-9.1") else { return };
    let (real, _) = run_json(&[repo.to_str().unwrap(), "--server-bin", path.to_str().unwrap()]);
    assert_eq!(statuses(&bundled), statuses(&real));
}
