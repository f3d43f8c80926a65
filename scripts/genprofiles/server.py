"""Starting real servers: as a running instance on a unix socket, or just far enough to see
what their config loader says about a file."""

import os
import re
import shutil
import signal
import subprocess
import tempfile
import time

from .resp import Conn

# A line every server version refuses at parse time, with a message we recognise. Appended
# after the lines under test, it makes a server that accepted them all stop right there
# instead of starting (Redis 8 defers unknown names, but `port` is known everywhere).
SENTINEL = b"port sentinel-not-a-number"

FATAL_RE = re.compile(
    rb"\n\*\*\* FATAL CONFIG FILE ERROR \((?P<header>[^)]*)\) \*\*\*\n"
    rb"(?:Reading the configuration file, at line (?P<line>\d+)\n>>> '(?P<text>.*)'\n)?"
    rb"(?P<message>.*)\n\Z",
    re.S,
)


class Fatal:
    """What a server printed when its config loader refused the file."""

    def __init__(self, header, line, text, message, stderr):
        self.header = header
        self.line = line
        self.text = text
        self.message = message
        self.stderr = stderr

    def __repr__(self):
        return f"Fatal(line={self.line}, text={self.text!r}, message={self.message!r})"


class LoadResult:
    def __init__(self, rc, stdout, stderr, fatal):
        self.rc = rc
        self.stdout = stdout
        self.stderr = stderr
        self.fatal = fatal


def parse_fatal(stderr):
    # Text before the block (warnings) is possible; the block is the end of stderr.
    i = stderr.rfind(b"\n*** FATAL CONFIG FILE ERROR")
    if i < 0:
        return None
    m = FATAL_RE.match(stderr[i:])
    if not m:
        return None
    line = int(m.group("line")) if m.group("line") else None
    return Fatal(
        m.group("header").decode(),
        line,
        m.group("text"),
        m.group("message").decode("utf-8", "replace"),
        stderr[i:],
    )


def load_config(binary, content, workdir=None, timeout=10.0, args=()):
    """Starts `binary` on a config file holding `content` (bytes) and returns how it ended.

    The caller makes sure the file cannot make a server listen (a sentinel line, or
    `port 0` without a unix socket); a server still running after `timeout` is killed."""
    own = workdir is None
    workdir = workdir or tempfile.mkdtemp(prefix="genprof-")
    try:
        path = os.path.join(workdir, "probe.conf")
        with open(path, "wb") as f:
            f.write(content)
        proc = subprocess.Popen(
            [binary, path, *args],
            cwd=workdir,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            out, err = proc.communicate()
            raise RuntimeError(f"{binary} did not stop on its own with {content[:200]!r}")
        return LoadResult(proc.returncode, out, err, parse_fatal(err))
    finally:
        if own:
            shutil.rmtree(workdir, ignore_errors=True)


def classify_lines(binary, lines, prefix=()):
    """The verdict of the server's config loader on each line, as (accepted, message).

    The loader stops at the first line it refuses, so the file is re-run from the line after
    each refusal, after the lines accepted so far (they set the state later lines meet: users
    defined, commands renamed): as many starts as refused lines, plus one."""
    prefix = list(prefix)
    results = [None] * len(lines)
    accepted = []
    i = 0
    while i < len(lines):
        head = prefix + accepted
        body = head + lines[i:] + [SENTINEL]
        res = load_config(binary, b"\n".join(body) + b"\n")
        f = res.fatal
        if f is None or f.line is None:
            # The loader died without naming a line (an include that cannot be read…):
            # fall back to one start per line, so only the culprit is inconclusive.
            if len(lines) - i == 1:
                tail = (res.stderr or res.stdout)[-300:].decode("utf-8", "replace")
                results[i] = (False, "no fatal block: " + tail)
                break
            for k in range(i, len(lines)):
                results[k] = classify_lines(binary, [lines[k]], head)[0]
                if results[k][0]:
                    head = head + [lines[k]]
            break
        at = f.line - 1 - len(head)
        if at < 0:
            raise RuntimeError(f"a line accepted before is refused now: {f}")
        accepted += lines[i : i + at]
        for k in range(i, i + at):
            results[k] = (True, None)
        if i + at >= len(lines):
            if f.text != SENTINEL:
                raise RuntimeError(f"unexpected refusal past the lines: {f}")
            break
        results[i + at] = (False, f.message)
        i = i + at + 1
    return results


class Server:
    """A running server on a unix socket in a temp dir, without persistence or TCP."""

    def __init__(self, binary, extra_lines=(), args=()):
        self.binary = binary
        self.dir = tempfile.mkdtemp(prefix="genprof-srv-")
        self.sock = os.path.join(self.dir, "s.sock")
        self.conf = os.path.join(self.dir, "server.conf")
        lines = [
            "port 0",
            f"unixsocket {self.sock}",
            "unixsocketperm 700",
            'save ""',
            "appendonly no",
            f"dir {self.dir}",
            f"logfile {os.path.join(self.dir, 'server.log')}",
            *extra_lines,
        ]
        with open(self.conf, "w") as f:
            f.write("\n".join(lines) + "\n")
        self.proc = subprocess.Popen(
            [binary, self.conf, *args],
            cwd=self.dir,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        deadline = time.time() + 15
        while not os.path.exists(self.sock):
            if self.proc.poll() is not None:
                err = self.proc.stderr.read().decode("utf-8", "replace")
                raise RuntimeError(f"{binary} exited at start: {err}{self.log()}")
            if time.time() > deadline:
                self.stop()
                raise RuntimeError(f"{binary} did not create its socket")
            time.sleep(0.01)

    def log(self):
        try:
            with open(os.path.join(self.dir, "server.log"), encoding="utf-8", errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def connect(self):
        return Conn(self.sock)

    def stop(self):
        if self.proc.poll() is None:
            try:
                c = self.connect()
                c.send_raw(Conn.encode(["SHUTDOWN", "NOSAVE"]))
                c.close()
                self.proc.wait(timeout=5)
            except Exception:
                pass
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
