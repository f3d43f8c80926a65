//! One client connection: read bytes, run every complete command under the state lock,
//! write the replies, repeat. While a client is blocked (BLPOP…) its input is still read,
//! so a disconnect is noticed, but no further command runs until it is served or times out.

use super::Server;
use super::client::{ClientState, Transport};
use super::commands;
use super::request::{Argv, Limits, Parse, QueryBuffer, RequestParser, UNAUTH_MAX_QUERY_BUFFER};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// `PROTO_IOBUF_LEN`: the usual read size.
const IO_BUF: usize = 16 * 1024;

struct Session {
    id: u64,
    qb: QueryBuffer,
    parser: RequestParser,
    argv: Argv,
    out: Vec<u8>,
}

#[derive(Default)]
struct Outcome {
    close: bool,
    blocked_deadline: Option<i64>,
    blocked: bool,
}

pub async fn run<S>(server: Arc<Server>, mut stream: S, transport: Transport)
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let Some((id, wake)) = register(&server, transport) else {
        let _ = stream.write_all(b"-ERR max number of clients reached\r\n").await;
        return;
    };
    let mut s = Session { id, qb: QueryBuffer::default(), parser: RequestParser::new(), argv: Argv::default(), out: Vec::with_capacity(IO_BUF) };
    let mut shutdown = server.shutdown_signal();
    loop {
        let outcome = process_input(&server, &mut s);
        if !s.out.is_empty() {
            let written = s.out.len();
            if stream.write_all(&s.out).await.is_err() {
                break;
            }
            s.out.clear();
            if s.out.capacity() > 4 * 1024 * 1024 {
                s.out.shrink_to(IO_BUF);
            }
            account_output(&server, id, written);
        }
        if outcome.close || server.is_shutting_down() {
            break;
        }
        let idle_timeout = idle_timeout(&server, id);
        let read_size = s.parser.pending_bulk().map_or(IO_BUF, |need| need.saturating_sub(s.qb.len()).clamp(IO_BUF, 1 << 20));
        s.qb.data.reserve(read_size);
        let blocked_sleep = async {
            match outcome.blocked_deadline {
                Some(deadline) => {
                    let wait = (deadline - super::unix_ms()).max(0) as u64;
                    tokio::time::sleep(Duration::from_millis(wait)).await
                }
                None => std::future::pending().await,
            }
        };
        let idle_sleep = async {
            match idle_timeout {
                Some(d) if !outcome.blocked => tokio::time::sleep(d).await,
                _ => std::future::pending().await,
            }
        };
        tokio::select! {
            biased;
            _ = shutdown.changed() => break,
            _ = wake.notified() => {}
            read = stream.read_buf(&mut s.qb.data) => {
                match read {
                    Ok(0) | Err(_) => {
                        // The read that finds the connection closed counts too.
                        server.state().stats.reads_processed += 1;
                        break;
                    }
                    Ok(n) => {
                        if !account_input(&server, &mut s, n) {
                            break;
                        }
                    }
                }
            }
            _ = blocked_sleep => commands::blocking::timeout(&server, id),
            _ = idle_sleep => {
                if idle_expired(&server, id) {
                    break;
                }
            }
        }
    }
    unregister(&server, id);
    let _ = stream.shutdown().await;
}

fn register(server: &Server, transport: Transport) -> Option<(u64, Arc<tokio::sync::Notify>)> {
    let mut st = server.state();
    let maxclients = st.config.get_int("maxclients").unwrap_or(10000).max(1) as usize;
    if st.clients.len() >= maxclients {
        st.stats.rejected_connections += 1;
        return None;
    }
    let id = st.next_client_id;
    st.next_client_id += 1;
    st.stats.connections_received += 1;
    let default_nopass = st.acl.user("default").is_some_and(|u| u.nopass && u.enabled);
    // The server's first client descriptor after its listeners; only shown in CLIENT LIST.
    let fd = 8 + st.clients.len() as u64;
    let client = ClientState::new(id, transport, fd, default_nopass);
    let wake = client.wake.clone();
    st.clients.insert(id, client);
    Some((id, wake))
}

fn unregister(server: &Server, id: u64) {
    let mut st = server.state();
    if let Some(mut client) = st.clients.remove(&id) {
        commands::pubsub::unsubscribe_all(&mut st, &mut client);
        st.unwatch_all(&mut client);
        st.remove_blocked(&mut client);
    }
}

fn idle_timeout(server: &Server, id: u64) -> Option<Duration> {
    let st = server.state();
    let secs = st.config.get_int("timeout").unwrap_or(0);
    if secs <= 0 {
        return None;
    }
    let client = st.clients.get(&id)?;
    if client.in_pubsub() {
        return None;
    }
    let idle = client.last_interaction.elapsed();
    Some(Duration::from_secs(secs as u64).saturating_sub(idle).max(Duration::from_millis(10)))
}

fn idle_expired(server: &Server, id: u64) -> bool {
    let st = server.state();
    let secs = st.config.get_int("timeout").unwrap_or(0);
    st.clients
        .get(&id)
        .is_some_and(|c| secs > 0 && !c.in_pubsub() && c.blocked.is_none() && c.last_interaction.elapsed().as_secs() >= secs as u64)
}

/// Counts the bytes read and enforces the query buffer limits; false closes the client.
fn account_input(server: &Server, s: &mut Session, n: usize) -> bool {
    let mut st = server.state();
    st.stats.net_input_bytes += n as u64;
    st.stats.reads_processed += 1;
    let limit = st.config.get_int("client-query-buffer-limit").unwrap_or(1 << 30).max(0) as usize;
    let default_needs_auth = !st.acl.user("default").is_some_and(|u| u.nopass && u.enabled);
    let Some(client) = st.clients.get_mut(&s.id) else { return false };
    client.net_in += n as u64;
    client.last_interaction = std::time::Instant::now();
    let queued: usize = client.multi.as_ref().map_or(0, |m| m.queue.iter().map(Argv::bytes).sum());
    let size = s.qb.len() + queued;
    let auth_required = default_needs_auth && !client.authenticated;
    if size > limit || (auth_required && size > UNAUTH_MAX_QUERY_BUFFER) {
        st.stats.query_buffer_limit_disconnections += 1;
        return false;
    }
    true
}

fn account_output(server: &Server, id: u64, n: usize) {
    let mut st = server.state();
    st.stats.net_output_bytes += n as u64;
    st.stats.writes_processed += 1;
    if let Some(c) = st.clients.get_mut(&id) {
        c.net_out += n as u64;
    }
}

fn process_input(server: &Server, s: &mut Session) -> Outcome {
    let mut st = server.state();
    let Some(mut client) = st.clients.remove(&s.id) else {
        return Outcome { close: true, ..Outcome::default() };
    };
    s.out.append(&mut client.outbox);
    let mut outcome = Outcome::default();
    if client.kill {
        outcome.close = true;
        st.clients.insert(s.id, client);
        return outcome;
    }
    let proto_max = st.config.get_int("proto-max-bulk-len").unwrap_or(512 * 1024 * 1024);
    loop {
        if client.blocked.is_some() || client.close_after_reply || client.kill {
            break;
        }
        let default_needs_auth = !st.acl.user("default").is_some_and(|u| u.nopass && u.enabled);
        let limits = Limits {
            proto_max_bulk_len: proto_max,
            authenticated: client.authenticated || !default_needs_auth,
            quote_tail: server.profile.loader.text_after_closing_quote,
        };
        match s.parser.parse(&mut s.qb, &mut s.argv, limits) {
            Parse::Command => {
                commands::process(server, &mut st, &mut client, &s.argv, &mut s.out);
                // Pushes this command caused for its own client follow its reply.
                s.out.append(&mut client.outbox);
            }
            Parse::Empty => {}
            Parse::Incomplete => break,
            Parse::Error(msg) => {
                super::reply::Reply::new(&mut s.out, client.resp3()).error(&msg);
                st.stats.total_error_replies += 1;
                *st.stats.errors.entry("ERR".into()).or_default() += 1;
                client.close_after_reply = true;
                break;
            }
        }
    }
    s.qb.compact();
    if let Some(b) = &client.blocked {
        outcome.blocked = true;
        outcome.blocked_deadline = b.deadline;
    }
    outcome.close = client.close_after_reply || client.kill;
    st.clients.insert(s.id, client);
    outcome
}
