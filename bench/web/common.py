"""What bench_web.py and soak.py share: starting servers pinned to cores, signing in, running wrk
and reading what it prints, and a process's memory from /proc. Standard library only; every
request goes to 127.0.0.1."""

import http.cookiejar
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def loadavg():
    return " ".join(open("/proc/loadavg").read().split()[:3])


def rss_mib(pid):
    """(VmRSS, VmHWM) of a process in MiB."""
    status = open(f"/proc/{pid}/status").read()
    get = lambda k: int(re.search(rf"^{k}:\s+(\d+) kB", status, re.M).group(1)) / 1024
    return get("VmRSS"), get("VmHWM")


class Server:
    """A process started under `taskset -c CORES` (taskset execs it: same pid), its output in a log."""

    def __init__(self, name, cmd, cores, log, env=None, cwd=None):
        self.name, self.log = name, log
        full = (["taskset", "-c", cores] if cores else []) + cmd
        self.proc = subprocess.Popen(full, stdout=open(log, "w"), stderr=subprocess.STDOUT,
                                     env=env, cwd=cwd, start_new_session=True)

    @property
    def pid(self):
        return self.proc.pid

    def wait_ready(self, url, seconds=600):
        deadline = time.time() + seconds
        while time.time() < deadline:
            if self.proc.poll() is not None:
                sys.exit(f"{self.name} stopped (exit {self.proc.returncode}); its log {self.log}:\n"
                         + open(self.log).read()[-3000:])
            try:
                urllib.request.urlopen(url, timeout=5).read()
                return
            except (urllib.error.URLError, ConnectionError, OSError):
                time.sleep(0.2)
        sys.exit(f"{self.name} did not answer {url} within {seconds} s (log {self.log})")

    def cpu_seconds(self):
        """CPU time the process has used so far (user + system), in seconds."""
        fields = open(f"/proc/{self.pid}/stat").read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def wait_quiet(self, below=0.1, window=1.0, seconds=300):
        """Waits until the process uses less than `below` of a core over `window` seconds: a server's
        work at start (the flags' refresh, the dashboard's figures) done, so that what is measured
        next is the requests. Returns the seconds waited; None if it was still busy after `seconds`."""
        started = time.time()
        while time.time() - started < seconds:
            before = self.cpu_seconds()
            time.sleep(window)
            if self.cpu_seconds() - before < below * window:
                return time.time() - started
        return None

    def stop(self):
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, 15)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, 9)
                self.proc.wait()


class Client:
    """A cookie-keeping client for one base URL: signs in, makes API tokens, calls the API."""

    def __init__(self, base):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.csrf = None

    def call(self, method, path, body=None, token=None, headers=None, ok=(200, 201, 204)):
        """(status, headers, parsed JSON or text); exits unless the status is in `ok`."""
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.base + path, data=data, method=method)
        req.add_header("Content-Type", "application/json")
        if self.csrf:
            req.add_header("X-CSRF-Token", self.csrf)
        if token:
            req.add_header("Authorization", f"Bearer {token}")
        for k, v in (headers or {}).items():
            req.add_header(k, v)
        try:
            with self.opener.open(req, timeout=300) as r:
                status, hdrs, raw = r.status, dict(r.headers), r.read()
        except urllib.error.HTTPError as e:
            status, hdrs, raw = e.code, dict(e.headers), e.read()
        text = raw.decode("utf-8", "replace")
        try:
            parsed = json.loads(text) if text else None
        except json.JSONDecodeError:
            parsed = text
        if ok is not None and status not in ok:
            sys.exit(f"{method} {path} answered {status}: {text[:500]}")
        return status, hdrs, parsed

    def sign_in(self, username, password):
        """True if signed in (the session cookie kept); False if the account or password is wrong."""
        status, _, body = self.call("POST", "/api/v1/auth/login",
                                    {"username": username, "password": password}, ok=None)
        if status != 200:
            return False
        self.csrf = body["csrf_token"]
        return True

    def session(self):
        for c in self.jar:
            if c.name == "hezuo_session":
                return c.value
        sys.exit("signed in, but no hezuo_session cookie")

    def new_token(self, name):
        return self.call("POST", "/api/v1/tokens", {"name": name})[2]["token"]


def sign_in_or_add(hezuo, store_args, base, username, password, role, organization=None):
    """A client signed in as `username` with `password` (the demo's accounts); if that fails, as a
    user made for the benchmark with `hezuo user add` (its one-time password)."""
    c = Client(base)
    if c.sign_in(username, password):
        return c
    name = f"bench-{role}-{os.getpid()}-{int(time.time()) % 100000}"
    cmd = [hezuo, "user", "add", *store_args, "--role", role, name]
    if organization is not None:
        cmd += ["--organization", str(organization)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    one_time = re.search(r"[:：]\s*(\S+)\s*$", out.strip()).group(1)
    if not c.sign_in(name, one_time):
        sys.exit(f"could not sign in as {name}, just made with hezuo user add")
    return c


UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 6e4, "h": 3.6e6}


def ms(text):
    """wrk's '1.23ms' / '850.00us' / '1.02s' in milliseconds."""
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text)
    return float(m.group(1)) * UNITS[m.group(2)]


def parse_wrk(out):
    """rps, p50/p75/p90/p99 (ms), requests, non-2xx/3xx count and socket errors from `wrk --latency`."""
    r = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
         "requests": int(re.search(r"(\d+) requests in", out).group(1)),
         "non2xx": 0, "socket_errors": 0}
    for pct, val in re.findall(r"^\s+(50|75|90|99)%\s+(\S+)$", out, re.M):
        r[f"p{pct}"] = ms(val)
    m = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    if m:
        r["non2xx"] = int(m.group(1))
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if m:
        r["socket_errors"] = sum(int(x) for x in m.groups())
    return r


def wrk_cmd(url, threads, conns, seconds, cores, headers=(), script=None, script_args=(), timeout="60s",
            latency=True):
    cmd = (["taskset", "-c", cores] if cores else []) + [
        "wrk", "-t", str(threads), "-c", str(conns), "-d", f"{max(1, round(float(seconds)))}s", "--timeout", timeout]
    if latency:
        cmd.append("--latency")
    for h in headers:
        cmd += ["-H", h]
    if script:
        cmd += ["-s", script]
    cmd.append(url)
    if script_args:
        cmd += ["--", *[str(a) for a in script_args]]
    return cmd


def need_wrk():
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install -y wrk")


def project_count(client, token):
    """How many projects a store has: the list's total, or the newest project's number where the
    total is only "at least 1,000" (a large store's first count; the scale loader numbers its
    projects 1..N)."""
    first = client.call("GET", "/api/v1/projects?per_page=1", token=token)[2]
    return max(first["total"], max((p["id"] for p in first["items"]), default=0))
