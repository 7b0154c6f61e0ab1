#!/usr/bin/env python3
"""Issue 19's soak: two `hezuo serve` processes on one PostgreSQL database under a mixed load.

Makes a database of its own on the PostgreSQL server --database-url names (dropped at the end, unless
--keep or --database names an existing store to use), starts two servers on it (ports 18081 and
18082, each with its own search index, both pinned with `taskset -c CORES`; the first loads the demo
data into a fresh database), and runs one wrk per server with bench/web/soak.lua: list pages, projects
by id, searches, demands' matches, PATCHes with and without If-Match, progress reports filed. Every
--interval seconds (10) it samples each server's memory (VmRSS, VmHWM), requests, errors and the
interval's p99, then prints a table per minute and a summary. Exits non-zero on any error: an answer
of 400 or more other than the expected conflicts (409, and 412 for a stale If-Match, counted apart),
a socket error, or a server that stopped — never on a timing.

    python3 bench/web/soak.py --hezuo target/release/hezuo --minutes 30 --connections 8 [--rate 400]
    python3 bench/web/soak.py --seconds 20                                  # the small one, for CI

Standard library only (plus wrk and psql); every request goes to 127.0.0.1.
"""

import argparse
import datetime
import json
import math
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import (HERE, REPO, Client, Server, loadavg, need_wrk, project_count, rss_mib,  # noqa: E402
                    sign_in_or_add, wrk_cmd)


def args():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--hezuo", default=os.path.join(REPO, "target/release/hezuo"))
    ap.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/test",
                    help="a PostgreSQL server (a user that may create databases)")
    ap.add_argument("--database", help="an existing database on that server to soak (kept; default: a new one)")
    ap.add_argument("--keep", action="store_true", help="keep the database made for the soak")
    ap.add_argument("--ports", default="18081,18082")
    ap.add_argument("--cores", default="0,1", help="taskset -c list for the servers and wrk ('' for none)")
    ap.add_argument("--minutes", type=float)
    ap.add_argument("--seconds", type=float, help="instead of --minutes (e.g. 20 for CI)")
    ap.add_argument("--interval", type=float, default=10, help="seconds between samples")
    ap.add_argument("--threads", type=int, default=1, help="wrk threads per server")
    ap.add_argument("--connections", type=int, default=8, help="wrk connections per server")
    ap.add_argument("--rate", type=float, help="requests/s per server, roughly (each connection waits "
                    "connections/rate s between requests); default: as fast as the servers answer")
    ap.add_argument("--json", help="also write every sample as JSON to this file")
    a = ap.parse_args()
    a.total = a.seconds if a.seconds else (a.minutes or 1) * 60
    return a


def with_db(url, name):
    u = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit((u.scheme, u.netloc, "/" + name, u.query, u.fragment))


def psql(url, sql):
    subprocess.run(["psql", url, "-qAtc", sql], check=True)


def periods(today):
    """Report periods a batch may have now: this month and the last, this quarter and the last."""
    last = today.replace(day=1) - datetime.timedelta(days=1)
    q = (today.month - 1) // 3 + 1
    lq = (today.year, q - 1) if q > 1 else (today.year - 1, 4)
    return [f"{today:%Y-%m}", f"{last:%Y-%m}", f"{today.year}-Q{q}", f"{lq[0]}-Q{lq[1]}"]


def fixture(c, token, n):
    """What the Lua needs: lists, searches, demands, and (project, period) pairs that take a report."""
    deep = max(1, n // 40)
    lists = ["/api/v1/projects?per_page=20", f"/api/v1/projects?per_page=20&page={deep}",
             "/api/v1/projects?per_page=20&status=in_progress", "/api/v1/projects?per_page=20&sort=-updated_at",
             "/api/v1/projects?per_page=20&kind=research"]
    searches = ["/api/v1/search?q=" + urllib.parse.quote(q) for q in ("废水", "有机硅", "jiangshan", "食用菌")]
    demands = [d["id"] for d in c.call("GET", "/api/v1/demands?per_page=20", token=token)[2]["items"]]
    today = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=8)).date()
    reports = []
    running = c.call("GET", "/api/v1/projects?per_page=100&status=in_progress", token=token)[2]["items"]
    for p in running:
        if not p.get("batch_id"):
            continue
        for period in periods(today):
            status, _, _ = c.call("POST", f"/api/v1/projects/{p['id']}/reports", token=token, ok=None,
                                  body={"period": period, "percent": 10, "done_text": "压力测试开始前的一份进度。"})
            if status == 201:
                reports.append((p["id"], period))
                break
        if len(reports) >= 30:
            break
    return {"lists": lists, "searches": searches, "demands": demands, "reports": reports}


def lua_data(path, token, n, fx):
    q = lambda s: json.dumps(s, ensure_ascii=False)
    with open(path, "w") as f:
        f.write(f"token = {q(token)}\nn = {n}\n")
        f.write("lists = {" + ", ".join(map(q, fx["lists"])) + "}\n")
        f.write("searches = {" + ", ".join(map(q, fx["searches"])) + "}\n")
        f.write("demands = {" + ", ".join(str(d) for d in fx["demands"]) + "}\n")
        f.write("reports = {" + ", ".join(f"{{{p}, {q(per)}}}" for p, per in fx["reports"]) + "}\n")


def run_interval(a, bases, data, seconds):
    delay = a.connections * 1000 / a.rate if a.rate else 0
    procs = [subprocess.Popen(wrk_cmd(b, a.threads, a.connections, f"{seconds:g}", a.cores,
                                      script=os.path.join(HERE, "soak.lua"), script_args=(data, f"{delay:.3f}"),
                                      latency=False),
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) for b in bases]
    out = []
    for p in procs:
        text = p.communicate()[0]
        m = re.search(r"^SOAK-JSON (.*)$", text, re.M)
        if p.returncode != 0 or not m:
            sys.exit(f"wrk failed:\n{text}")
        r = json.loads(m.group(1))
        r["errors_seen"] = re.findall(r"^SOAK-ERR (.*)$", text, re.M)
        out.append(r)
    return out


def main():
    a = args()
    need_wrk()
    tmp = tempfile.mkdtemp(prefix="hezuo-soak-")
    ports = [int(p) for p in a.ports.split(",")]
    made = None
    if a.database:
        url = with_db(a.database_url, a.database)
    else:
        made = f"hezuo_soak_{os.getpid()}_{int(time.time()) % 100000}"
        psql(a.database_url, f"create database {made}")
        url = with_db(a.database_url, made)
    servers = []
    try:
        for i, port in enumerate(ports):
            store_args = ["--database-url", url, "--data-dir", os.path.join(tmp, f"data{i}"),
                          "--index-dir", os.path.join(tmp, f"index{i}")]
            demo = ["--demo"] if made and i == 0 else []
            t = time.time()
            s = Server(f"hezuo serve :{port}", [a.hezuo, "serve", *store_args, *demo, "--listen", f"127.0.0.1:{port}"],
                       a.cores, os.path.join(tmp, f"serve{i}.log"))
            servers.append(s)
            s.wait_ready(f"http://127.0.0.1:{port}/healthz")
            print(f"server {i + 1} on :{port} up in {time.time() - t:.1f} s", flush=True)
        bases = [f"http://127.0.0.1:{p}" for p in ports]
        office = sign_in_or_add(a.hezuo, store_args, bases[0], "office", "hezuo-demo", "office")
        token = office.new_token("soak")
        n = project_count(office, token)
        fx = fixture(office, token, n)
        data = os.path.join(tmp, "soak_data.lua")
        lua_data(data, token, n, fx)
        pace = f"paced at ~{a.rate:g} req/s per server" if a.rate else "unpaced (as fast as answered)"
        print(f"{n} projects, {len(fx['demands'])} demands, {len(fx['reports'])} projects taking reports; "
              f"wrk {a.threads} thread/{a.connections} connections per server, {pace}, {a.total:g} s, "
              f"cores {a.cores or 'any'}; load average {loadavg()}", flush=True)
        print(f"\n{'t s':>6} {'server':>6} {'req':>7} {'rps':>7} {'p50 ms':>7} {'p99 ms':>7} {'conflicts':>9} "
              f"{'errors':>6} {'RSS MiB':>8} {'HWM MiB':>8}", flush=True)
        samples, start = [], time.time()
        rss0 = [rss_mib(s.pid)[0] for s in servers]
        intervals = max(1, math.ceil(a.total / a.interval))
        for k in range(intervals):
            secs = max(1, round(min(a.interval, a.total - k * a.interval)))
            results = run_interval(a, bases, data, secs)
            for i, (s, r) in enumerate(zip(servers, results)):
                if s.proc.poll() is not None:
                    sys.exit(f"server {i + 1} stopped (exit {s.proc.returncode}); log {s.log}")
                rss, hwm = rss_mib(s.pid)
                errors = r["e4"] + r["e5"] + r["socket"]
                smp = {"t": round(time.time() - start, 1), "minute": int(k * a.interval // 60), "server": i + 1,
                       "requests": r["requests"], "rps": r["requests"] / (r["duration_us"] / 1e6),
                       "p50_ms": r["p50_us"] / 1e3, "p99_ms": r["p99_us"] / 1e3, "max_ms": r["max_us"] / 1e3,
                       "conflicts": r["conflicts"], "e4": r["e4"], "e5": r["e5"], "socket": r["socket"],
                       "errors": errors, "rss_mib": rss, "hwm_mib": hwm, "loadavg": loadavg(),
                       "errors_seen": r["errors_seen"]}
                samples.append(smp)
                print(f"{smp['t']:6.0f} {i + 1:>6} {smp['requests']:7d} {smp['rps']:7.0f} {smp['p50_ms']:7.2f} "
                      f"{smp['p99_ms']:7.1f} {smp['conflicts']:9d} {errors:6d} {rss:8.0f} {hwm:8.0f}", flush=True)
                for e in r["errors_seen"]:
                    print(f"       server {i + 1} answered: {e}")

        # Per minute, both servers together.
        print("\n| minute | requests | rps | worst interval p99 ms | conflicts | errors | RSS MiB (server 1 / 2) |")
        print("|---:|---:|---:|---:|---:|---:|---|")
        for m in sorted({s["minute"] for s in samples}):
            ss = [s for s in samples if s["minute"] == m]
            secs = len(ss) / len(servers) * a.interval
            last = {s["server"]: s["rss_mib"] for s in ss}
            print(f"| {m + 1} | {sum(s['requests'] for s in ss):,} | {sum(s['requests'] for s in ss) / secs:,.0f} | "
                  f"{max(s['p99_ms'] for s in ss):.1f} | {sum(s['conflicts'] for s in ss)} | "
                  f"{sum(s['errors'] for s in ss)} | {' / '.join(f'{last[k]:.0f}' for k in sorted(last))} |")
        total = sum(s["requests"] for s in samples)
        errors = sum(s["errors"] for s in samples)
        p99s = [s["p99_ms"] for s in samples]
        print(f"\nsummary: {total:,} requests in {a.total:g} s ({total / a.total:,.0f}/s over both servers), "
              f"{sum(s['conflicts'] for s in samples)} conflicts (409/412), {errors} errors "
              f"({sum(s['e5'] for s in samples)} 5xx, {sum(s['e4'] for s in samples)} other 4xx, "
              f"{sum(s['socket'] for s in samples)} socket)")
        print(f"interval p99: min {min(p99s):.1f} ms, median {statistics.median(p99s):.1f} ms, max {max(p99s):.1f} ms")
        for i, s in enumerate(servers):
            mine = [x for x in samples if x["server"] == i + 1]
            print(f"server {i + 1} RSS: {rss0[i]:.0f} MiB before the load, {mine[0]['rss_mib']:.0f} after the first "
                  f"interval, {mine[-1]['rss_mib']:.0f} at the end (peak {mine[-1]['hwm_mib']:.0f})")
        print(f"load average at the end: {loadavg()}")
        if a.json:
            with open(a.json, "w") as f:
                json.dump(samples, f, ensure_ascii=False, indent=1)
        if errors:
            print(f"FAILED: {errors} requests answered with an error (logs in {tmp})")
            tmp = None
            sys.exit(1)
        print("no request answered with an error")
    finally:
        for s in reversed(servers):
            s.stop()
        if made and not a.keep:
            psql(a.database_url, f"drop database if exists {made} with (force)")
        if tmp:
            subprocess.run(["rm", "-rf", tmp])


if __name__ == "__main__":
    main()
