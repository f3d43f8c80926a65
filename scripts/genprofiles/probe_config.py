"""The config schema of one server, found by asking it: `CONFIG GET *` for names and
defaults, `CONFIG SET` for mutability and aliases, and start-ups on config files for the
type, range and exact error text of every directive (what `check_directive` reproduces)."""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

from .resp import Conn
from .server import Server, classify_lines, load_config

GARBAGE = b"zzzz-invalid"
LLONG_MIN = b"-9223372036854775808"
LLONG_MAX = b"9223372036854775807"
ULLONG_MAX = b"18446744073709551615"

MSG_BOOL = "argument must be 'yes' or 'no'"
MSG_INT = "argument couldn't be parsed into an integer"
MSG_MEM = "argument must be a memory value"
MSG_MEMPCT = "argument must be a memory or percent value"
MSG_OCTAL = "argument couldn't be parsed as an octal number"
MSG_NEGATIVE = "argument must be greater or equal to 0"
RANGE_RE = re.compile(r"^argument must be between (\S+) and (\S+) inclusive$")
PERCENT_RE = re.compile(r"^percentage argument must be less or equal to (\d+)$")

# Directives handled by the loader itself rather than by the config table.
SPECIAL_DIRECTIVES = ["include", "rename-command", "user", "loadmodule", "sentinel"]


def log(*a):
    print("  ", *a, file=sys.stderr, flush=True)


def q(v):
    """Writes one argument so that the server's tokeniser reads back exactly `v`."""
    if isinstance(v, str):
        v = v.encode()
    if v and all(33 <= c < 127 and c not in b"\"'\\" for c in v):
        return v
    out = bytearray(b'"')
    for c in v:
        if c == 0x22:
            out += b'\\"'
        elif c == 0x5C:
            out += b"\\\\"
        elif 32 <= c < 127:
            out.append(c)
        else:
            out += b"\\x%02x" % c
    out += b'"'
    return bytes(out)


def line(name, *args):
    return b" ".join([name.encode() if isinstance(name, str) else name] + [q(a) for a in args])


def config_get_all(conn):
    r = conn.call("CONFIG", "GET", "*")
    return {k.text(): v.text() for k, v in r.items()}


def free_loopback_port(port):
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", port))
        return True
    except OSError:
        return False
    finally:
        s.close()


def read_defaults(binary):
    """`CONFIG GET *` of a server started with nothing but a loopback bind: every value is the
    compiled-in default except `bind` (and `dir`, which is the working directory).

    This one run omits `save ""` so that `save` reports its default; it makes no writes and
    is stopped with SHUTDOWN NOSAVE. It needs 127.0.0.1:6379 free to read `port`'s default."""
    for _ in range(30):
        if free_loopback_port(6379):
            break
        time.sleep(2)
    else:
        raise RuntimeError("127.0.0.1:6379 stayed busy; the default of `port` cannot be read")
    d = tempfile.mkdtemp(prefix="genprof-def-")
    proc = subprocess.Popen(
        [binary, "--bind", "127.0.0.1", "--appendonly", "no", "--dir", d],
        cwd=d,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.time() + 10
        while True:
            try:
                s = socket.create_connection(("127.0.0.1", 6379), timeout=1)
                break
            except OSError:
                if time.time() > deadline or proc.poll() is not None:
                    raise RuntimeError("the defaults server did not start")
                time.sleep(0.02)
        c = Conn.__new__(Conn)
        c.sock, c.buf = s, b""
        values = config_get_all(c)
        c.send_raw(Conn.encode(["SHUTDOWN", "NOSAVE"]))
        c.close()
        proc.wait(timeout=5)
        return values
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        shutil.rmtree(d, ignore_errors=True)


def binary_strings(elf):
    with open(elf, "rb") as f:
        data = f.read()
    return sorted({m.decode() for m in re.findall(rb"(?<=\x00)([a-z][a-z0-9]*(?:-[a-z0-9]+)+)(?=\x00)", data)})


def classify_message(msg):
    """The value kind a config's refusal of a garbage value reveals."""
    if msg is None:
        return "string"
    if msg == MSG_BOOL:
        return "bool"
    if "must be one of the following: " in msg:
        return "enum"
    if msg == MSG_INT:
        return "int"
    if msg == MSG_MEM:
        return "memory"
    if msg == MSG_MEMPCT:
        return "memory-percent"
    if msg == MSG_OCTAL:
        return "octal"
    return "special"


class Probe:
    """Accumulates probe lines and their owner, then classifies them in one batch."""

    def __init__(self, binary):
        self.binary = binary
        self.lines = []
        self.keys = []

    def add(self, key, ln):
        self.keys.append(key)
        self.lines.append(ln)

    def run(self):
        res = classify_lines(self.binary, self.lines)
        out = {}
        for k, ln, r in zip(self.keys, self.lines, res):
            out.setdefault(k[0], []).append((k[1], ln, r))
        return out


def arity_lines(name):
    return [
        ("argc1", line(name)),
        ("argc3", line(name, "a", "b")),
        ("argc4", line(name, "a", "b", "c")),
        ("argc5", line(name, "a", "b", "c", "d")),
    ]


def typed_lines(kind, name, info):
    """Probes that pin down a kind's details: accepted spellings, ranges, validators."""
    p = []
    if kind == "bool":
        for v in ["yes", "no", "YES", "No", "1", "true"]:
            p.append((f"val:{v}", line(name, v)))
    elif kind == "enum":
        for v in info["values"]:
            p.append((f"val:{v}", line(name, v)))
        p.append(("upper", line(name, info["values"][0].upper())))
        if len(info["values"]) >= 2:
            p.append(("two", line(name, info["values"][0], info["values"][1])))
            p.append(("two-quoted", line(name, info["values"][0] + " " + info["values"][1])))
    elif kind in ("int", "memory", "memory-percent", "octal"):
        for v in [LLONG_MIN, LLONG_MAX, ULLONG_MAX, b"-1", b"0", b"1", b"01", b"+1", b"2147483648", b"4294967296"]:
            p.append((f"num:{v.decode()}", line(name, v)))
        if kind.startswith("memory"):
            for v in ["1k", "1kb", "1KB", "1m", "1mb", "1g", "1gb", "1b", "1tb", "1.5gb"]:
                p.append((f"num:{v}", line(name, v)))
        if kind == "memory-percent":
            for v in ["0%", "1%", "100%", "101%", "99999999999999%", "-1%", "%"]:
                p.append((f"num:{v}", line(name, v)))
        if kind == "octal":
            for v in ["777", "0777", "1000", "8", "-1"]:
                p.append((f"num:{v}", line(name, v)))
    elif kind == "string":
        for tag, v in [
            ("abc", b"abc"),
            ("space", b"a b"),
            ("path", b"a/b"),
            ("bang", b"bad char!"),
            ("long", b"h" * 300),
            ("brace", b"{bogus}"),
            ("title", b"{title}"),
            ("xtitle", b"x{title}"),
            ("nul", b"a\x00b"),
        ]:
            p.append((f"str:{tag}", line(name, v)))
    return p


def parse_enum_values(msg):
    # "argument(s) must be one of the following: a, b" (6.2 says "argument must be …").
    return msg.split("one of the following: ", 1)[1].split(", ")


def byte_ranges(bs):
    """`2d-2e 30-39 41-5a`: a set of bytes as hex ranges, short enough to read."""
    out, run = [], []
    for b in sorted(bs):
        if run and b == run[-1] + 1:
            run.append(b)
        else:
            if run:
                out.append(run)
            run = [b]
    if run:
        out.append(run)
    return " ".join(f"{r[0]:02x}" if len(r) == 1 else f"{r[0]:02x}-{r[-1]:02x}" for r in out)


# --- validators of string configs -------------------------------------------------------------

IPV_RE = re.compile(r"IPv(4|6)")


def string_checks(binary, name, refusals, empty_result):
    """Turns the refusals of a string config into checks the Rust side can evaluate, by
    probing the character set and the length limit it enforces."""
    checks = []
    msgs = {m for _, m in refusals}
    if not empty_result[0]:
        checks.append({"kind": "non-empty", "message": empty_result[1]})
    for m in sorted(msgs):
        if "can't be a path" in m:
            checks.append({"kind": "basename", "message": m})
        elif IPV_RE.search(m):
            checks.append({"kind": "ipv" + IPV_RE.search(m).group(1), "message": m})
        elif "template format" in m:
            checks.append(template_check(binary, name, m))
    named = {c["kind"] for c in checks}
    if named & {"ipv4", "ipv6", "proc-title-template"}:
        return checks
    rest = {m for m in msgs if "can't be a path" not in m}
    if not rest:
        return checks
    # Character set: every byte alone, and a NUL followed by a refused byte (does the check
    # stop at the first NUL, as C string functions do?).
    values = [bytes([b]) for b in range(1, 256)] + [b"\x00", b"a\x00!"]
    lines = [line(name, v) for v in values]
    res = classify_lines(binary, lines)
    invalid = bytes(v[0] for v, r in zip(values[:255], res[:255]) if not r[0])
    valid = bytes(v[0] for v, r in zip(values[:255], res[:255]) if r[0])
    if invalid and any(not r[0] and r[1].startswith("no fatal block") for r in res[:255]):
        raise RuntimeError(f"{name}: the loader exits without its fatal block on some values; treat it as special")
    if invalid:
        charset_msgs = {r[1] for r in res[:255] if not r[0]}
        if len(charset_msgs) != 1:
            raise RuntimeError(f"{name}: several charset messages {charset_msgs}")
        nul_invalid = not res[255][0]
        stops_at_nul = res[256][0]
        checks.append(
            {
                "kind": "charset",
                "valid": byte_ranges(valid),
                "nul_invalid": nul_invalid,
                "stops_at_nul": stops_at_nul,
                "message": charset_msgs.pop(),
            }
        )
    # Length: the longest run of a valid byte that is accepted.
    ok = lambda n: classify_lines(binary, [line(name, b"a" * n)])[0]
    if not ok(300)[0]:
        lo, hi = 1, 300
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if ok(mid)[0]:
                lo = mid
            else:
                hi = mid - 1
        checks.append({"kind": "max-len", "max": lo, "message": ok(lo + 1)[1]})
        if invalid:
            # Which check runs first when a value breaks both.
            both = classify_lines(binary, [line(name, bytes([invalid[-1]]) + b"a" * 300)])[0]
            if both[1] == checks[-1]["message"]:
                checks.insert(len(checks) - 2, checks.pop())
    return checks


# The variables proc-title-template knows (server.c), checked on the binary.
TEMPLATE_VARIABLES = ["title", "listen-addr", "server-mode", "port", "tls-port", "unixsocket", "config-file"]


def template_check(binary, name, message):
    """Which `{variables}` the template accepts, and which expand to nothing while the config
    file is read (a template that expands to nothing is refused)."""
    inner = classify_lines(binary, [line(name, f"x{{{v}}}") for v in TEMPLATE_VARIABLES])
    alone = classify_lines(binary, [line(name, f"{{{v}}}") for v in TEMPLATE_VARIABLES])
    return {
        "kind": "proc-title-template",
        "variables": [v for v, r in zip(TEMPLATE_VARIABLES, inner) if r[0]],
        "empty_variables": [v for v, r, a in zip(TEMPLATE_VARIABLES, inner, alone) if r[0] and not a[0]],
        "message": message,
    }


# --- special configs ------------------------------------------------------------------------

SPECIAL_PROBES = {
    "save": {"invalid": [b"save a"]},
    "client-output-buffer-limit": {
        "arity": [b"client-output-buffer-limit a b c"],
        "class": [b"client-output-buffer-limit bogus 0 0 0"],
        "values": [b"client-output-buffer-limit normal x 0 0"],
    },
    "oom-score-adj-values": {"arity": [b"oom-score-adj-values 1 2"], "range": [b"oom-score-adj-values 0 0 9999"]},
    "notify-keyspace-events": {"invalid": [b"notify-keyspace-events !"]},
    "bind": {"too_many": [b"bind" + b" 127.0.0.1" * 40]},
    "rdma-bind": {"too_many": [b"rdma-bind" + b" 127.0.0.1" * 40]},
    "replicaof": {"arity": [b"replicaof a"], "port": [b"replicaof a b"]},
    "latency-tracking-info-percentiles": {
        "invalid": [b"latency-tracking-info-percentiles x"],
        "range": [b"latency-tracking-info-percentiles 101"],
    },
    "dir": {"empty": [b'dir ""'], "arity": [b"dir a b"]},
}


def special_details(binary, name, canonical):
    """Messages (and limits) of a special config, by key; Rust implements the grammar."""
    spec = SPECIAL_PROBES.get(canonical)
    if spec is None:
        return None
    details = {"messages": {}}
    for key, lines in spec.items():
        lines = [ln.replace(canonical.encode(), name.encode(), 1) for ln in lines]
        r = classify_lines(binary, lines)[0]
        # A loader that exits without its fatal block (6.2's `dir`) has no text to record.
        details["messages"][key] = r[1] if not r[0] and not r[1].startswith("no fatal block") else None
    if canonical in ("bind", "rdma-bind"):
        n = 1
        while classify_lines(binary, [line(name, *(["127.0.0.1"] * (n + 1)))])[0][0] and n < 64:
            n += 1
        details["max_args"] = n
    if canonical == "notify-keyspace-events":
        chars = [bytes([c]) for c in range(33, 127)]
        res = classify_lines(binary, [line(name, c) for c in chars])
        details["allowed"] = "".join(c.decode() for c, r in zip(chars, res) if r[0])
    if canonical == "client-output-buffer-limit":
        classes = ["normal", "replica", "slave", "pubsub", "master", "primary", "NORMAL"]
        res = classify_lines(binary, [line(name, c, "0", "0", "0") for c in classes])
        details["classes"] = sorted({c.lower() for c, r in zip(classes, res) if r[0]})
    return details


# --- the whole schema -----------------------------------------------------------------------


def alt_value(kind, entry, cur):
    """A valid value different from `cur`, to see which names change together."""
    if kind == "bool":
        return "no" if cur == "yes" else "yes"
    if kind == "enum" and not entry.get("multi_arg"):
        for v in entry["values"]:
            if v != cur:
                return v
    if kind in ("int", "memory", "memory-percent"):
        try:
            n = int(cur)
        except ValueError:
            return None
        hi = int(entry["max"]) if "max" in entry else 1 << 62
        lo = int(entry["min"]) if "min" in entry else -(1 << 62)
        for cand in (n + 1, n - 1):
            if lo <= cand <= hi and (kind == "int" or cand >= 0):
                return str(cand)
    if kind == "string" and not entry.get("checks"):
        return "genprofiles-probe"
    return None


UNSAFE_AT_START = {"daemonize", "unixsocket", "port", "logfile", "dir", "pidfile", "aclfile", "cluster-enabled",
                   "supervised", "syslog-enabled", "include", "bind", "tls-port", "cluster-port", "databases",
                   "io-threads", "enable-debug-command", "enable-module-command", "enable-protected-configs"}


MSG_WRONG_ARGS = "wrong number of arguments"

# Changing these on the probe server would listen on TCP or cut our own connection.
UNSAFE_TO_CHANGE = {"port", "tls-port", "cluster-port", "bind", "maxmemory-clients", "maxclients", "timeout",
                    "requirepass", "dir", "client-query-buffer-limit", "proto-max-bulk-len", "oom-score-adj",
                    "protected-mode"}


def server_probe_state(binary, elf):
    """Names, values and mutability from a running server."""
    with Server(binary) as srv:
        conn = srv.connect()
        current = config_get_all(conn)
        listed = sorted(current)
        hidden = []
        for cand in binary_strings(elf):
            if cand in current:
                continue
            pairs = conn.call("CONFIG", "GET", cand).items()
            if pairs and pairs[0][0].text() == cand:
                hidden.append(cand)
                current[cand] = pairs[0][1].text()
        mutable = {}
        for name in listed + hidden:
            r = conn.call("CONFIG", "SET", name, current[name])
            mutable[name] = "ok" if r.kind == "simple" else r.text()
        conn.close()
    return current, listed, hidden, mutable


def find_aliases(binary, names, current, entries, mutable):
    """Groups of names that are one config, and which one CONFIG REWRITE writes."""
    by_value = {}
    for n in names:
        by_value.setdefault(current[n], []).append(n)
    candidates = [n for n in names if len(by_value[current[n]]) > 1]
    groups = {}
    with Server(binary) as srv:
        conn = srv.connect()
        base = config_get_all(conn)
        for n in candidates:
            if mutable[n] != "ok" or n in UNSAFE_TO_CHANGE or n.startswith("tls-"):
                continue
            alt = alt_value(entries[n]["type"], entries[n], base[n])
            if alt is None:
                continue
            if conn.call("CONFIG", "SET", n, alt).kind != "simple":
                continue
            now = config_get_all(conn)
            changed = tuple(sorted(k for k in base if now.get(k) != base[k]))
            conn.call("CONFIG", "SET", n, base[n])
            if len(changed) > 1:
                groups[changed] = n
        canon = {}
        for group, via in groups.items():
            alt = alt_value(entries[via]["type"], entries[via], base[via])
            conn.call("CONFIG", "SET", via, alt)
            conn.call("CONFIG", "REWRITE")
            with open(srv.conf) as f:
                written = {ln.split()[0] for ln in f if ln.strip() and not ln.startswith("#")}
            conn.call("CONFIG", "SET", via, base[via])
            hits = [g for g in group if g in written]
            if len(hits) != 1:
                raise RuntimeError(f"alias group {group}: rewrite wrote {hits}")
            canon[group] = hits[0]
        conn.close()
    # Immutable names are set at start instead.
    for n in candidates:
        if mutable[n] == "ok" or n in UNSAFE_AT_START or any(n in g for g in canon):
            continue
        alt = alt_value(entries[n]["type"], entries[n], current[n])
        if n in ("replicaof", "slaveof"):
            alt = "127.0.0.1 1"
        if alt is None:
            continue
        altline = line(n, *alt.split(" ")) if n in ("replicaof", "slaveof") else line(n, alt)
        try:
            srv = Server(binary, extra_lines=[altline.decode()])
        except RuntimeError:
            continue
        with srv:
            try:
                conn = srv.connect()
                now = config_get_all(conn)
            except (OSError, EOFError) as e:
                log(f"alias probe of {n} at start failed: {e}")
                continue
            # The temp dir differs from server to server.
            group = tuple(sorted(k for k in base if now.get(k) != base[k] and k not in ("dir", "unixsocket", "logfile")))
            if len(group) > 1:
                conn.call("CONFIG", "REWRITE")
                with open(srv.conf) as f:
                    written = {ln.split()[0] for ln in f if ln.strip() and not ln.startswith("#")}
                hits = [g for g in group if g in written]
                if len(hits) != 1:
                    raise RuntimeError(f"alias group {group}: rewrite wrote {hits}")
                canon[group] = hits[0]
            conn.close()
    return canon


def build_entry(name, i, default, mutable, hidden):
    r1, r2, kind = i["r1"], i["r2"], i["kind"]
    e = {"name": name, "default": default}
    e["mutable"] = mutable != "can't set immutable config" and "immutable" not in mutable
    e["protected"] = "protected" in mutable
    e["hidden"] = hidden
    bad = (False, "Bad directive or wrong number of arguments")
    if all(r1[t] == bad for t in ("argc1", "argc3", "default", "garbage")):
        # Known to CONFIG GET/SET but not read from a config file (Redis 6.2's watchdog-period).
        e["runtime_only"] = True
        e["type"] = "string"
        return e
    if r1["argc1"] == bad and r1["argc3"][0] and r1["argc5"][0]:
        # Not in the table the loader reads: a built-in module registers it after the file
        # is read (Redis 8's vector sets), so the loader queues it like any module setting.
        e["module_config"] = True
        e["type"] = "string"
        return e
    multi = any(r1[t] != (False, MSG_WRONG_ARGS) for t in ("argc3", "argc4", "argc5"))
    e["multi_arg"] = multi
    msgs = [r[1] for r in list(r1.values()) + list(r2.values()) if not r[0] and r[1]]
    for m in msgs:
        rm = RANGE_RE.match(m)
        if rm:
            if "min" in e and (e["min"], e["max"]) != rm.groups():
                raise RuntimeError(f"{name}: two ranges {e['min']}..{e['max']} and {rm.groups()}")
            e["min"], e["max"] = rm.groups()
        pm = PERCENT_RE.match(m)
        if pm:
            e["percent_max"] = int(pm.group(1))
        if m == MSG_NEGATIVE:
            # Redis 8 refuses a negative value for an unsigned config before the range check.
            e["unsigned"] = True
    if name in SPECIAL_PROBES or name == "slaveof":
        kind = "special"
    elif kind == "special":
        kind = "string"
    e["type"] = kind
    if kind == "enum":
        e["values"] = i["values"]
    return e


def probe_schema(binary, elf):
    log("defaults run")
    defaults = read_defaults(binary)
    current, listed, hidden, mutable = server_probe_state(binary, elf)
    log(f"{len(listed)} names in CONFIG GET *, hidden: {hidden}")
    names = listed + hidden

    p = Probe(binary)
    for name in names:
        for tag, ln in arity_lines(name):
            p.add((name, tag), ln)
        p.add((name, "garbage"), line(name, GARBAGE))
        p.add((name, "empty"), line(name, b""))
        p.add((name, "default"), line(name, defaults.get(name, current[name])))
    log(f"round 1: {len(p.lines)} lines")
    r1 = p.run()
    info = {}
    for name in names:
        res = {tag: r for tag, _, r in r1[name]}
        kind = classify_message(res["garbage"][1] if not res["garbage"][0] else None)
        info[name] = {"kind": kind, "r1": res}
        if kind == "enum":
            info[name]["values"] = parse_enum_values(res["garbage"][1])
        if kind == "special" and name not in SPECIAL_PROBES and name != "slaveof":
            info[name]["kind"] = "string"

    p = Probe(binary)
    for name in names:
        for tag, ln in typed_lines(info[name]["kind"], name, info[name]):
            p.add((name, tag), ln)
    log(f"round 2: {len(p.lines)} lines")
    r2 = p.run()
    for name in names:
        info[name]["r2"] = {tag: r for tag, _, r in r2.get(name, [])}

    entries = {}
    for name in names:
        dflt = defaults.get(name, current[name])
        entries[name] = build_entry(name, info[name], dflt, mutable[name], name in hidden)
    # dir's default is the working directory the server starts in.
    if "dir" in entries:
        entries["dir"]["default"] = None

    log("aliases")
    canon = find_aliases(binary, listed, defaults if defaults else current, entries, mutable)
    alias_of = {}
    for group, c in canon.items():
        for g in group:
            if g != c:
                alias_of[g] = c

    log("validators and specials")
    for name, e in entries.items():
        if name in alias_of:
            continue
        i = info[name]
        checks = []
        if e["type"] == "string":
            refusals = [(t, r[1]) for t, r in list(i["r2"].items()) + [("garbage", i["r1"]["garbage"])] if not r[0]]
            if refusals or not i["r1"]["empty"][0]:
                checks = string_checks(binary, name, refusals, i["r1"]["empty"])
        elif e["type"] in ("bool", "enum"):
            for t, r in i["r2"].items():
                if t.startswith("val:") and not r[0] and r[1] != MSG_BOOL and "one of the following" not in r[1]:
                    checks.append({"kind": "reject-value", "value": t[4:].lower(), "message": r[1]})
            if e["type"] == "enum" and e["multi_arg"]:
                vals = e["values"]
                pairs = [(a, b) for k, a in enumerate(vals) for b in vals[k + 1 :]]
                res = classify_lines(binary, [line(name, a, b) for a, b in pairs])
                for (a, b), r in zip(pairs, res):
                    if not r[0]:
                        checks.append({"kind": "reject-combination", "values": [a, b], "message": r[1]})
        dedup = []
        for c in checks:
            if c not in dedup:
                dedup.append(c)
        if dedup:
            e["checks"] = dedup
        if e["type"] == "special":
            d = special_details(binary, name, "replicaof" if name == "slaveof" else name)
            if d:
                e["special"] = d
    result = []
    for name in sorted(entries):
        if name in alias_of:
            continue
        e = entries[name]
        e["aliases"] = sorted(a for a, c in alias_of.items() if c == name)
        result.append(e)
    return result, info, defaults
