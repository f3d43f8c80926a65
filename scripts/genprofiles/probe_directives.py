"""What a config file may hold beyond the config table — `include`, `rename-command`, `user`,
`loadmodule`, `sentinel`, names kept for compatibility that do nothing — and how the loader
itself answers: its fatal header, its generic messages, what it does with unknown and
module-style (dotted) names."""

import re

from .probe_config import SPECIAL_DIRECTIVES, binary_strings, line, log
from .server import Server, classify_lines, load_config

BOGUS = "zzzz-no-such-directive"
LOG_PREFIX = re.compile(rb"^\d+:[A-Z] \d\d \w{3} \d{4} \d\d:\d\d:\d\d\.\d{3} ")


def log_lines(out):
    """Log lines without the `pid:role date` prefix (the `# ` level mark stays)."""
    return [LOG_PREFIX.sub(b"", ln).decode("utf-8", "replace") for ln in out.splitlines() if LOG_PREFIX.match(ln)]


def full_start(binary, lines):
    """Starts with `port 0` and no socket: the server either refuses the file, aborts at
    start, or finds nothing to listen on and exits. Returns its log lines and the fatal."""
    body = [b"port 0", b'save ""', b"appendonly no", *lines]
    res = load_config(binary, b"\n".join(body) + b"\n")
    return log_lines(res.stdout), res.fatal


def probe_loader(binary):
    """The loader's own behaviour and texts."""
    r = classify_lines(
        binary,
        [
            line(BOGUS),
            line(BOGUS, "x"),
            b"zzzz.bogus",
            b"zzzz.bogus x",
            b'port "0',
            b'port "0"x',
            b"port 1 2",
        ],
    )
    res = load_config(binary, b"port 1\nport 2 3\n")
    header = res.fatal.header
    unknown = "deferred" if r[1][0] else "fatal"
    dotted = "deferred" if r[3][0] else "fatal"
    loader = {
        "fatal_header": f"*** FATAL CONFIG FILE ERROR ({header}) ***",
        "unknown_names": unknown,
        "dotted_names": dotted,
        "messages": {
            "bad_directive": r[0][1],
            "wrong_arguments": r[6][1],
            "unbalanced_quotes": r[4][1],
        },
    }
    # sdssplitargs: older servers refuse text right after a closing quote; newer ones join it
    # to the same argument, as a shell does.
    loader["text_after_closing_quote"] = "refused" if r[5][1] == r[4][1] else "joined"
    # A memory config with a signed range shows what overflowing digits become: the largest
    # value (then negative, out of range) or a refusal.
    big = classify_lines(binary, [b"proto-max-bulk-len 99999999999999999999"])[0]
    loader["memory_overflow"] = "refused" if "memory value" in (big[1] or "") else "saturates"
    # strtod reads hexadecimal; the fast_float library Valkey 8.1 moved to does not.
    hexfloat = classify_lines(binary, [b"latency-tracking-info-percentiles 0x10"])[0]
    loader["float_parser"] = "fast-float" if not hexfloat[0] and "Invalid" in hexfloat[1] else "strtod"
    # The generic texts of the config table's value kinds, with the numbers as placeholders.
    for key, ln in [("rename_no_such_command", b"rename-command zzzz-nosuch x"),
                    ("rename_target_exists", b"rename-command get set"),
                    ("sentinel", b"sentinel monitor x")]:
        res = classify_lines(binary, [ln])[0]
        if not res[0]:
            loader["messages"][key] = res[1]
    kinds = [("bool", b"appendonly x"), ("int", b"port x"), ("memory", b"maxmemory x"),
             ("memory_percent", b"maxmemory-clients x"), ("octal", b"unixsocketperm 9"),
             ("enum", b"maxmemory-policy x"), ("range", b"port 99999"), ("percent", b"maxmemory-clients 999%"),
             ("negative", b"maxclients -1")]
    kr = classify_lines(binary, [k[1] for k in kinds])
    for (k, _), res in zip(kinds, kr):
        if res[0] or res[1] == r[0][1]:
            continue
        m = res[1]
        if k == "enum":
            m = m.split(": ")[0] + ": {values}"
        elif k == "range":
            m = re.sub(r"between \S+ and \S+", "between {min} and {max}", m)
        elif k == "percent":
            m = re.sub(r"\d+$", "{max}", m)
        elif k == "negative" and "greater or equal" not in m:
            continue
        loader["messages"][k] = m
    if not r[2][0] and r[2][1] != r[0][1]:
        loader["messages"]["module_config_without_value"] = r[2][1]
    # What the log says when a deferred name is never claimed by a module.
    deferred = {}
    if dotted == "deferred":
        deferred["dotted"], _ = full_start(binary, [b"zzzz.bogus 1"])
    if unknown == "deferred":
        deferred["unknown"], _ = full_start(binary, [line(BOGUS, "x")])
    keep = ("zzzz", "Module Configuration", "Unresolved Configuration")
    loader["deferred_log"] = {
        k: [ln.replace("zzzz.bogus 1", "{line}").replace(line(BOGUS, "x").decode(), "{line}").replace("zzzz.bogus", "{name}")
            for ln in v if any(w in ln for w in keep)]
        for k, v in deferred.items()
    }
    return loader


# Redis 6.2's loader skips these with a `/* DEAD OPTION */` branch, and its CONFIG REWRITE
# keeps any line it does not rewrite, so the REWRITE test below cannot see it.
DEAD_OPTIONS = {"list-max-ziplist-entries", "list-max-ziplist-value", "lua-replicate-commands"}


def is_live(binary, name):
    """CONFIG REWRITE keeps the lines of options the server uses and comments out, as
    `# ??? name …`, the ones it accepted and ignores."""
    if name in DEAD_OPTIONS:
        return False
    with Server(binary, extra_lines=[f"{name} x"]) as srv:
        c = srv.connect()
        c.call("CONFIG", "REWRITE")
        c.close()
        with open(srv.conf) as f:
            text = f.read()
    return not any(ln.startswith(f"# ??? {name}") for ln in text.splitlines())


def probe_directives(binary, elf, config_names, loader, command_names):
    """Directives outside the config table: the special ones, and names the loader accepts
    and ignores. Candidates are the dashed words in the binary itself."""
    candidates = [c for c in binary_strings(elf) if c not in config_names and c not in SPECIAL_DIRECTIVES]
    if loader["unknown_names"] == "fatal":
        res = classify_lines(binary, [line(c, "x") for c in candidates])
        known = [c for c, r in zip(candidates, res) if r[0] or r[1] != loader["messages"]["bad_directive"]]
    else:
        # Unknown names are queued, and the log lists every one no module claimed.
        logs, fatal = full_start(binary, [line(c, "x") for c in candidates])
        unresolved = {m.group(1) for ln in logs for m in [re.match(r"# >>> '(\S+) x'", ln)] if m}
        known = [c for c in candidates if c not in unresolved]
        if fatal is not None:
            raise RuntimeError(f"candidate batch refused: {fatal}")
    log(f"directives outside the config table: {known}")
    out = []
    for name in known + SPECIAL_DIRECTIVES:
        probes = [line(name), line(name, "x"), line(name, "x", "y"), line(name, "x", "y", "z")]
        if name == "rename-command":
            probes = [line(name), line(name, "x"), line(name, "get", "zzzz-renamed"), line(name, "a", "b", "c")]
        if name == "include":
            probes = [line(name), line(name, "/dev/null"), line(name, "/dev/null", "y"), line(name, "a", "b", "c")]
        if name == "loadmodule":
            probes = [line(name), line(name, "/nonexistent.so"), line(name, "/nonexistent.so", "y"),
                      line(name, "/nonexistent.so", "y", "z")]
        if name == "user":
            probes = [line(name), line(name, "genprof-u1"), line(name, "genprof-u2", "on"),
                      line(name, "genprof-u3", "on", "off")]
        res = classify_lines(binary, probes)
        if loader["unknown_names"] == "deferred":
            # Accepted by the parser may still mean queued as a module config.
            res = [(r[0] and not any(ln.startswith("# >>> ") for ln in full_start(binary, [p])[0]), r[1])
                   for p, r in zip(probes, res)]
        accepted = [k + 1 for k, r in enumerate(res) if r[0]]
        status = "live" if name in SPECIAL_DIRECTIVES or is_live(binary, name) else "ignored"
        d = {"name": name, "status": status}
        if name not in SPECIAL_DIRECTIVES:
            d["arity"] = [min(accepted), max(accepted)] if accepted else None
        out.append(d)
    return out


ACL_SIMPLE_OPS = ["on", "off", "nopass", "resetpass", "reset", "skip-sanitize-payload", "sanitize-payload",
                  "clearselectors", "allkeys", "resetkeys", "allchannels", "resetchannels", "allcommands",
                  "nocommands", "alldbs", "resetdbs"]


def probe_acl(binary):
    """How `user` lines are checked: the rule grammar's generation and its texts."""
    cases = {
        "syntax": b"user gp-a1 on badop",
        "pattern_after_allkeys": b"user gp-a2 ~* ~x",
        "pattern_after_allchannels": b"user gp-a3 &* &x",
        "password_missing": b"user gp-a4 <nopw",
        "bad_hash": b"user gp-a5 #zz",
        "first_arg_subcommand": b"user gp-a6 +config|get|x",
        "unmatched_paren": b"user gp-a7 on (~a",
        "db_out_of_range": b"user gp-a8 db=-1",
        "duplicate": b"user gp-dup",
    }
    # The duplicate needs a first definition accepted. An unclosed `(` reports whatever errno
    # holds (Redis 7.0): an octal config parsed just before sets it to 0, the usual state.
    lines = [b"user gp-dup"] + list(cases.values())
    k = lines.index(cases["unmatched_paren"])
    res = classify_lines(binary, lines[:k] + [b"unixsocketperm 700"] + lines[k:])
    res = res[:k] + res[k + 1 :]
    selectors = classify_lines(binary, [b"user gp-sel (~a)"])[0][0]
    dbs = classify_lines(binary, [b"user gp-db1 db=0,1"])
    messages = {}
    for (key, ln), r in zip(cases.items(), res[1:]):
        if key == "unmatched_paren" and not selectors or key == "db_out_of_range" and not dbs[0][0]:
            continue
        if not r[0]:
            messages[key] = re.sub(r"^Error in user declaration '[^']*': ", "", r[1])
    template = re.sub(r"'[^']*': .*$", "'{arg}': {error}", res[1][1])
    # Which argument the message names: the bad rule itself, or (a known slip) the argument
    # at the rule's index among the rules, counted from the start of the line.
    error_index = "argv" if "'badop'" in res[1][1] else "merged"
    simple = classify_lines(binary, [line("user", f"gp-s{i}", op) for i, op in enumerate(ACL_SIMPLE_OPS)])
    return {
        "declaration": template,
        "error_index": error_index,
        "selectors": selectors,
        "simple_ops": [op for op, r in zip(ACL_SIMPLE_OPS, simple) if r[0]],
        "db_selectors": dbs[0][0],
        "messages": messages,
    }
