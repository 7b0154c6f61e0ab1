#!/usr/bin/env python3
"""The server's memory with a large index open, and while it answers.

Starts `hezuo serve` on the store and index that `hezuo bench-match --out DIR` left in DIR/store and
DIR/index, signs in as an office user made with `hezuo user add`, then reads the server's resident
set size (VmRSS, and its peak VmHWM, from /proc) after start, after every query of a query file
through GET /api/v1/search, and after matching demands made from the first queries
(GET /api/v1/demands/{id}/matches). Standard library only; talks to 127.0.0.1 only.

    python3 bench/serve_rss.py --hezuo target/release/hezuo --dir /tmp/hezuo-scale \
        --queries /tmp/bench-run/scale/queries-scale-1m.jsonl [--demands 50]
"""

import argparse
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request


def rss_mib(pid):
    status = open(f"/proc/{pid}/status").read()
    get = lambda k: int(re.search(rf"^{k}:\s+(\d+) kB", status, re.M).group(1)) / 1024
    return get("VmRSS"), get("VmHWM")


def credit_code(body):
    """A unified social credit code (GB 32100-2015) with its check character."""
    chars = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
    total = sum(chars.index(c) * w for c, w in zip(body, weights))
    return body + chars[(31 - total % 31) % 31]


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--hezuo", default="target/release/hezuo")
    ap.add_argument("--dir", required=True, help="the --out folder of hezuo bench-match")
    ap.add_argument("--queries", required=True)
    ap.add_argument("--demands", type=int, default=50, help="demands made from the first queries and matched")
    a = ap.parse_args()
    store, index = os.path.join(a.dir, "store"), os.path.join(a.dir, "index")
    user = f"rss{int(time.time())}"
    out = subprocess.run(
        [a.hezuo, "user", "add", "--data-dir", store, "--role", "office", user],
        check=True, capture_output=True, text=True,
    )
    password = re.search(r"[:：]\s*(\S+)\s*$", out.stdout.strip()).group(1)

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    started = time.time()
    server = subprocess.Popen(
        [a.hezuo, "serve", "--data-dir", store, "--index-dir", index, "--listen", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(600):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=5)
                break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.2)
        else:
            sys.exit("the server did not start")
        ready = time.time() - started
        time.sleep(3)  # one follower round of the change feed
        print(f"started in {ready:.1f} s; RSS {rss_mib(server.pid)[0]:.0f} MiB (peak {rss_mib(server.pid)[1]:.0f})")

        def call(method, path, body=None, token=None, csrf=None):
            data = json.dumps(body).encode() if body is not None else None
            req = urllib.request.Request(base + path, data=data, method=method)
            req.add_header("Content-Type", "application/json")
            if csrf:
                req.add_header("X-CSRF-Token", csrf)
            if token:
                req.add_header("Authorization", f"Bearer {token}")
            try:
                with opener.open(req, timeout=120) as r:
                    return json.loads(r.read() or b"null")
            except urllib.error.HTTPError as e:
                sys.exit(f"{method} {path}: {e.code} {e.read().decode()}")

        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
        csrf = call("POST", "/api/v1/auth/login", {"username": user, "password": password})["csrf_token"]
        token = call("POST", "/api/v1/tokens", {"name": "rss"}, csrf=csrf)["token"]

        queries = [json.loads(l)["query"] for l in open(a.queries) if l.strip()]
        t = time.time()
        hits = 0
        for q in queries:
            hits += call("GET", "/api/v1/search?" + urllib.parse.urlencode({"q": q}), token=token)["total"]
        took = time.time() - t
        rss, peak = rss_mib(server.pid)
        print(f"{len(queries)} searches in {took:.1f} s ({hits} hits); RSS {rss:.0f} MiB (peak {peak:.0f})")

        ent = call("POST", "/api/v1/organizations", {"kind": "enterprise", "name": "内存测试企业",
                                                       "credit_code": credit_code("91330802MA2000001"), "region_code": "330802", "industry_code": "C26"},
                   token=token)
        t = time.time()
        for q in queries[: a.demands]:
            d = call("POST", "/api/v1/demands", {"enterprise_id": str(ent["id"]), "title": q[:40], "summary": q}, token=token)
            call("GET", f"/api/v1/demands/{d['id']}/matches", token=token)
        took = time.time() - t
        rss, peak = rss_mib(server.pid)
        print(f"{a.demands} demands made and matched in {took:.1f} s; RSS {rss:.0f} MiB (peak {peak:.0f})")
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
