"""How a running server presents itself: HELLO, INFO, the command table (COMMAND and COMMAND
DOCS) and the exact text of the error replies a client meets."""

import re
import time

from .probe_config import log
from .resp import Conn, encode_reply
from .server import Server


# --- commands ---------------------------------------------------------------------------------


def kind_of(r):
    return r.kind


class FormatRecorder:
    """The RESP kind seen at each position of COMMAND / COMMAND DOCS replies, so the bundled
    server can answer with the same types (a RESP3 set where the real one sends a set)."""

    def __init__(self):
        self.kinds = {}
        self.orders = {}

    def kind(self, path, r):
        self.kinds.setdefault(path, set()).add(r.kind)

    def order(self, path, keys):
        self.orders.setdefault(path, set()).add(tuple(keys))

    def merged_orders(self):
        """One key order per map path that every reply seen agrees with."""
        out = {}
        for path, seqs in sorted(self.orders.items()):
            keys = []
            for s in sorted(seqs, key=lambda q: (-len(q), q)):
                for k in s:
                    if k not in keys:
                        keys.append(k)
            # Place each key after every key seen before it in some reply.
            after = {k: set() for k in keys}
            for s in sorted(seqs):
                for i, k in enumerate(s):
                    after[k].update(s[:i])
            order = []
            pending = list(keys)
            while pending:
                ready = [k for k in pending if after[k] <= set(order)]
                if not ready:
                    raise RuntimeError(f"replies disagree on the key order of {path}: {seqs}")
                order.append(ready[0])
                pending.remove(ready[0])
            out[path] = order
        return out


def plain(r):
    return r.to_plain()


def convert_map(r, rec, path):
    out = {}
    keys = []
    for k, v in r.items():
        key = k.text()
        keys.append(key)
        rec.kind(f"{path}.{key}", v)
        if v.kind == "map" or (v.kind == "array" and key in ("spec",)):
            out[key] = convert_map(v, rec, f"{path}.{key}")
        elif key == "arguments":
            out[key] = [convert_map(a, rec, "arg") for a in v.value]
        elif key == "history":
            out[key] = [[x.text() for x in h.value] for h in v.value]
        elif v.kind in ("set", "array"):
            out[key] = [x.to_plain() for x in v.value]
        else:
            out[key] = v.to_plain()
    rec.order(path, keys)
    return out


def command_info(entry, rec, out):
    v = entry.value
    name = v[0].text().lower()
    c = {
        "name": name,
        "arity": v[1].value,
        "flags": [x.text() for x in v[2].value],
        "first_key": v[3].value,
        "last_key": v[4].value,
        "step": v[5].value,
    }
    for pos, r in enumerate(v):
        rec.kind(f"info[{pos}]", r)
    if len(v) > 6:
        c["acl_categories"] = [x.text() for x in v[6].value]
    if len(v) > 7:
        c["tips"] = [x.text() for x in v[7].value]
    if len(v) > 8:
        c["key_specs"] = [convert_map(ks, rec, "key_spec") for ks in v[8].value]
    out[name] = c
    if len(v) > 9:
        for sub in v[9].value:
            command_info(sub, rec, out)


def command_docs(name, r, rec, out):
    d = convert_map_docs(r, rec, "docs")
    subs = d.pop("subcommands", None)
    out[name] = d
    if subs:
        for k, v in subs:
            command_docs(k.lower(), v, rec, out)


def convert_map_docs(r, rec, path):
    out = {}
    keys = []
    for k, v in r.items():
        key = k.text()
        keys.append(key)
        rec.kind(f"{path}.{key}", v)
        if key == "subcommands":
            out[key] = [(sk.text(), sv) for sk, sv in v.items()]
        elif key == "arguments":
            out[key] = [convert_map(a, rec, "arg") for a in v.value]
        elif key == "history":
            out[key] = [[x.text() for x in h.value] for h in v.value]
        elif v.kind in ("set", "array"):
            out[key] = [x.to_plain() for x in v.value]
        else:
            out[key] = v.to_plain()
    rec.order(path, keys)
    return out


def probe_commands(conn):
    conn.call("HELLO", "3")
    rec = FormatRecorder()
    info = {}
    for entry in conn.call("COMMAND").value:
        command_info(entry, rec, info)
    docs = {}
    r = conn.call("COMMAND", "DOCS")
    if r.kind != "error":
        for k, v in r.items():
            command_docs(k.text().lower(), v, rec, docs)
    count = conn.call("COMMAND", "COUNT").value
    names = sorted(info)
    commands = []
    for n in names:
        c = dict(info[n])
        if n in docs:
            c["docs"] = docs[n]
        commands.append(c)
    fmt = {
        "kinds": {k: sorted(v) for k, v in sorted(rec.kinds.items())},
        "orders": rec.merged_orders(),
    }
    return commands, count, fmt


# --- identity ---------------------------------------------------------------------------------


def reply_tree(r):
    """A RESP reply as nested data that keeps its kinds (for TOML: {kind, value})."""
    if r.kind in ("array", "set", "push"):
        return {r.kind: [reply_tree(x) for x in r.value]} if r.value is not None else {"null_array": True}
    if r.kind == "map":
        return {"map": [[reply_tree(a), reply_tree(b)] for a, b in r.value]}
    if r.kind == "bulk":
        return {"bulk": r.text()} if r.value is not None else {"null_bulk": True}
    if r.kind == "null":
        return {"null": True}
    if r.kind == "verbatim":
        return {"verbatim": r.value[1].decode("utf-8", "replace")}
    return {r.kind: r.value if not isinstance(r.value, bytes) else r.value.decode("utf-8", "replace")}


def hello_fields(srv, proto):
    """HELLO's pairs in order, with the fields that differ between connections marked."""
    replies = []
    for _ in range(2):
        c = srv.connect()
        replies.append(c.call("HELLO", str(proto)))
        c.close()
    a, b = replies
    fields = []
    for (k, v), (_, v2) in zip(a.items(), b.items()):
        f = {"field": k.text(), "value": reply_tree(v)}
        if encode_reply(v) != encode_reply(v2):
            f["volatile"] = True
        fields.append(f)
    return {"reply": "map" if a.kind == "map" else "array", "fields": fields}


def parse_info(text):
    sections = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        lines = [ln for ln in block.split("\n") if ln]
        if not lines:
            continue
        title = lines[0][2:] if lines[0].startswith("# ") else None
        fields = []
        for ln in lines[1:]:
            k, _, v = ln.partition(":")
            fields.append((k, v))
        sections.append((title, fields))
    return sections


# Fields that are the same on two runs here but differ between machines or builds of the
# same version: never recorded as values.
ENVIRONMENT = {"os", "total_system_memory", "total_system_memory_human", "executable", "config_file", "gcc_version",
               "process_supervised"}


# Counters, clocks and memory figures can be equal on two runs by chance; a value is only
# recorded for fields that describe the build or the configuration, so that regenerating a
# profile gives the same file.
VOLATILE_NAME = re.compile(
    r"time|clock|uptime|_sec|usec|cpu|memory|mem_|bytes|ratio|perc|instantaneous|kbps|processed|received|"
    r"connections|_ops|frag|rss|peak|allocator|run_id|replid|offset|hits|misses|lazyfree|keys|expire|evicted|"
    r"count|calls|reads|writes|net_|sync_|fork|cow|changes|saves|last_|total_|clients|scripts|functions|"
    r"libraries|eventloop|defrag|tracking|blocked|paused|io_threaded|histlen|engines"
)
CONFIG_MIRRORS = {"maxmemory", "maxmemory_human", "maxmemory_policy", "mem_allocator", "maxclients",
                  "repl_backlog_size", "cluster_enabled", "connected_clients"}


def probe_info(binary):
    # Two servers: one asked at once, the other after a second of age and some use, so that
    # clocks, counters and memory figures show up as volatile and what stays is configuration
    # and build identity.
    runs = []
    for used in (False, True):
        if used:
            time.sleep(2.1)
        with Server(binary) as srv:
            c = srv.connect()
            if used:
                time.sleep(1.1)
                for cmd in (["SET", "k", "v"], ["GET", "k"], ["INCR", "k"], ["EXPIRE", "k", "100"], ["DEL", "k"],
                            ["PING"]):
                    c.call(*cmd)
            runs.append((c.call("INFO").text(), c.call("INFO", "everything").text()))
            c.close()
    default_a, every_a = parse_info(runs[0][0]), parse_info(runs[0][1])
    every_b = dict(parse_info(runs[1][1]))
    default_titles = [t for t, _ in default_a]
    sections = []
    for title, fields in every_a:
        other = dict(every_b.get(title, []))
        out = []
        for k, v in fields:
            f = {"name": k}
            if k in ENVIRONMENT or k.startswith("listener") or k == "monotonic_clock":
                f["environment"] = True
            elif other.get(k) == v and (k in CONFIG_MIRRORS or not VOLATILE_NAME.search(k)):
                f["value"] = v
            else:
                f["volatile"] = True
            out.append(f)
        sections.append({"name": title, "default": title in default_titles, "fields": out})
    return sections


def dynamic_info_lines(binary):
    """Examples of the per-command, per-error and per-db lines, whose names depend on use."""
    with Server(binary) as srv:
        c = srv.connect()
        c.call("SET", "k", "v")
        c.call("EXPIRE", "k", "1000")
        c.call("INCR", "k")
        text = c.call("INFO", "everything").text()
        c.close()
    out = {}
    for title, fields in parse_info(text):
        for k, v in fields:
            for prefix in ("cmdstat_set", "errorstat_ERR", "latency_percentiles_usec_set", "db0"):
                if k == prefix:
                    # Timings and averages vary from run to run: only counts are kept.
                    parts = [kv.partition("=") for kv in v.split(",")]
                    shown = ",".join(f"{a}={c if c in ('0', '1') else '…'}" for a, _, c in parts)
                    out[title] = {"example": f"{k}:{shown}", "keys": [a for a, _, _ in parts]}
    return out


# --- error replies ----------------------------------------------------------------------------

# (key, commands to run first, request) — each on a fresh connection, RESP2.
ERROR_PROBES = [
    ("unknown-command", [], ["FOOBAR", "a", "b"]),
    ("unknown-command-no-args", [], ["FOOBAR"]),
    ("wrong-arity", [], ["GET"]),
    ("wrong-arity-subcommand", [], ["CONFIG", "SET", "port"]),
    ("unknown-subcommand", [], ["CLIENT", "NOSUCH"]),
    ("wrongtype", [["SET", "wt", "v"]], ["LPUSH", "wt", "x"]),
    ("syntax-error", [], ["SET", "k", "v", "FOO"]),
    ("not-integer", [["SET", "ni", "v"]], ["INCR", "ni"]),
    ("not-integer-arg", [], ["EXPIRE", "k", "abc"]),
    ("not-float", [["SET", "nf", "v"]], ["INCRBYFLOAT", "nf", "1"]),
    ("not-float-arg", [], ["INCRBYFLOAT", "k", "abc"]),
    ("overflow", [["SET", "of", "9223372036854775807"]], ["INCR", "of"]),
    ("db-index", [], ["SELECT", "99"]),
    ("db-index-not-integer", [], ["SELECT", "x"]),
    ("no-such-key", [], ["RENAME", "nokey", "x"]),
    ("index-out-of-range", [["RPUSH", "lst", "a"]], ["LSET", "lst", "9", "x"]),
    ("invalid-expire", [], ["SET", "k", "v", "EX", "0"]),
    ("exec-without-multi", [], ["EXEC"]),
    ("discard-without-multi", [], ["DISCARD"]),
    ("nested-multi", [["MULTI"]], ["MULTI"]),
    ("watch-inside-multi", [["MULTI"]], ["WATCH", "k"]),
    ("noscript", [], ["EVALSHA", "ffffffffffffffffffffffffffffffffffffffff", "0"]),
    ("auth-without-password", [], ["AUTH", "x"]),
    ("hello-noproto", [], ["HELLO", "4"]),
    ("hello-not-integer", [], ["HELLO", "abc"]),
    ("hello-syntax", [], ["HELLO", "2", "FOO"]),
    ("timeout-not-float", [], ["BLPOP", "k", "abc"]),
    ("min-max-not-float", [], ["ZRANGEBYSCORE", "k", "a", "b"]),
    ("cluster-disabled", [], ["CLUSTER", "INFO"]),
    ("config-set-unknown", [], ["CONFIG", "SET", "nosuchparam", "1"]),
    ("config-set-memory", [], ["CONFIG", "SET", "maxmemory", "notanumber"]),
    ("config-set-enum", [], ["CONFIG", "SET", "maxmemory-policy", "allkeys-foo"]),
    ("config-set-bool", [], ["CONFIG", "SET", "appendonly", "maybe"]),
    ("config-set-range", [], ["CONFIG", "SET", "maxmemory-samples", "0"]),
    ("config-set-immutable", [], ["CONFIG", "SET", "daemonize", "no"]),
    ("config-set-protected", [], ["CONFIG", "SET", "dir", "/"]),
    ("config-set-duplicate", [], ["CONFIG", "SET", "port", "0", "port", "0"]),
    ("config-get-unknown", [], ["CONFIG", "GET", "nosuchparam"]),
    ("subscribe-context", [["SUBSCRIBE", "ch"]], ["GET", "k"]),
    ("client-setinfo-bad-name", [], ["CLIENT", "SETINFO", "LIB-NAME", "bad name"]),
    ("client-setinfo-unknown", [], ["CLIENT", "SETINFO", "FOO", "bar"]),
    ("acl-setuser-syntax", [], ["ACL", "SETUSER", "u1", "badop"]),
    ("module-list", [], ["MODULE", "LIST"]),
    ("noperm", [["ACL", "SETUSER", "limited", "on", "nopass", "-@all", "+auth"], ["AUTH", "limited", "x"]],
     ["GET", "k"]),
]

# Raw protocol errors: the server answers and closes the connection.
PROTOCOL_PROBES = [
    ("protocol-multibulk-length", b"*abc\r\n"),
    ("protocol-bulk-length", b"*1\r\n$abc\r\n"),
    ("protocol-expected-dollar", b"*1\r\nfoo\r\n"),
    ("protocol-unbalanced-inline", b'SET "a b\r\n'),
    ("protocol-bulk-too-big", b"*1\r\n$600000000\r\n"),
    ("protocol-multibulk-too-big", b"*1048577\r\n"),
]


def probe_errors(binary):
    out = []
    with Server(binary, extra_lines=[]) as srv:
        for key, setup, req in ERROR_PROBES:
            c = srv.connect()
            for s in setup:
                c.call(*s)
            if setup and setup[0][0] == "SUBSCRIBE":
                pass
            r = c.call(*req)
            out.append({"key": key, "request": req, "setup": setup, "reply": encode_reply(r).decode("utf-8", "replace")})
            c.close()
        for key, raw in PROTOCOL_PROBES:
            c = srv.connect()
            c.send_raw(raw)
            c.sock.settimeout(2)
            try:
                r = c.read_raw_reply()
            except (TimeoutError, OSError, EOFError):
                # Some inputs are not errors yet: the server waits for the rest.
                out.append({"key": key, "raw_request": raw.decode(), "no_reply": True})
                c.close()
                continue
            closed = False
            try:
                c.sock.settimeout(2)
                closed = c.sock.recv(1) == b""
            except OSError:
                closed = False
            out.append({"key": key, "raw_request": raw.decode(), "reply": r.decode(), "closes": closed})
            c.close()
    with Server(binary, extra_lines=["requirepass s3cret"]) as srv:
        for key, req in [
            ("noauth", ["PING"]),
            ("noauth-hello", ["HELLO", "3"]),
            ("wrongpass", ["AUTH", "wrongpass"]),
            ("wrongpass-hello", ["HELLO", "2", "AUTH", "default", "wrongpass"]),
        ]:
            c = srv.connect()
            r = c.call(*req)
            out.append({"key": key, "request": req, "setup": [["(config) requirepass s3cret"]],
                        "reply": encode_reply(r).decode("utf-8", "replace")})
            c.close()
    with Server(binary, extra_lines=["maxmemory 1"]) as srv:
        c = srv.connect()
        r = c.call("SET", "k", "v")
        out.append({"key": "oom", "request": ["SET", "k", "v"], "setup": [["(config) maxmemory 1"]],
                    "reply": encode_reply(r).decode("utf-8", "replace")})
        c.close()
    return out


def probe_identity(binary):
    with Server(binary) as srv:
        hello2 = hello_fields(srv, 2)
        hello3 = hello_fields(srv, 3)
        c = srv.connect()
        commands, count, fmt = probe_commands(c)
        c.close()
    log(f"{len(commands)} command entries, COMMAND COUNT {count}")
    return {
        "hello2": hello2,
        "hello3": hello3,
        "info": probe_info(binary),
        "info_dynamic": dynamic_info_lines(binary),
        "errors": probe_errors(binary),
        "commands": commands,
        "command_count": count,
        "command_format": fmt,
    }
