//! Reading requests as the server does (`processInputBuffer`): RESP multibulk arrays and
//! inline commands, resumable across reads, with the server's limits and exact protocol
//! error texts. Nothing is allocated from a declared length: a bulk is taken only once all
//! of its bytes are in the buffer, which grows only as bytes arrive.

use super::num::parse_i64;
use crate::knowledge::profile::QuoteTail;
use crate::knowledge::profile::cparse::split_args;

/// `PROTO_INLINE_MAX_SIZE`: the longest line (inline command, or count line) without its end.
pub const INLINE_MAX_SIZE: usize = 64 * 1024;
/// Limits on what a client that has not authenticated may send.
const UNAUTH_MAX_ARGS: i64 = 10;
const UNAUTH_MAX_BULK: i64 = 16384;
pub const UNAUTH_MAX_QUERY_BUFFER: usize = 1024 * 1024;
const INVALID_CRLF: &str = "Protocol error: invalid CRLF in request";

/// The arguments of one command, stored back to back in one reusable buffer.
#[derive(Debug, Default, Clone)]
pub struct Argv {
    data: Vec<u8>,
    ends: Vec<usize>,
}

impl Argv {
    pub fn from_slices<S: AsRef<[u8]>>(args: &[S]) -> Self {
        let mut a = Argv::default();
        for s in args {
            a.push(s.as_ref());
        }
        a
    }

    pub fn clear(&mut self) {
        self.data.clear();
        self.ends.clear();
    }

    pub fn push(&mut self, arg: &[u8]) {
        self.data.extend_from_slice(arg);
        self.ends.push(self.data.len());
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    pub fn get(&self, i: usize) -> &[u8] {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.data[start..self.ends[i]]
    }

    pub fn iter(&self) -> impl ExactSizeIterator<Item = &[u8]> + '_ {
        (0..self.len()).map(|i| self.get(i))
    }

    /// Total bytes of the arguments (`argv_len_sum`).
    pub fn bytes(&self) -> usize {
        self.data.len()
    }

    /// Replaces the arguments (commands that rewrite their argv for replication do not
    /// matter here, but blocking commands keep a copy to run again).
    pub fn to_vec(&self) -> Vec<Vec<u8>> {
        self.iter().map(<[u8]>::to_vec).collect()
    }
}

/// The limits that apply while parsing (from the live config).
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub proto_max_bulk_len: i64,
    pub authenticated: bool,
    /// What the tokeniser does with text after a closing quote (Valkey 9 joins `"a"b`
    /// into `ab`; earlier servers refuse it).
    pub quote_tail: QuoteTail,
}

#[derive(Debug, PartialEq, Eq)]
pub enum Parse {
    /// A command is in the argv.
    Command,
    /// An empty line or a `*0`/`*-1` header: nothing to run, keep going.
    Empty,
    /// More bytes are needed.
    Incomplete,
    /// A protocol error: reply with this text and close the connection.
    Error(String),
}

#[derive(Debug, Default)]
pub struct RequestParser {
    /// Arguments still expected in the multibulk in progress (0 outside one).
    multibulk_left: i64,
    /// Length of the bulk whose header was read, -1 before it.
    bulk_len: i64,
    in_multibulk: bool,
}

/// The server's query buffer: bytes read but not yet parsed start at `pos`.
#[derive(Debug, Default)]
pub struct QueryBuffer {
    pub data: Vec<u8>,
    pub pos: usize,
}

impl QueryBuffer {
    pub fn pending(&self) -> &[u8] {
        &self.data[self.pos..]
    }

    pub fn len(&self) -> usize {
        self.data.len() - self.pos
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Drops the parsed prefix once it dominates the buffer, so the buffer does not grow
    /// with the total traffic of a long-lived connection.
    pub fn compact(&mut self) {
        if self.pos == self.data.len() {
            self.data.clear();
            self.pos = 0;
        } else if self.pos > 4096 && self.pos * 2 > self.data.len() {
            self.data.drain(..self.pos);
            self.pos = 0;
        }
    }
}

impl RequestParser {
    pub fn new() -> Self {
        RequestParser { multibulk_left: 0, bulk_len: -1, in_multibulk: false }
    }

    /// Whether a multibulk request is half read (its header or some arguments consumed).
    pub fn in_progress(&self) -> bool {
        self.in_multibulk
    }

    /// Bytes of the bulk being waited for, so the reader can size its next read to it.
    pub fn pending_bulk(&self) -> Option<usize> {
        (self.in_multibulk && self.bulk_len >= 0).then(|| self.bulk_len as usize + 2)
    }

    pub fn parse(&mut self, buf: &mut QueryBuffer, argv: &mut Argv, limits: Limits) -> Parse {
        if !self.in_multibulk {
            argv.clear();
            let Some(&first) = buf.pending().first() else { return Parse::Incomplete };
            if first != b'*' {
                return parse_inline(buf, argv, limits.quote_tail);
            }
        }
        self.parse_multibulk(buf, argv, limits)
    }

    fn parse_multibulk(&mut self, buf: &mut QueryBuffer, argv: &mut Argv, limits: Limits) -> Parse {
        if !self.in_multibulk {
            let pending = buf.pending();
            let Some(cr) = find_c_string_byte(pending, b'\r') else {
                if pending.len() > INLINE_MAX_SIZE {
                    return Parse::Error("Protocol error: too big mbulk count string".into());
                }
                return Parse::Incomplete;
            };
            if cr + 2 > pending.len() {
                return Parse::Incomplete;
            }
            if pending[cr + 1] != b'\n' {
                return Parse::Error(INVALID_CRLF.into());
            }
            let count = match parse_i64(&pending[1..cr]) {
                Some(n) if n <= i64::from(i32::MAX) => n,
                _ => return Parse::Error("Protocol error: invalid multibulk length".into()),
            };
            if count > UNAUTH_MAX_ARGS && !limits.authenticated {
                return Parse::Error("Protocol error: unauthenticated multibulk length".into());
            }
            buf.pos += cr + 2;
            if count <= 0 {
                return Parse::Empty;
            }
            self.in_multibulk = true;
            self.multibulk_left = count;
            self.bulk_len = -1;
        }
        while self.multibulk_left > 0 {
            if self.bulk_len == -1 {
                let pending = buf.pending();
                let Some(cr) = find_c_string_byte(pending, b'\r') else {
                    if pending.len() > INLINE_MAX_SIZE {
                        return Parse::Error("Protocol error: too big bulk count string".into());
                    }
                    return Parse::Incomplete;
                };
                if cr + 2 > pending.len() {
                    return Parse::Incomplete;
                }
                if pending[cr + 1] != b'\n' {
                    return Parse::Error(INVALID_CRLF.into());
                }
                if pending[0] != b'$' {
                    let got = pending[0] as char;
                    return Parse::Error(format!("Protocol error: expected '$', got '{got}'"));
                }
                let len = match parse_i64(&pending[1..cr]) {
                    Some(n) if n >= 0 && n <= limits.proto_max_bulk_len => n,
                    _ => return Parse::Error("Protocol error: invalid bulk length".into()),
                };
                if len > UNAUTH_MAX_BULK && !limits.authenticated {
                    return Parse::Error("Protocol error: unauthenticated bulk length".into());
                }
                buf.pos += cr + 2;
                self.bulk_len = len;
            }
            let need = self.bulk_len as usize + 2;
            if buf.len() < need {
                return Parse::Incomplete;
            }
            let start = buf.pos;
            if &buf.data[start + self.bulk_len as usize..start + need] != b"\r\n" {
                return Parse::Error(INVALID_CRLF.into());
            }
            argv.push(&buf.data[start..start + self.bulk_len as usize]);
            buf.pos += need;
            self.bulk_len = -1;
            self.multibulk_left -= 1;
        }
        self.in_multibulk = false;
        Parse::Command
    }
}

fn parse_inline(buf: &mut QueryBuffer, argv: &mut Argv, quote_tail: QuoteTail) -> Parse {
    let pending = buf.pending();
    let Some(nl) = find_c_string_byte(pending, b'\n') else {
        if pending.len() > INLINE_MAX_SIZE {
            return Parse::Error("Protocol error: too big inline request".into());
        }
        return Parse::Incomplete;
    };
    let line_end = if nl > 0 && pending[nl - 1] == b'\r' { nl - 1 } else { nl };
    let Ok(tokens) = split_args(&pending[..line_end], quote_tail) else {
        return Parse::Error("Protocol error: unbalanced quotes in request".into());
    };
    buf.pos += nl + 1;
    if tokens.is_empty() {
        return Parse::Empty;
    }
    for arg in tokens {
        argv.push(&arg);
    }
    Parse::Command
}

/// `strchr` on the query buffer: the search stops at a NUL byte, which the server treats as
/// the end of the data.
fn find_c_string_byte(data: &[u8], needle: u8) -> Option<usize> {
    let at = memchr::memchr2(needle, 0, data)?;
    (data[at] == needle).then_some(at)
}

#[cfg(test)]
mod tests {
    use super::*;

    const OPEN: Limits =
        Limits { proto_max_bulk_len: 512 * 1024 * 1024, authenticated: true, quote_tail: QuoteTail::Refused };

    fn run(input: &[u8], limits: Limits) -> Vec<Result<Vec<String>, String>> {
        let mut buf = QueryBuffer::default();
        let mut parser = RequestParser::new();
        let mut argv = Argv::default();
        let mut out = Vec::new();
        // Feed one byte at a time: every request must survive being split anywhere.
        for &b in input {
            buf.data.push(b);
            loop {
                match parser.parse(&mut buf, &mut argv, limits) {
                    Parse::Command => {
                        out.push(Ok(argv.iter().map(|a| String::from_utf8_lossy(a).into_owned()).collect()))
                    }
                    Parse::Empty => {}
                    Parse::Incomplete => break,
                    Parse::Error(e) => {
                        out.push(Err(e));
                        return out;
                    }
                }
            }
        }
        out
    }

    #[test]
    fn multibulk_and_inline_split_anywhere() {
        let got = run(b"*2\r\n$3\r\nGET\r\n$1\r\nk\r\nSET a \"b c\"\r\n*0\r\n\r\nPING\n*-1\r\n", OPEN);
        assert_eq!(
            got,
            vec![
                Ok(vec!["GET".into(), "k".into()]),
                Ok(vec!["SET".into(), "a".into(), "b c".into()]),
                Ok(vec!["PING".into()])
            ]
        );
    }

    #[test]
    fn protocol_errors_carry_the_server_text() {
        let err = |input: &[u8], limits| run(input, limits).pop().unwrap().unwrap_err();
        assert_eq!(err(b"*abc\r\n", OPEN), "Protocol error: invalid multibulk length");
        assert_eq!(err(b"*2147483648\r\n", OPEN), "Protocol error: invalid multibulk length");
        assert_eq!(err(b"*1\r\n$-1\r\n", OPEN), "Protocol error: invalid bulk length");
        assert_eq!(err(b"*1\r\n:1\r\n", OPEN), "Protocol error: expected '$', got ':'");
        assert_eq!(err(b"*1\rX", OPEN), "Protocol error: invalid CRLF in request");
        assert_eq!(err(b"*1\r\n$4\r\nPINGxx", OPEN), "Protocol error: invalid CRLF in request");
        assert_eq!(err(b"SET \"a\r\n", OPEN), "Protocol error: unbalanced quotes in request");
        let small = Limits { proto_max_bulk_len: 4, ..OPEN };
        assert_eq!(err(b"*1\r\n$5\r\n", small), "Protocol error: invalid bulk length");
        let unauth = Limits { authenticated: false, ..OPEN };
        assert_eq!(err(b"*11\r\n", unauth), "Protocol error: unauthenticated multibulk length");
        assert_eq!(err(b"*1\r\n$16385\r\n", unauth), "Protocol error: unauthenticated bulk length");
        let long = vec![b'a'; INLINE_MAX_SIZE + 1];
        assert_eq!(err(&long, OPEN), "Protocol error: too big inline request");
    }

    #[test]
    fn a_declared_length_is_not_allocated_up_front() {
        let mut buf = QueryBuffer::default();
        buf.data.extend_from_slice(b"*1\r\n$536870912\r\nabc");
        let mut parser = RequestParser::new();
        let mut argv = Argv::default();
        assert_eq!(parser.parse(&mut buf, &mut argv, OPEN), Parse::Incomplete);
        assert!(buf.data.capacity() < 1024);
        assert_eq!(parser.pending_bulk(), Some(536870914));
    }
}
