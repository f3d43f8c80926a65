//! `validate`: runs the plan's checks over RESP with the `redis` crate — against the bundled
//! server, a real server binary, or a live server — and reports pass/fail per check with what
//! was sent and what came back.

mod bundled;
mod checks;
mod handshakes;
pub mod model;
pub mod prepare;
pub mod render;
mod session;
pub mod target;
mod workloads;

use crate::knowledge::Knowledge;
use crate::plan::model::ValidationInputs;
use model::{Check, Group, ValidationReport};
use session::Session;
use std::time::{Duration, Instant};
pub use target::{Remote, TargetSpec};

pub struct Options {
    pub spec: TargetSpec,
    pub profile: String,
    pub allow_writes: bool,
    /// Per check.
    pub timeout: Duration,
}

/// What to validate: the config files, and the plan's validation inputs.
pub struct Inputs {
    pub configs: Vec<prepare::ConfigInput>,
    pub plan: ValidationInputs,
}

pub async fn run(opts: &Options, inputs: &Inputs, knowledge: &Knowledge) -> Result<ValidationReport, String> {
    let prepared: Vec<(String, String, Vec<String>)> = inputs
        .configs
        .iter()
        .map(|c| {
            let (text, notes) = prepare::inline_includes(c);
            (c.name.clone(), text, notes)
        })
        .collect();
    let mut checks = checks::configs(&opts.spec, &opts.profile, &prepared, opts.timeout).await;

    // One server for the rest: started with the first accepted config (as production would
    // run it, minus settings that need peers), else with none.
    let accepted =
        prepared.iter().zip(&checks).find(|(_, c)| c.group == Group::Config && c.status == model::Status::Pass);
    let workload_config = accepted.map(|((n, t, _), _)| (n.clone(), prepare::standalone(t)));
    let config = workload_config.as_ref().map(|(n, (t, _))| (n.as_str(), t.as_str()));
    let neutralised: Vec<String> = workload_config.as_ref().map(|(_, (_, notes))| notes.clone()).unwrap_or_default();
    let running = target::start(&opts.spec, &opts.profile, config, opts.timeout).await?;
    let target_version = knowledge.profile(&opts.profile).map(|p| p.header.version.clone()).unwrap_or_default();
    checks.extend(handshakes::replay(&running, &inputs.plan.clients, knowledge, &target_version, opts.timeout).await);
    let con = running.connect(opts.timeout).await?;
    let mut session = Session::new(con, opts.timeout);
    checks.extend(checks::commands(&mut session, &inputs.plan.commands).await);

    let may_write = opts.spec.owns_server() || opts.allow_writes;
    let nonce = format!("{:x}", std::process::id() as u64 ^ Instant::now().elapsed().as_nanos() as u64 ^ 0x5eed);
    let prefix = format!("valkey-migrate:validate:{nonce}:");
    type Workload = for<'a> fn(
        &'a mut Session,
        &'a str,
    )
        -> std::pin::Pin<Box<dyn std::future::Future<Output = workloads::Outcome> + Send + 'a>>;
    let list: [(&str, Workload); 4] = [
        ("session store (hash + TTL refresh)", |s, p| Box::pin(workloads::session_store(s, p))),
        ("fixed-window rate limit (INCR + EXPIRE NX)", |s, p| Box::pin(workloads::fixed_window(s, p))),
        ("sliding-window rate limit (sorted set)", |s, p| Box::pin(workloads::sliding_window(s, p))),
        ("sorted-set leaderboard", |s, p| Box::pin(workloads::leaderboard(s, p))),
    ];
    for (name, workload) in list {
        if !may_write {
            checks.push(Check::skip(Group::Workloads, name, "writes to a live server need --allow-writes"));
            continue;
        }
        let start = session.log.len();
        let started = Instant::now();
        let outcome = match tokio::time::timeout(opts.timeout * 4, workload(&mut session, &prefix)).await {
            Ok(o) => o,
            Err(_) => Err(format!("did not finish within {:?}", opts.timeout * 4)),
        };
        let mut check = match outcome {
            Ok(proved) if neutralised.is_empty() => Check::pass(Group::Workloads, name, proved),
            Ok(proved) => Check::pass(Group::Workloads, name, format!("{proved} ({})", neutralised.join("; "))),
            Err(why) => Check::fail(Group::Workloads, name, why),
        };
        check.exchanges = checks::exchanges_since(&session, start);
        check.millis = started.elapsed().as_millis() as u64;
        checks.push(check);
    }
    let name = "pub/sub fan-out (channel + pattern)";
    if may_write {
        let started = Instant::now();
        let mut log = Vec::new();
        let outcome = workloads::pubsub_fanout(&running.client, &prefix, opts.timeout, &mut log).await;
        let mut check = match outcome {
            Ok(proved) => Check::pass(Group::Workloads, name, proved),
            Err(why) => Check::fail(Group::Workloads, name, why),
        };
        check.exchanges = log;
        check.millis = started.elapsed().as_millis() as u64;
        checks.push(check);
    } else {
        checks.push(Check::skip(Group::Workloads, name, "publishing to a live server needs --allow-writes"));
    }
    Ok(ValidationReport::new(running.description.clone(), opts.profile.clone(), checks))
}
