//! Normalisers of the session harness: each one hides a difference the script names as
//! legitimate (ids, times, hash-table order), and nothing else.

use super::harness::knowledge;
use valkey_migrate::server::frame::Frame;

#[derive(Debug, Clone, Default)]
pub struct Norm {
    pub sort: bool,
    pub ints: bool,
    pub shape: bool,
    pub fields: Vec<String>,
    /// Mask the INFO fields the profile records as volatile or environment-specific.
    pub info: bool,
    /// Sort the lines of each `# Section` of a text reply (sections whose lines come in
    /// hash-table order, like Commandstats).
    pub sortlines: bool,
    /// Sort the key/value pairs of a map (or flat key/value array) reply.
    pub sortpairs: bool,
}

pub fn normalise(f: &mut Frame, norm: &Norm, profile: &str) {
    let mut fields = norm.fields.clone();
    if norm.info {
        fields.extend(info_volatile_fields(profile));
    }
    if !fields.is_empty() {
        mask_fields(f, &fields);
    }
    if norm.sortlines {
        walk(f, &mut |leaf| {
            if let Frame::Bulk(b) | Frame::Verbatim(_, b) = leaf {
                let text = String::from_utf8_lossy(b).into_owned();
                let mut out = String::new();
                for block in text.split("\r\n\r\n") {
                    let mut lines: Vec<&str> = block.split("\r\n").collect();
                    let header =
                        if lines.first().is_some_and(|l| l.starts_with('#')) { Some(lines.remove(0)) } else { None };
                    lines.sort_unstable();
                    if !out.is_empty() {
                        out.push_str("\r\n\r\n");
                    }
                    out.push_str(&header.into_iter().chain(lines).collect::<Vec<_>>().join("\r\n"));
                }
                *b = out.into_bytes();
            }
        });
    }
    if norm.ints {
        walk(f, &mut |leaf| {
            if let Frame::Integer(i) = leaf {
                *i = 0;
            }
        });
    }
    if norm.shape {
        walk(f, &mut |leaf| match leaf {
            Frame::Integer(i) => *i = 0,
            Frame::Bulk(b) | Frame::Simple(b) | Frame::Double(b) => *b = b"*".to_vec(),
            Frame::Verbatim(_, b) => *b = b"*".to_vec(),
            _ => {}
        });
    }
    if norm.sortpairs {
        if let Some(children) = f.children_mut() {
            let mut pairs: Vec<Vec<Frame>> = children.chunks(2).map(<[Frame]>::to_vec).collect();
            pairs.sort_by_key(|p| p[0].to_bytes());
            *children = pairs.into_iter().flatten().collect();
        }
    }
    if norm.sort {
        if let Some(children) = f.children_mut() {
            children.sort_by_key(Frame::to_bytes);
        }
    }
}

fn walk(f: &mut Frame, visit: &mut impl FnMut(&mut Frame)) {
    match f.children_mut() {
        Some(children) => {
            for c in children {
                walk(c, visit);
            }
        }
        None => visit(f),
    }
}

/// Masks the values of named fields: `name=value` tokens and `name:value` lines in text
/// replies, and the value following a `name` key in maps and flat key/value arrays.
fn mask_fields(f: &mut Frame, fields: &[String]) {
    if let Some(children) = f.children_mut() {
        let mut mask_next = false;
        for c in children.iter_mut() {
            if mask_next {
                match c {
                    Frame::Integer(i) => *i = 0,
                    Frame::Bulk(b) | Frame::Simple(b) => *b = b"*".to_vec(),
                    _ => {}
                }
                mask_next = false;
                continue;
            }
            if let Frame::Bulk(k) | Frame::Simple(k) = c {
                if fields.iter().any(|name| name.as_bytes() == k.as_slice()) {
                    mask_next = true;
                    continue;
                }
            }
            mask_fields(c, fields);
        }
        return;
    }
    let text = match f {
        Frame::Bulk(b) | Frame::Verbatim(_, b) => b,
        _ => return,
    };
    let s = String::from_utf8_lossy(text).into_owned();
    let masked: Vec<String> = s
        .split('\n')
        .map(|line| {
            let line_masked: Vec<String> = line
                .split(' ')
                .map(|word| {
                    word.split(',')
                        .map(|tok| match tok.split_once('=') {
                            // The first pair of a per-item line carries its name: `cmdstat_get:calls=1`.
                            Some((k, v)) if fields.iter().any(|f| f == k.rsplit(':').next().unwrap_or(k)) => {
                                format!("{k}=*{}", if v.ends_with('\r') { "\r" } else { "" })
                            }
                            _ => tok.to_string(),
                        })
                        .collect::<Vec<_>>()
                        .join(",")
                })
                .collect();
            let joined = line_masked.join(" ");
            match joined.split_once(':') {
                Some((k, v)) if fields.iter().any(|f| f == k) => {
                    format!("{k}:*{}", if v.ends_with('\r') { "\r" } else { "" })
                }
                _ => joined,
            }
        })
        .collect();
    *text = masked.join("\n").into_bytes();
}

/// The INFO fields the profile's generator saw change between two runs of the real server
/// (`volatile`) or that describe the machine (`environment`), and the keys of per-item lines
/// (`cmdstat_<cmd>:usec=…`) whose recorded example shows `…` for a timing.
fn info_volatile_fields(profile: &str) -> Vec<String> {
    let p = knowledge().profile(profile).expect("profile");
    let fields = p.identity.info.iter().flat_map(|s| s.fields.iter()).filter(|f| f.volatile || f.environment);
    let per_item = p
        .identity
        .info
        .iter()
        .filter_map(|s| s.dynamic_example.as_deref())
        .filter_map(|example| example.split_once(':').map(|(_, values)| values))
        .flat_map(|values| values.split(','))
        .filter_map(|pair| pair.split_once('=').filter(|(_, v)| *v == "…").map(|(k, _)| k.to_string()));
    fields.map(|f| f.name.clone()).chain(per_item).collect()
}
