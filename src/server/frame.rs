//! RESP2 and RESP3 values as they travel from a server: a resumable decoder (feed bytes as
//! they arrive, get whole frames out) that keeps every frame re-encodable to the exact bytes
//! it came from. Used to talk to real servers (tests, validation) and to split reply streams
//! for comparison. Limits protect the reader: nesting depth, aggregate and bulk sizes, and no
//! allocation from a declared length before the bytes arrive.

#[derive(Debug, Clone, PartialEq)]
pub enum Frame {
    Simple(Vec<u8>),
    Error(Vec<u8>),
    Integer(i64),
    Bulk(Vec<u8>),
    /// `$-1`
    NullBulk,
    /// `*-1`
    NullArray,
    /// `_` (RESP3)
    Null,
    Array(Vec<Frame>),
    /// `%`: keys and values alternate.
    Map(Vec<Frame>),
    Set(Vec<Frame>),
    Push(Vec<Frame>),
    /// `|`: attributes that precede the next frame; keys and values alternate.
    Attribute(Vec<Frame>),
    /// `,` with its text kept, so `1.5` and `1.50` stay distinct.
    Double(Vec<u8>),
    Boolean(bool),
    BigNumber(Vec<u8>),
    /// `=`: the three-letter format and the text.
    Verbatim([u8; 3], Vec<u8>),
    /// `!`
    BlobError(Vec<u8>),
}

impl Frame {
    pub fn encode(&self, out: &mut Vec<u8>) {
        fn line(out: &mut Vec<u8>, kind: u8, body: &[u8]) {
            out.push(kind);
            out.extend_from_slice(body);
            out.extend_from_slice(b"\r\n");
        }
        fn blob(out: &mut Vec<u8>, kind: u8, body: &[u8]) {
            line(out, kind, body.len().to_string().as_bytes());
            out.extend_from_slice(body);
            out.extend_from_slice(b"\r\n");
        }
        fn aggregate(out: &mut Vec<u8>, kind: u8, items: &[Frame], pairs: bool) {
            let n = if pairs { items.len() / 2 } else { items.len() };
            line(out, kind, n.to_string().as_bytes());
            for f in items {
                f.encode(out);
            }
        }
        match self {
            Frame::Simple(s) => line(out, b'+', s),
            Frame::Error(s) => line(out, b'-', s),
            Frame::Integer(i) => line(out, b':', i.to_string().as_bytes()),
            Frame::Bulk(b) => blob(out, b'$', b),
            Frame::NullBulk => out.extend_from_slice(b"$-1\r\n"),
            Frame::NullArray => out.extend_from_slice(b"*-1\r\n"),
            Frame::Null => out.extend_from_slice(b"_\r\n"),
            Frame::Array(items) => aggregate(out, b'*', items, false),
            Frame::Map(items) => aggregate(out, b'%', items, true),
            Frame::Set(items) => aggregate(out, b'~', items, false),
            Frame::Push(items) => aggregate(out, b'>', items, false),
            Frame::Attribute(items) => aggregate(out, b'|', items, true),
            Frame::Double(t) => line(out, b',', t),
            Frame::Boolean(b) => line(out, b'#', if *b { b"t" } else { b"f" }),
            Frame::BigNumber(t) => line(out, b'(', t),
            Frame::Verbatim(fmt, text) => {
                let mut body = fmt.to_vec();
                body.push(b':');
                body.extend_from_slice(text);
                blob(out, b'=', &body);
            }
            Frame::BlobError(b) => blob(out, b'!', b),
        }
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.encode(&mut out);
        out
    }

    /// The payload of a string-like frame.
    pub fn as_bytes(&self) -> Option<&[u8]> {
        match self {
            Frame::Simple(b) | Frame::Bulk(b) | Frame::Verbatim(_, b) | Frame::Error(b) => Some(b),
            _ => None,
        }
    }

    pub fn children_mut(&mut self) -> Option<&mut Vec<Frame>> {
        match self {
            Frame::Array(v) | Frame::Map(v) | Frame::Set(v) | Frame::Push(v) | Frame::Attribute(v) => Some(v),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub struct DecodeLimits {
    pub max_depth: usize,
    pub max_bulk: usize,
    pub max_aggregate: usize,
}

impl Default for DecodeLimits {
    fn default() -> Self {
        DecodeLimits { max_depth: 128, max_bulk: 512 * 1024 * 1024, max_aggregate: 1 << 31 }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("invalid RESP type byte {0:#04x}")]
    BadType(u8),
    #[error("invalid length or number in {0:?}")]
    BadNumber(String),
    #[error("nesting deeper than {0}")]
    TooDeep(usize),
    #[error("a declared size of {0} exceeds the limit")]
    TooBig(u64),
}

#[derive(Debug)]
struct Open {
    kind: u8,
    left: usize,
    items: Vec<Frame>,
}

/// Feed bytes with [`Decoder::feed`], take frames with [`Decoder::next_frame`]. State survives
/// between calls, so a frame may arrive one byte at a time.
#[derive(Debug, Default)]
pub struct Decoder {
    buf: Vec<u8>,
    pos: usize,
    stack: Vec<Open>,
    limits: DecodeLimits,
}

impl Decoder {
    pub fn new(limits: DecodeLimits) -> Self {
        Decoder { limits, ..Decoder::default() }
    }

    pub fn feed(&mut self, bytes: &[u8]) {
        if self.pos > 0 && self.pos == self.buf.len() {
            self.buf.clear();
            self.pos = 0;
        }
        self.buf.extend_from_slice(bytes);
    }

    /// Bytes received but not yet part of a complete element.
    pub fn buffered(&self) -> usize {
        self.buf.len() - self.pos
    }

    /// Whether a frame has started but not finished.
    pub fn in_frame(&self) -> bool {
        !self.stack.is_empty() || self.buffered() > 0
    }

    pub fn next_frame(&mut self) -> Result<Option<Frame>, DecodeError> {
        loop {
            let Some(element) = self.element()? else { return Ok(None) };
            let mut done = match element {
                Element::Leaf(f) => f,
                Element::Open(kind, len) => {
                    if self.stack.len() >= self.limits.max_depth {
                        return Err(DecodeError::TooDeep(self.limits.max_depth));
                    }
                    let want = if matches!(kind, b'%' | b'|') { len * 2 } else { len };
                    // Capacity follows the elements as they arrive, never the declared count.
                    self.stack.push(Open { kind, left: want, items: Vec::with_capacity(want.min(64)) });
                    match self.close_finished() {
                        Some(f) => f,
                        None => continue,
                    }
                }
            };
            loop {
                let Some(top) = self.stack.last_mut() else { return Ok(Some(done)) };
                top.items.push(done);
                top.left -= 1;
                match self.close_finished() {
                    Some(f) => done = f,
                    None => break,
                }
            }
        }
    }

    fn close_finished(&mut self) -> Option<Frame> {
        if self.stack.last()?.left > 0 {
            return None;
        }
        let open = self.stack.pop()?;
        Some(match open.kind {
            b'*' => Frame::Array(open.items),
            b'%' => Frame::Map(open.items),
            b'~' => Frame::Set(open.items),
            b'>' => Frame::Push(open.items),
            _ => Frame::Attribute(open.items),
        })
    }

    fn element(&mut self) -> Result<Option<Element>, DecodeError> {
        let data = &self.buf[self.pos..];
        let Some(&kind) = data.first() else { return Ok(None) };
        let Some(lf) = memchr::memchr(b'\n', data) else { return Ok(None) };
        if lf < 1 || data[lf - 1] != b'\r' {
            return Err(DecodeError::BadNumber(String::from_utf8_lossy(&data[..lf]).into_owned()));
        }
        let body = &data[1..lf - 1];
        let header_len = lf + 1;
        let number = |b: &[u8]| -> Result<i64, DecodeError> {
            std::str::from_utf8(b)
                .ok()
                .and_then(|s| s.parse().ok())
                .ok_or_else(|| DecodeError::BadNumber(String::from_utf8_lossy(b).into_owned()))
        };
        let leaf = |f: Frame| (Element::Leaf(f), header_len);
        let (element, used) = match kind {
            b'+' => leaf(Frame::Simple(body.to_vec())),
            b'-' => leaf(Frame::Error(body.to_vec())),
            b':' => leaf(Frame::Integer(number(body)?)),
            b',' => leaf(Frame::Double(body.to_vec())),
            b'(' => leaf(Frame::BigNumber(body.to_vec())),
            b'#' => match body {
                b"t" => leaf(Frame::Boolean(true)),
                b"f" => leaf(Frame::Boolean(false)),
                _ => return Err(DecodeError::BadNumber(String::from_utf8_lossy(body).into_owned())),
            },
            b'_' => leaf(Frame::Null),
            b'$' | b'=' | b'!' => {
                let n = number(body)?;
                if n == -1 && kind == b'$' {
                    leaf(Frame::NullBulk)
                } else {
                    if n < 0 {
                        return Err(DecodeError::BadNumber(n.to_string()));
                    }
                    if n as u64 > self.limits.max_bulk as u64 {
                        return Err(DecodeError::TooBig(n as u64));
                    }
                    let n = n as usize;
                    if data.len() < header_len + n + 2 {
                        return Ok(None);
                    }
                    let payload = data[header_len..header_len + n].to_vec();
                    let frame = match kind {
                        b'$' => Frame::Bulk(payload),
                        b'!' => Frame::BlobError(payload),
                        _ => {
                            if payload.len() < 4 || payload[3] != b':' {
                                return Err(DecodeError::BadNumber("verbatim format".into()));
                            }
                            Frame::Verbatim([payload[0], payload[1], payload[2]], payload[4..].to_vec())
                        }
                    };
                    (Element::Leaf(frame), header_len + n + 2)
                }
            }
            b'*' | b'%' | b'~' | b'>' | b'|' => {
                let n = number(body)?;
                if n == -1 && kind == b'*' {
                    (Element::Leaf(Frame::NullArray), header_len)
                } else {
                    if n < 0 {
                        return Err(DecodeError::BadNumber(n.to_string()));
                    }
                    if n as u64 > self.limits.max_aggregate as u64 {
                        return Err(DecodeError::TooBig(n as u64));
                    }
                    (Element::Open(kind, n as usize), header_len)
                }
            }
            other => return Err(DecodeError::BadType(other)),
        };
        self.pos += used;
        Ok(Some(element))
    }
}

enum Element {
    Leaf(Frame),
    Open(u8, usize),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_round_trip_byte_for_byte_when_fed_one_byte_at_a_time() {
        let wire: &[u8] = b"%2\r\n$6\r\nserver\r\n$6\r\nvalkey\r\n$5\r\nproto\r\n:3\r\n*-1\r\n$-1\r\n_\r\n>3\r\n$7\r\nmessage\r\n$1\r\nc\r\n$1\r\nm\r\n,1.50\r\n=8\r\ntxt:abcd\r\n*0\r\n";
        let mut d = Decoder::default();
        let mut frames = Vec::new();
        for &b in wire {
            d.feed(&[b]);
            while let Some(f) = d.next_frame().unwrap() {
                frames.push(f);
            }
        }
        assert_eq!(frames.len(), 8);
        let again: Vec<u8> = frames.iter().flat_map(Frame::to_bytes).collect();
        assert_eq!(again, wire);
        assert!(!d.in_frame());
    }

    #[test]
    fn limits_hold() {
        let mut d = Decoder::new(DecodeLimits { max_depth: 3, ..DecodeLimits::default() });
        d.feed(b"*1\r\n*1\r\n*1\r\n*1\r\n:1\r\n");
        assert_eq!(d.next_frame(), Err(DecodeError::TooDeep(3)));
        let mut d = Decoder::default();
        d.feed(b"$99999999999\r\n");
        assert!(matches!(d.next_frame(), Err(DecodeError::TooBig(_))));
        let mut d = Decoder::default();
        d.feed(b"*2147483647\r\n:1\r\n");
        assert_eq!(d.next_frame(), Ok(None));
        assert!(d.stack[0].items.capacity() <= 64);
    }
}
