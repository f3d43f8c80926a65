"""A deterministic TOML writer for the profile files (the stdlib reads TOML but cannot write it)."""

import re

BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def key(k):
    return k if BARE_KEY.match(k) else string(k)


def string(s):
    out = ['"']
    for ch in s:
        o = ord(ch)
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\r":
            out.append("\\r")
        elif o < 0x20 or o == 0x7F:
            out.append("\\u%04X" % o)
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def value(v):
    """One value written inline (tables as inline tables, in their insertion order)."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, str):
        return string(v)
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(value(x) for x in v) + "]"
    if isinstance(v, dict):
        if not v:
            return "{}"
        items = [(k, x) for k, x in v.items() if x is not None]
        return "{ " + ", ".join(f"{key(k)} = {value(x)}" for k, x in items) + " }"
    raise TypeError(f"cannot write {type(v)}: {v!r}")


def pairs(d, skip=()):
    """`key = value` lines for the scalar and inline entries of a table."""
    lines = []
    for k, v in d.items():
        if v is None or k in skip:
            continue
        lines.append(f"{key(k)} = {value(v)}")
    return lines


def multiline_array(name, items):
    """An array with one element per line, for long lists that people read."""
    if not items:
        return [f"{key(name)} = []"]
    return [f"{key(name)} = ["] + [f"  {value(x)}," for x in items] + ["]"]
