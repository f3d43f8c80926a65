"""A small RESP2/RESP3 client over a unix socket, stdlib only.

Replies keep their RESP type, because the profiles record what the real server sends
(a RESP2 array and a RESP3 map are different answers to the bundled server)."""

import socket


class Reply:
    """One RESP value: `kind` is the RESP type name, `value` its Python payload."""

    __slots__ = ("kind", "value")

    def __init__(self, kind, value):
        self.kind = kind
        self.value = value

    def __repr__(self):
        return f"Reply({self.kind}, {self.value!r})"

    def text(self):
        v = self.value
        if isinstance(v, bytes):
            return v.decode("utf-8", "replace")
        if self.kind == "verbatim":
            return v[1].decode("utf-8", "replace")
        return v

    def items(self):
        """Key/value pairs of a map (RESP3) or of a flat key/value array (RESP2)."""
        if self.kind == "map":
            return self.value
        vals = self.value
        return [(vals[i], vals[i + 1]) for i in range(0, len(vals), 2)]

    def to_plain(self):
        """Python data without RESP types (maps become lists of pairs to keep their order)."""
        k, v = self.kind, self.value
        if k in ("array", "set", "push"):
            return [x.to_plain() for x in v] if v is not None else None
        if k == "map":
            return [(a.to_plain(), b.to_plain()) for a, b in v]
        if k in ("bulk", "simple", "error"):
            return v.decode("utf-8", "replace") if isinstance(v, bytes) else v
        if k == "verbatim":
            return v[1].decode("utf-8", "replace")
        return v


class RespError(Exception):
    pass


class Conn:
    def __init__(self, path, timeout=10.0):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.sock.connect(path)
        self.buf = b""

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    # -- writing -------------------------------------------------------------------------
    @staticmethod
    def encode(args):
        out = [b"*%d\r\n" % len(args)]
        for a in args:
            if isinstance(a, str):
                a = a.encode()
            elif isinstance(a, int):
                a = str(a).encode()
            out.append(b"$%d\r\n%s\r\n" % (len(a), a))
        return b"".join(out)

    def send_raw(self, data):
        self.sock.sendall(data)

    def call(self, *args):
        self.sock.sendall(self.encode(args))
        return self.read()

    # -- reading -------------------------------------------------------------------------
    def _fill(self):
        chunk = self.sock.recv(1 << 20)
        if not chunk:
            raise EOFError("connection closed by server")
        self.buf += chunk

    def _line(self):
        while True:
            i = self.buf.find(b"\r\n")
            if i >= 0:
                line, self.buf = self.buf[:i], self.buf[i + 2 :]
                return line
            self._fill()

    def _exact(self, n):
        while len(self.buf) < n + 2:
            self._fill()
        data, self.buf = self.buf[:n], self.buf[n + 2 :]
        return data

    def read_raw_reply(self):
        """The bytes of one complete reply. Re-encoding is exact for everything our probes
        receive (no RESP3 attributes)."""
        return encode_reply(self.read())

    def read(self):
        line = self._line()
        t, rest = line[:1], line[1:]
        if t == b"+":
            return Reply("simple", rest)
        if t == b"-":
            return Reply("error", rest)
        if t == b":":
            return Reply("integer", int(rest))
        if t == b"$":
            n = int(rest)
            return Reply("bulk", None if n < 0 else self._exact(n))
        if t == b"*":
            n = int(rest)
            return Reply("array", None if n < 0 else [self.read() for _ in range(n)])
        if t == b"%":
            n = int(rest)
            return Reply("map", [(self.read(), self.read()) for _ in range(n)])
        if t == b"~":
            n = int(rest)
            return Reply("set", [self.read() for _ in range(n)])
        if t == b">":
            n = int(rest)
            return Reply("push", [self.read() for _ in range(n)])
        if t == b"_":
            return Reply("null", None)
        if t == b"#":
            return Reply("boolean", rest == b"t")
        if t == b",":
            return Reply("double", rest.decode())
        if t == b"(":
            return Reply("bignum", rest.decode())
        if t == b"=":
            data = self._exact(int(rest))
            return Reply("verbatim", (data[:3].decode(), data[4:]))
        if t == b"|":
            n = int(rest)
            [(self.read(), self.read()) for _ in range(n)]
            return self.read()
        raise RespError(f"unexpected reply line {line!r}")


def encode_reply(r):
    k, v = r.kind, r.value
    if k == "simple":
        return b"+" + v + b"\r\n"
    if k == "error":
        return b"-" + v + b"\r\n"
    if k == "integer":
        return b":%d\r\n" % v
    if k == "bulk":
        return b"$-1\r\n" if v is None else b"$%d\r\n%s\r\n" % (len(v), v)
    if k in ("array", "set", "push"):
        mark = {"array": b"*", "set": b"~", "push": b">"}[k]
        if v is None:
            return b"*-1\r\n"
        return mark + b"%d\r\n" % len(v) + b"".join(encode_reply(x) for x in v)
    if k == "map":
        return b"%%%d\r\n" % len(v) + b"".join(encode_reply(a) + encode_reply(b) for a, b in v)
    if k == "null":
        return b"_\r\n"
    if k == "boolean":
        return b"#t\r\n" if v else b"#f\r\n"
    if k == "double":
        return b"," + v.encode() + b"\r\n"
    if k == "bignum":
        return b"(" + v.encode() + b"\r\n"
    if k == "verbatim":
        data = v[0].encode() + b":" + v[1]
        return b"=%d\r\n%s\r\n" % (len(data), data)
    raise RespError(f"cannot encode {k}")
