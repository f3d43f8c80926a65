//! Writing replies straight into a connection's output buffer, in RESP2 or RESP3 as the
//! client negotiated with HELLO. Each method mirrors one of the server's `addReply*`
//! helpers, so a command's code reads like the server's and produces the same bytes.

use super::num;

pub struct Reply<'a> {
    pub out: &'a mut Vec<u8>,
    pub resp3: bool,
    /// The error code (`ERR`, `WRONGTYPE`, …) of every error written, for INFO errorstats
    /// and the failed-call counters.
    pub errors: u32,
    pub last_error: Option<String>,
}

impl<'a> Reply<'a> {
    pub fn new(out: &'a mut Vec<u8>, resp3: bool) -> Self {
        Reply { out, resp3, errors: 0, last_error: None }
    }

    pub fn ok(&mut self) {
        self.out.extend_from_slice(b"+OK\r\n");
    }

    pub fn simple(&mut self, s: &str) {
        self.out.push(b'+');
        self.out.extend_from_slice(s.as_bytes());
        self.out.extend_from_slice(b"\r\n");
    }

    /// `addReplyError`: `-ERR ` is prepended unless the text starts with its own `-CODE`.
    /// Line breaks in the text become spaces, so a reply can never be split by user input.
    pub fn error(&mut self, msg: &str) {
        self.out.push(b'-');
        let body = match msg.strip_prefix('-') {
            Some(rest) => rest,
            None => {
                self.out.extend_from_slice(b"ERR ");
                msg
            }
        };
        let start = self.out.len();
        self.out.extend(body.bytes().map(|b| if b == b'\r' || b == b'\n' { b' ' } else { b }));
        let code_end = self.out[start..].iter().position(|&b| b == b' ').map_or(self.out.len(), |p| start + p);
        let code = if msg.starts_with('-') {
            String::from_utf8_lossy(&self.out[start..code_end]).into_owned()
        } else {
            "ERR".into()
        };
        self.out.extend_from_slice(b"\r\n");
        self.errors += 1;
        self.last_error = Some(code);
    }

    /// Error text built from bytes a client sent (names, arguments), written as is.
    pub fn error_bytes(&mut self, msg: &[u8]) {
        self.error(&String::from_utf8_lossy(msg));
    }

    pub fn int(&mut self, v: i64) {
        self.out.push(b':');
        num::push_i64(self.out, v);
        self.out.extend_from_slice(b"\r\n");
    }

    pub fn bulk(&mut self, data: &[u8]) {
        self.out.push(b'$');
        num::push_i64(self.out, data.len() as i64);
        self.out.extend_from_slice(b"\r\n");
        self.out.extend_from_slice(data);
        self.out.extend_from_slice(b"\r\n");
    }

    pub fn bulk_str(&mut self, s: &str) {
        self.bulk(s.as_bytes());
    }

    pub fn bulk_i64(&mut self, v: i64) {
        let mut buf = num::itoa_buf();
        let text = num::format_i64(&mut buf, v);
        self.out.push(b'$');
        num::push_i64(self.out, text.len() as i64);
        self.out.extend_from_slice(b"\r\n");
        self.out.extend_from_slice(text);
        self.out.extend_from_slice(b"\r\n");
    }

    /// A missing value: `$-1` in RESP2, `_` in RESP3.
    pub fn null(&mut self) {
        self.out.extend_from_slice(if self.resp3 { b"_\r\n" } else { b"$-1\r\n" });
    }

    /// A missing aggregate: `*-1` in RESP2, `_` in RESP3.
    pub fn null_array(&mut self) {
        self.out.extend_from_slice(if self.resp3 { b"_\r\n" } else { b"*-1\r\n" });
    }

    pub fn array(&mut self, len: usize) {
        self.header(b'*', len);
    }

    pub fn empty_array(&mut self) {
        self.out.extend_from_slice(b"*0\r\n");
    }

    /// A map of `len` pairs: `%len` in RESP3, a flat array of 2×len in RESP2.
    pub fn map(&mut self, len: usize) {
        if self.resp3 { self.header(b'%', len) } else { self.header(b'*', len * 2) }
    }

    /// A set: `~len` in RESP3, an array in RESP2.
    pub fn set(&mut self, len: usize) {
        self.header(if self.resp3 { b'~' } else { b'*' }, len);
    }

    /// An out-of-band push: `>len` in RESP3, an array in RESP2.
    pub fn push(&mut self, len: usize) {
        self.header(if self.resp3 { b'>' } else { b'*' }, len);
    }

    pub fn header(&mut self, kind: u8, len: usize) {
        self.out.push(kind);
        num::push_i64(self.out, len as i64);
        self.out.extend_from_slice(b"\r\n");
    }

    /// `addReplyDouble`: `,` in RESP3, a bulk string in RESP2, both in the server's format.
    pub fn double(&mut self, v: f64) {
        let text = num::d2string(v);
        if self.resp3 {
            self.out.push(b',');
            self.out.extend_from_slice(text.as_bytes());
            self.out.extend_from_slice(b"\r\n");
        } else {
            self.bulk(text.as_bytes());
        }
    }

    /// `addReplyBool`: `#t`/`#f` in RESP3, `:1`/`:0` in RESP2.
    pub fn bool(&mut self, v: bool) {
        if self.resp3 {
            self.out.extend_from_slice(if v { b"#t\r\n" } else { b"#f\r\n" });
        } else {
            self.int(i64::from(v));
        }
    }

    /// `addReplyVerbatim` with the `txt` format: `=` in RESP3, a bulk string in RESP2.
    pub fn verbatim(&mut self, text: &[u8]) {
        if self.resp3 {
            self.out.push(b'=');
            num::push_i64(self.out, text.len() as i64 + 4);
            self.out.extend_from_slice(b"\r\ntxt:");
            self.out.extend_from_slice(text);
            self.out.extend_from_slice(b"\r\n");
        } else {
            self.bulk(text);
        }
    }

    /// Room for an aggregate header whose length is known only after the elements are
    /// written (`addReplyDeferredLen`).
    pub fn deferred(&mut self) -> Deferred {
        Deferred { at: self.out.len() }
    }

    pub fn finish_array(&mut self, d: Deferred, len: usize) {
        self.insert_header(d, b'*', len);
    }

    pub fn finish_map(&mut self, d: Deferred, len: usize) {
        if self.resp3 { self.insert_header(d, b'%', len) } else { self.insert_header(d, b'*', len * 2) }
    }

    pub fn finish_set(&mut self, d: Deferred, len: usize) {
        self.insert_header(d, if self.resp3 { b'~' } else { b'*' }, len);
    }

    fn insert_header(&mut self, d: Deferred, kind: u8, len: usize) {
        let mut header = vec![kind];
        num::push_i64(&mut header, len as i64);
        header.extend_from_slice(b"\r\n");
        self.out.splice(d.at..d.at, header);
    }

    pub fn raw(&mut self, bytes: &[u8]) {
        self.out.extend_from_slice(bytes);
    }
}

#[must_use]
pub struct Deferred {
    at: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_get_a_code_and_lose_line_breaks() {
        let mut out = Vec::new();
        let mut r = Reply::new(&mut out, false);
        r.error("unknown command 'a\r\nb'");
        r.error("-WRONGTYPE Operation against a key holding the wrong kind of value");
        assert_eq!(r.last_error.as_deref(), Some("WRONGTYPE"));
        assert_eq!(
            out,
            b"-ERR unknown command 'a  b'\r\n-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
        );
    }

    #[test]
    fn shapes_follow_the_protocol_version() {
        for (resp3, expected) in
            [(false, &b"*4\r\n$-1\r\n:1\r\n$3\r\n1.5\r\n*-1\r\n"[..]), (true, b"%2\r\n_\r\n#t\r\n,1.5\r\n_\r\n")]
        {
            let mut out = Vec::new();
            let mut r = Reply::new(&mut out, resp3);
            r.map(2);
            r.null();
            r.bool(true);
            r.double(1.5);
            r.null_array();
            assert_eq!(out, expected);
        }
        let mut out = Vec::new();
        let mut r = Reply::new(&mut out, false);
        let d = r.deferred();
        r.int(1);
        r.finish_array(d, 1);
        assert_eq!(out, b"*1\r\n:1\r\n");
    }
}
