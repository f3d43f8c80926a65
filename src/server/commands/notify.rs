//! Keyspace notifications (`notify-keyspace-events`): each write publishes its event on
//! `__keyspace@<db>__:<key>` and `__keyevent@<db>__:<event>`, as the server does, for the
//! classes the config enables. Costs nothing while the config is empty.

use crate::server::client::ClientState;
use crate::server::keyspace::glob_match;
use crate::server::reply::Reply;
use crate::server::state::State;

pub const KEYSPACE: u32 = 1 << 0;
pub const KEYEVENT: u32 = 1 << 1;
pub const GENERIC: u32 = 1 << 2;
pub const STRING: u32 = 1 << 3;
pub const LIST: u32 = 1 << 4;
pub const SET: u32 = 1 << 5;
pub const HASH: u32 = 1 << 6;
pub const ZSET: u32 = 1 << 7;
pub const EXPIRED: u32 = 1 << 8;
pub const EVICTED: u32 = 1 << 9;
pub const STREAM: u32 = 1 << 10;
pub const KEY_MISS: u32 = 1 << 11;
pub const MODULE: u32 = 1 << 12;
pub const NEW: u32 = 1 << 13;
const ALL: u32 = GENERIC | STRING | LIST | SET | HASH | ZSET | EXPIRED | EVICTED | STREAM | MODULE;

/// `keyspaceEventsStringToFlags`.
pub fn parse_flags(s: &str) -> u32 {
    let mut flags = 0;
    for c in s.chars() {
        flags |= match c {
            'A' => ALL,
            'g' => GENERIC,
            '$' => STRING,
            'l' => LIST,
            's' => SET,
            'h' => HASH,
            'z' => ZSET,
            'x' => EXPIRED,
            'e' => EVICTED,
            'K' => KEYSPACE,
            'E' => KEYEVENT,
            't' => STREAM,
            'm' => KEY_MISS,
            'd' => MODULE,
            'n' => NEW,
            _ => 0,
        };
    }
    flags
}

/// Publishes one event. `current` is the client running the command (it is out of the
/// client table while it runs); none for events of the expiry cycle.
pub fn emit(st: &mut State, mut current: Option<&mut ClientState>, class: u32, event: &str, key: &[u8], db: usize) {
    let flags = st.hot.notify_flags;
    if flags & class == 0 || flags & (KEYSPACE | KEYEVENT) == 0 {
        return;
    }
    if flags & KEYSPACE != 0 {
        let mut channel = format!("__keyspace@{db}__:").into_bytes();
        channel.extend_from_slice(key);
        publish(st, current.as_deref_mut(), &channel, event.as_bytes());
    }
    if flags & KEYEVENT != 0 {
        let channel = format!("__keyevent@{db}__:{event}").into_bytes();
        publish(st, current, &channel, key);
    }
}

/// Delivers to channel and pattern subscribers without a PUBLISH reply.
fn publish(st: &mut State, mut current: Option<&mut ClientState>, channel: &[u8], message: &[u8]) {
    let mut targets: Vec<(u64, Option<Vec<u8>>)> =
        st.pubsub.channels.get(channel).map(|ids| ids.iter().map(|&id| (id, None)).collect()).unwrap_or_default();
    for (pattern, ids) in &st.pubsub.patterns {
        if glob_match(pattern, channel, false) {
            targets.extend(ids.iter().map(|&id| (id, Some(pattern.clone()))));
        }
    }
    for (id, pattern) in targets {
        let client = match current.as_deref_mut() {
            Some(c) if c.id == id => Some(c),
            _ => st.clients.get_mut(&id),
        };
        let Some(client) = client else { continue };
        let resp3 = client.resp3();
        let mut r = Reply::new(&mut client.outbox, resp3);
        match &pattern {
            None => {
                r.push(3);
                r.bulk(b"message");
            }
            Some(p) => {
                r.push(4);
                r.bulk(b"pmessage");
                r.bulk(p);
            }
        }
        r.bulk(channel);
        r.bulk(message);
        client.wake.notify_one();
    }
}

/// Emits the `new` events of keys created since the last call (they precede the event of
/// the command that created them).
pub fn flush_new(st: &mut State, mut current: Option<&mut ClientState>) {
    for db in 0..st.dbs.len() {
        if !st.dbs[db].has_created() {
            continue;
        }
        for key in st.dbs[db].take_created() {
            emit(st, current.as_deref_mut(), NEW, "new", &key, db);
        }
    }
}
