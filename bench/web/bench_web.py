#!/usr/bin/env python3
"""Issue 19's web benchmark: the real server beside two peers, one load at a time, with wrk.

Starts `hezuo serve` on a store (a fresh `--demo` data folder unless --data-dir or --database-url
names one), the bare axum handler (the ceiling) and the FastAPI + uvicorn + SQLite peer (what a team
might write instead; its database made with as many projects as the store has), each pinned with
`taskset -c CORES` to the same cores, and runs wrk against each request in turn: once at 1 thread /
1 connection for latency (p50, p90, p99) and once at 2 threads / 32 connections for throughput
(requests/s). Prints a markdown table, the ratios the issue asks for, the load average and the
server's memory, and exits non-zero if any request was answered with a status of 400 or more or
hit a socket error — never on a timing.

    python3 bench/web/bench_web.py --hezuo target/release/hezuo            # demo data, 10 s per run
    python3 bench/web/bench_web.py --quick                                  # 1 s per run (CI)
    python3 bench/web/bench_web.py --data-dir /tmp/scale-sqlite             # a store of one's own
    python3 bench/web/bench_web.py --database-url postgres://postgres@127.0.0.1:5432/scale

The peers live outside the repo (default ../shared/bench/web from the repo root, or --peers); the
axum peer is built once into --cache, FastAPI and uvicorn are installed once into a venv there.
Standard library only (plus wrk); every request goes to 127.0.0.1.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.parse

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import (HERE, REPO, Client, Server, free_port, loadavg, need_wrk, parse_wrk, project_count,  # noqa: E402
                    rss_mib, sign_in_or_add, wrk_cmd)

DEMO_PASSWORD = "hezuo-demo"


def args():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--hezuo", default=os.path.join(REPO, "target/release/hezuo"), help="the hezuo binary")
    ap.add_argument("--data-dir", help="an existing data folder to serve (default: a fresh --demo one)")
    ap.add_argument("--database-url", help="an existing PostgreSQL store to serve")
    ap.add_argument("--index-dir", help="the server's search index folder (default: a fresh temporary one "
                    "for --database-url, the data folder's own otherwise)")
    ap.add_argument("--peers", default=os.path.join(REPO, "..", "shared", "bench", "web"),
                    help="the folder with axum-bare/ and fastapi_peer.py")
    ap.add_argument("--cache", default="/tmp/hezuo-bench-web", help="where the peers' builds are kept")
    ap.add_argument("--no-peers", action="store_true", help="hezuo only")
    ap.add_argument("--cores", default="0,1", help="taskset -c list for every server and wrk ('' for none)")
    ap.add_argument("--duration", type=float, default=10, help="seconds of each throughput run")
    ap.add_argument("--latency-duration", type=float, help="seconds of each latency run (default: --duration)")
    ap.add_argument("--quick", action="store_true", help="one 1 s throughput run per request, no latency run: "
                    "for CI, which looks at errors only")
    ap.add_argument("--latency-threads", type=int, default=1)
    ap.add_argument("--latency-connections", type=int, default=1)
    ap.add_argument("--threads", type=int, default=2, help="wrk threads of the throughput runs")
    ap.add_argument("--connections", type=int, default=32, help="wrk connections of the throughput runs")
    ap.add_argument("--fastapi-workers", type=int, default=2)
    ap.add_argument("--only", help="run only the rows whose request contains this text (or one of several, comma-separated)")
    ap.add_argument("--json", help="also write every figure as JSON to this file")
    a = ap.parse_args()
    if a.quick:
        a.duration = 1
    if a.latency_duration is None:
        a.latency_duration = a.duration
    if not a.no_peers and not os.path.isfile(os.path.join(a.peers, "fastapi_peer.py")):
        print(f"no peers in {a.peers}: measuring hezuo alone")
        a.no_peers = True
    return a


def build_axum(a):
    target = os.path.join(a.cache, "axum-target")
    binary = os.path.join(target, "release", "axum-bare")
    manifest = os.path.join(a.peers, "axum-bare", "Cargo.toml")
    if not os.path.exists(binary) or os.path.getmtime(binary) < os.path.getmtime(
            os.path.join(a.peers, "axum-bare", "src", "main.rs")):
        print(f"building the axum peer into {target} …", flush=True)
        env = dict(os.environ, CARGO_TARGET_DIR=target)
        subprocess.run(["cargo", "build", "--release", "--quiet", "--manifest-path", manifest], check=True, env=env)
    return binary


def fastapi_python(a):
    venv = os.path.join(a.cache, "venv")
    py = os.path.join(venv, "bin", "python")
    if subprocess.run([py, "-c", "import fastapi, uvicorn"], capture_output=True).returncode if os.path.exists(py) else 1:
        print(f"installing fastapi and uvicorn into {venv} …", flush=True)
        subprocess.run([sys.executable, "-m", "venv", venv], check=True)
        subprocess.run([py, "-m", "pip", "install", "-q", "fastapi", "uvicorn"], check=True)
    return py


def fastapi_db(a, py, n):
    db = os.path.join(a.cache, f"fastapi-{n}.db")
    if not os.path.exists(db):
        print(f"making the FastAPI peer's database of {n} projects …", flush=True)
        subprocess.run([py, os.path.join(a.peers, "fastapi_peer.py"), "--db", db + ".tmp", "--make", str(n)], check=True)
        os.replace(db + ".tmp", db)
    return db


class Runner:
    """Runs wrk twice per request (latency, throughput), one load at a time, and keeps the rows."""

    def __init__(self, a):
        self.a, self.rows, self.failed = a, [], []

    def run(self, request, who, peer, base, path, headers=(), script_args=None):
        if self.a.only and not any(t in request for t in self.a.only.split(",")):
            return
        script = os.path.join(HERE, "random_id.lua") if script_args else None
        row = {"request": request, "as": who, "peer": peer, "path": path}
        modes = [("lat", self.a.latency_threads, self.a.latency_connections, self.a.latency_duration),
                 ("tput", self.a.threads, self.a.connections, self.a.duration)]
        for mode, t, c, d in modes[1:] if self.a.quick else modes:
            cmd = wrk_cmd(base + path, t, c, d, self.a.cores, headers, script, script_args or ())
            out = subprocess.run(cmd, capture_output=True, text=True)
            if out.returncode != 0:
                sys.exit(f"wrk failed ({' '.join(cmd)}):\n{out.stdout}{out.stderr}")
            r = parse_wrk(out.stdout)
            for pct in ("p50", "p75", "p90", "p99"):
                if pct not in r:  # wrk prints no distribution when too few requests finished
                    r[pct] = float("nan")
            row[mode] = r
            if r["non2xx"] or r["socket_errors"]:
                self.failed.append(f"{peer} {request} ({mode}): {r['non2xx']} answers ≥ 400, "
                                   f"{r['socket_errors']} socket errors")
        if self.a.quick:
            row["lat"] = row["tput"]  # one run only: its percentiles are at the throughput run's connections
        self.rows.append(row)
        lat, tput = row["lat"], row["tput"]
        print(f"  {peer:9} {who:11} {request:42} {tput['rps']:9.0f} rps  p50 {lat['p50']:.2f}  "
              f"p99 {lat['p99']:.2f} ms (1 conn)  p99 {tput['p99']:.1f} ms ({self.a.connections} conn)", flush=True)

    def find(self, request, peer, who="office"):
        for r in self.rows:
            if r["request"] == request and r["peer"] == peer and r["as"] in (who, "-"):
                return r
        return None


def check(client, path, token=None, cookie=None):
    """One request before the load: it must answer 2xx (else the load would only measure errors)."""
    headers = {"Cookie": f"hezuo_session={cookie}"} if cookie else None
    c = Client(client.base)
    c.call("GET", path, token=token, headers=headers)


def main():
    a = args()
    need_wrk()
    tmp = tempfile.mkdtemp(prefix="hezuo-bench-web-")
    os.makedirs(a.cache, exist_ok=True)
    load_start = loadavg()
    servers = []
    try:
        # The real server.
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        if a.database_url:
            store_args = ["--database-url", a.database_url, "--data-dir", os.path.join(tmp, "data"),
                          "--index-dir", a.index_dir or os.path.join(tmp, "index")]
            what = "the PostgreSQL store at --database-url"
        elif a.data_dir:
            store_args = ["--data-dir", a.data_dir] + (["--index-dir", a.index_dir] if a.index_dir else [])
            what = f"the store in {a.data_dir}"
        else:
            store_args = ["--data-dir", os.path.join(tmp, "data")]
            what = "a fresh `hezuo serve --demo` data folder"
        demo = [] if (a.database_url or a.data_dir) else ["--demo"]
        started = time.time()
        hz = Server("hezuo", [a.hezuo, "serve", *store_args, *demo, "--listen", f"127.0.0.1:{port}"],
                    a.cores, os.path.join(tmp, "hezuo.log"))
        servers.append(hz)
        hz.wait_ready(base + "/healthz")
        print(f"hezuo serve up in {time.time() - started:.1f} s on {what}; "
              f"RSS {rss_mib(hz.pid)[0]:.0f} MiB", flush=True)

        office = sign_in_or_add(a.hezuo, store_args, base, "office", DEMO_PASSWORD, "office")
        token = office.new_token("bench-web")
        auth = [f"Authorization: Bearer {token}"]
        cookie = office.session()
        n = project_count(office, token)
        # A county coordinator: the demo's, else a new one at an existing coordinator's organisation.
        coord = Client(base)
        coord_token = None
        if coord.sign_in("coordinator", DEMO_PASSWORD):
            coord_token = coord.new_token("bench-web")
        else:
            users = office.call("GET", "/api/v1/users?per_page=200", token=token)[2]["items"]
            org = next((u.get("organization_id") for u in users if u.get("role") == "coordinator"
                        and u.get("organization_id")), None)
            if org:
                coord = sign_in_or_add(a.hezuo, store_args, base, "-", "-", "coordinator", org)
                coord_token = coord.new_token("bench-web")
            else:
                print("no coordinator in this store: the coordinator's rows are left out")
        demands = office.call("GET", "/api/v1/demands?per_page=1", token=token)[2]["items"]
        deep = max(1, n // 40)
        print(f"{n} projects; deep page {deep}; loadavg {load_start}", flush=True)

        r = Runner(a)
        lists = [("list first page", "/api/v1/projects?per_page=20"),
                 (f"list deep page (page={deep})", f"/api/v1/projects?per_page=20&page={deep}"),
                 ("list status=in_progress", "/api/v1/projects?per_page=20&status=in_progress"),
                 ("list sort=-updated_at", "/api/v1/projects?per_page=20&sort=-updated_at"),
                 ("list kind=research", "/api/v1/projects?per_page=20&kind=research"),
                 ("list batch_year=2025", "/api/v1/projects?per_page=20&batch_year=2025")]
        q = urllib.parse.quote("废水")
        others = [("page /projects", "/projects", "cookie"),
                  ("page /board", "/board", "cookie"),
                  ("page /dashboard", "/dashboard", "cookie"),
                  ("search q=废水", f"/api/v1/search?q={q}", "token"),
                  ("healthz", "/healthz", None)]
        if demands:
            others.insert(4, (f"demand {demands[0]['id']} matches", f"/api/v1/demands/{demands[0]['id']}/matches", "token"))
        for _, path in lists:
            check(office, path, token)
            if coord_token:
                if "page=" in path:
                    hz.wait_quiet()  # the server makes one list's marks at a time (see below)
                check(office, path, coord_token)
        for _, path, how in others:
            check(office, path, token if how == "token" else None, cookie if how == "cookie" else None)
        check(office, f"/api/v1/projects/{n}", token)
        # A server just started refreshes the flags and makes the dashboard's figures (at a million
        # projects, seconds of both cores), and the first deep page of a list makes its marks:
        # measured through, they fell on whichever rows came first. What the first deep page costs
        # is measured apart (docs/benchmarks.md).
        quiet = hz.wait_quiet()
        print(f"hezuo serve idle after {quiet:.1f} s more" if quiet is not None
              else "hezuo serve still busy after 300 s: measuring anyway", flush=True)

        print(f"\nhezuo ({' '.join(store_args + demo)}):", flush=True)
        r.run("by id (random 1..N)", "office", "hezuo", base, "", auth, [n, "/api/v1/projects/"])
        for name, path in lists:
            r.run(name, "office", "hezuo", base, path, auth)
        if coord_token:
            for name, path in lists:
                r.run(name, "coordinator", "hezuo", base, path, [f"Authorization: Bearer {coord_token}"])
        for name, path, how in others:
            h = auth if how == "token" else [f"Cookie: hezuo_session={cookie}"] if how == "cookie" else []
            r.run(name, "office", "hezuo", base, path, h)
        rss = rss_mib(hz.pid)

        if not a.no_peers:
            # The ceiling: one at a time, on the same cores, while hezuo idles.
            axum = build_axum(a)
            p = free_port()
            s = Server("axum-bare", [axum, f"127.0.0.1:{p}"], a.cores, os.path.join(tmp, "axum.log"))
            servers.append(s)
            pb = f"http://127.0.0.1:{p}"
            s.wait_ready(pb + "/api/v1/projects/1")
            print("\naxum-bare:", flush=True)
            r.run("by id (random 1..N)", "-", "axum-bare", pb, "", (), [n, "/api/v1/projects/"])
            r.run("list first page", "-", "axum-bare", pb, "/api/v1/projects?per_page=20")
            s.stop()

            py = fastapi_python(a)
            db = fastapi_db(a, py, n)
            p = free_port()
            peer_dir = os.path.abspath(a.peers)
            s = Server("fastapi", [py, os.path.join(peer_dir, "fastapi_peer.py"), "--db", db, "--port", str(p),
                                   "--workers", str(a.fastapi_workers)], a.cores, os.path.join(tmp, "fastapi.log"),
                       env=dict(os.environ, PYTHONPATH=peer_dir, PYTHONDONTWRITEBYTECODE="1"), cwd=peer_dir)
            servers.append(s)
            pb = f"http://127.0.0.1:{p}"
            s.wait_ready(pb + "/api/v1/projects/1")
            time.sleep(1)  # both workers up
            print("\nFastAPI:", flush=True)
            r.run("by id (random 1..N)", "-", "FastAPI", pb, "", (), [n, "/api/v1/projects/"])
            for name, path in lists[:3]:
                r.run(name, "-", "FastAPI", pb, path)
            s.stop()
        load_end = loadavg()

        # The table: each peer row says what hezuo's rps is to it.
        if a.quick:
            print("\n--quick: one run per request, so p50/p90/p99 below are at the throughput run's connections.")
        print(f"\nwrk {r.a.latency_threads} thread/{r.a.latency_connections} connection for p50/p90/p99 "
              f"({a.latency_duration:g} s), {a.threads} threads/{a.connections} connections for rps and the "
              f"second p99 ({a.duration:g} s); servers and wrk on cores {a.cores or 'any'}; "
              f"load average {load_start} at the start, {load_end} at the end.\n")
        print(f"| request | as | server | rps ({a.connections} conn) | p50 ms | p90 ms | p99 ms | "
              f"p99 ms ({a.connections} conn) | hezuo ÷ this (rps) |")
        print("|---|---|---|---:|---:|---:|---:|---:|---:|")
        for row in r.rows:
            lat, tput = row["lat"], row["tput"]
            ratio = ""
            if row["peer"] != "hezuo":
                h = r.find(row["request"], "hezuo")
                if h:
                    ratio = f"{h['tput']['rps'] / tput['rps']:.2f}"
            print(f"| {row['request']} | {row['as']} | {row['peer']} | {tput['rps']:,.0f} | {lat['p50']:.2f} | "
                  f"{lat['p90']:.2f} | {lat['p99']:.2f} | {tput['p99']:.1f} | {ratio} |")
        print()
        ratios = {}
        for label, req, peer, target in (("by-id rps ÷ axum-bare by-id rps", "by id (random 1..N)", "axum-bare", 0.5),
                                          ("by-id rps ÷ FastAPI by-id rps", "by id (random 1..N)", "FastAPI", 5),
                                          ("list rps ÷ FastAPI list rps", "list first page", "FastAPI", 5)):
            h, p = r.find(req, "hezuo"), r.find(req, peer)
            if h and p:
                ratios[label] = h["tput"]["rps"] / p["tput"]["rps"]
                at = f"{a.connections} connections (--quick)" if a.quick else f"{a.latency_connections} connection"
                print(f"{label}: {ratios[label]:.2f} (target ≥ {target}); p99 at {at} "
                      f"{h['lat']['p99']:.2f} ms beside {p['lat']['p99']:.2f} ms")
        print(f"hezuo serve RSS at the end: {rss[0]:.0f} MiB (peak VmHWM {rss[1]:.0f} MiB)")
        if a.json:
            with open(a.json, "w") as f:
                json.dump({"rows": r.rows, "ratios": ratios, "rss_mib": rss[0], "hwm_mib": rss[1],
                           "projects": n, "loadavg": [load_start, load_end], "cores": a.cores,
                           "store": what}, f, ensure_ascii=False, indent=1)
        if r.failed:
            print("\nFAILED: some requests were answered with an error:\n  " + "\n  ".join(r.failed))
            sys.exit(1)
        print("no request answered with an error")
    finally:
        for s in reversed(servers):
            s.stop()
        subprocess.run(["rm", "-rf", tmp])


if __name__ == "__main__":
    main()
