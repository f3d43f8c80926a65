//! One client connection: read bytes, run every complete command under the state lock,
//! write the replies, repeat. Each cycle takes the lock once (accounting, limits, commands),
//! so a pipelined batch costs one lock and one write. While a client is blocked (BLPOP…)
//! its input is still read, so a disconnect is noticed, but no further command runs until
//! it is served or times out.

use super::Server;
use super::client::{ClientState, Transport};
use super::commands;
use super::request::{Argv, Limits, Parse, QueryBuffer, RequestParser, UNAUTH_MAX_QUERY_BUFFER};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// `PROTO_IOBUF_LEN`: the usual read size.
const IO_BUF: usize = 16 * 1024;

struct Session {
    id: u64,
    qb: QueryBuffer,
    parser: RequestParser,
    argv: Argv,
    out: Vec<u8>,
    /// Bytes read and written since the last cycle, accounted under the next lock.
    read: usize,
    reads: u64,
    written: usize,
    writes: u64,
}

#[derive(Default)]
struct Outcome {
    close: bool,
    blocked: bool,
    blocked_deadline: Option<i64>,
    idle_deadline: Option<Instant>,
}

pub async fn run<S>(server: Arc<Server>, mut stream: S, transport: Transport)
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let Some((id, wake)) = register(&server, transport) else {
        let _ = stream.write_all(b"-ERR max number of clients reached\r\n").await;
        return;
    };
    let mut s = Session {
        id,
        qb: QueryBuffer::default(),
        parser: RequestParser::new(),
        argv: Argv::default(),
        out: Vec::with_capacity(IO_BUF),
        read: 0,
        reads: 0,
        written: 0,
        writes: 0,
    };
    let mut shutdown = server.shutdown_signal();
    loop {
        let outcome = cycle(&server, &mut s);
        if !s.out.is_empty() {
            if stream.write_all(&s.out).await.is_err() {
                break;
            }
            s.written += s.out.len();
            s.writes += 1;
            s.out.clear();
            if s.out.capacity() > 4 * 1024 * 1024 {
                s.out.shrink_to(IO_BUF);
            }
        }
        if outcome.close || server.is_shutting_down() {
            break;
        }
        let read_size =
            s.parser.pending_bulk().map_or(IO_BUF, |need| need.saturating_sub(s.qb.len()).clamp(IO_BUF, 1 << 20));
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
            match outcome.idle_deadline {
                Some(at) if !outcome.blocked => tokio::time::sleep_until(at.into()).await,
                _ => std::future::pending().await,
            }
        };
        tokio::select! {
            biased;
            _ = shutdown.changed() => break,
            _ = wake.notified() => {}
            read = stream.read_buf(&mut s.qb.data) => {
                s.reads += 1;
                match read {
                    Ok(0) | Err(_) => break,
                    Ok(n) => s.read += n,
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
    unregister(&server, &s);
    let _ = stream.shutdown().await;
}

fn register(server: &Server, transport: Transport) -> Option<(u64, Arc<tokio::sync::Notify>)> {
    let mut st = server.state();
    if st.clients.len() >= st.hot.maxclients {
        st.stats.rejected_connections += 1;
        return None;
    }
    let id = st.next_client_id;
    st.next_client_id += 1;
    st.stats.connections_received += 1;
    // The server's first client descriptor after its listeners; only shown in CLIENT LIST.
    let fd = 8 + st.clients.len() as u64;
    let client = ClientState::new(id, transport, fd, !st.hot.auth_required);
    let wake = client.wake.clone();
    st.clients.insert(id, client);
    Some((id, wake))
}

fn unregister(server: &Server, s: &Session) {
    let mut st = server.state();
    // The read that found the connection closed counts too.
    st.stats.reads_processed += s.reads;
    st.stats.net_output_bytes += s.written as u64;
    st.stats.writes_processed += s.writes;
    if let Some(mut client) = st.clients.remove(&s.id) {
        commands::pubsub::unsubscribe_all(&mut st, &mut client);
        st.unwatch_all(&mut client);
        st.remove_blocked(&mut client);
    }
}

fn idle_expired(server: &Server, id: u64) -> bool {
    let st = server.state();
    let secs = st.hot.timeout;
    st.clients.get(&id).is_some_and(|c| {
        secs > 0 && !c.in_pubsub() && c.blocked.is_none() && c.last_interaction.elapsed().as_secs() >= secs as u64
    })
}

/// One turn under the lock: account the I/O since the last turn, enforce the query buffer
/// limits, run every complete command, collect pushes for this client.
fn cycle(server: &Server, s: &mut Session) -> Outcome {
    let mut st = server.state();
    let Some(mut client) = st.clients.remove(&s.id) else {
        return Outcome { close: true, ..Outcome::default() };
    };
    let mut outcome = Outcome::default();
    st.stats.reads_processed += std::mem::take(&mut s.reads);
    st.stats.writes_processed += std::mem::take(&mut s.writes);
    if s.written > 0 {
        st.stats.net_output_bytes += s.written as u64;
        client.net_out += s.written as u64;
        s.written = 0;
    }
    if s.read > 0 {
        let n = std::mem::take(&mut s.read) as u64;
        st.stats.net_input_bytes += n;
        client.net_in += n;
        client.last_interaction = Instant::now();
        let queued: usize = client.multi.as_ref().map_or(0, |m| m.queue.iter().map(Argv::bytes).sum());
        let size = s.qb.len() + queued;
        let auth_required = st.hot.auth_required && !client.authenticated;
        if size > st.hot.query_buffer_limit || (auth_required && size > UNAUTH_MAX_QUERY_BUFFER) {
            st.stats.query_buffer_limit_disconnections += 1;
            st.clients.insert(s.id, client);
            return Outcome { close: true, ..Outcome::default() };
        }
    }
    s.out.append(&mut client.outbox);
    if client.kill {
        st.clients.insert(s.id, client);
        return Outcome { close: true, ..Outcome::default() };
    }
    let quote_tail = server.profile.loader.text_after_closing_quote;
    loop {
        if client.blocked.is_some() || client.close_after_reply || client.kill {
            break;
        }
        let limits = Limits {
            proto_max_bulk_len: st.hot.proto_max_bulk_len,
            authenticated: client.authenticated || !st.hot.auth_required,
            quote_tail,
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
    if st.hot.timeout > 0 && !client.in_pubsub() {
        outcome.idle_deadline = Some(client.last_interaction + Duration::from_secs(st.hot.timeout as u64));
    }
    outcome.close = client.close_after_reply || client.kill;
    st.clients.insert(s.id, client);
    outcome
}
