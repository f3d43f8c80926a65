//! One test per session file under `testdata/server/sessions/`: the same bytes sent to the
//! bundled server and to the real server of each profile must get the same replies.

use super::harness::check_session;
use crate::common::testdata;

fn session(name: &str) {
    check_session(&testdata(&format!("server/sessions/{name}.session")));
}

#[test]
fn protocol() {
    session("protocol");
}

#[test]
fn strings() {
    session("strings");
}

#[test]
fn lists() {
    session("lists");
}

#[test]
fn blocking() {
    session("blocking");
}

#[test]
fn hashes() {
    session("hashes");
}

#[test]
fn sets() {
    session("sets");
}

#[test]
fn zsets() {
    session("zsets");
}

#[test]
fn keys() {
    session("keys");
}

#[test]
fn pubsub() {
    session("pubsub");
}

#[test]
fn transactions() {
    session("transactions");
}

#[test]
fn connection() {
    session("connection");
}

#[test]
fn auth() {
    session("auth");
}

#[test]
fn client() {
    session("client");
}

#[test]
fn config() {
    session("config");
}

#[test]
fn command() {
    session("command");
}

#[test]
fn acl() {
    session("acl");
}

#[test]
fn server() {
    session("server");
}

#[test]
fn info() {
    session("info");
}

#[test]
fn limits() {
    session("limits");
}

#[test]
fn notify() {
    session("notify");
}
