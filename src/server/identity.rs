//! Replies taken from the profile's record of the real server: HELLO fields, the module
//! list, and RESP values as captured.

use super::reply::Reply;
use crate::knowledge::profile::{Hello, RespValue};

/// Writes a recorded value in the client's protocol (a recorded RESP3 map becomes a flat
/// array in RESP2, and so on).
pub fn write_value(reply: &mut Reply, v: &RespValue) {
    match v {
        RespValue::Bulk(s) => reply.bulk(s.as_bytes()),
        RespValue::Simple(s) => reply.simple(s),
        RespValue::Integer(i) => reply.int(*i),
        RespValue::Array(items) => {
            reply.array(items.len());
            for i in items {
                write_value(reply, i);
            }
        }
        RespValue::Set(items) => {
            reply.set(items.len());
            for i in items {
                write_value(reply, i);
            }
        }
        RespValue::Map(pairs) => {
            reply.map(pairs.len());
            for (k, val) in pairs {
                write_value(reply, k);
                write_value(reply, val);
            }
        }
        RespValue::Verbatim(s) => reply.verbatim(s.as_bytes()),
        RespValue::Null(_) => reply.null(),
        RespValue::NullBulk(_) => reply.null(),
        RespValue::NullArray(_) => reply.null_array(),
        RespValue::Boolean(b) => reply.bool(*b),
        RespValue::Double(d) => match d.parse::<f64>() {
            Ok(v) => reply.double(v),
            Err(_) => reply.bulk(d.as_bytes()),
        },
    }
}

/// The recorded HELLO reply for the client's protocol (RESP3's when it exists).
pub fn hello_record(profile: &crate::knowledge::Profile, resp3: bool) -> Option<&Hello> {
    if resp3 {
        profile.identity.hello3.as_ref().or(profile.identity.hello2.as_ref())
    } else {
        profile.identity.hello2.as_ref()
    }
}

/// A recorded HELLO field (`modules`, `mode`, …).
pub fn hello_field<'p>(profile: &'p crate::knowledge::Profile, resp3: bool, field: &str) -> Option<&'p RespValue> {
    hello_record(profile, resp3)?.fields.iter().find(|f| f.field == field).map(|f| &f.value)
}
