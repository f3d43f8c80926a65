"""The values a config refuses beyond its type: the checks of string configs (character
sets, lengths, paths, templates) and the texts and limits of the configs with a grammar of
their own, probed on the binary."""

import re

from .server import classify_lines, line


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
LEGACY_SYNONYMS = {"replicaof": "slaveof"}

# Texts only the 6.2 branches print.
LEGACY_PROBES = {
    "client-output-buffer-limit": {"negative_seconds": [b"client-output-buffer-limit normal 0 0 -1"]},
    "save": {"invalid": [b"save 0 1"]},
    "unixsocketperm": {"invalid": [b"unixsocketperm 1000"]},
    "logfile": {},
}


def special_details(binary, name, canonical, legacy=False):
    """Messages (and limits) of a special config, by key; Rust implements the grammar."""
    if canonical not in SPECIAL_PROBES and not (legacy and canonical in LEGACY_PROBES):
        return None
    spec = SPECIAL_PROBES.get(canonical, {})
    if legacy:
        spec = {**spec, **LEGACY_PROBES.get(canonical, {})}
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
