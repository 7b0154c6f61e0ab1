"""Issue 19: the stored flag on by-id and list reads, A/B on one server and one binary.

    python3 bench/web/ab_flags.py target/release/hezuo /tmp/scale-sqlite

"stored": every flag stored today (after the server's own refresh at start); "computed": every
stored flag of a project being carried out dated 2000-01-01, so each read computes it from the
milestones, the batch and the reports, as every read did before migration 0032. Two rounds of
stored, computed; the first round reads a cold page cache. SQLite stores only (it dates the rows
with the sqlite3 shell, beside the running server); the rows are dated today again at the end.
wrk on 127.0.0.1 only, office token."""
import os, subprocess, sys, tempfile, time
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from common import Server, free_port, sign_in_or_add, wrk_cmd, parse_wrk, project_count, loadavg

hezuo, data = sys.argv[1], sys.argv[2]
db = os.path.join(data, "hezuo.db")
port = free_port(); base = f"http://127.0.0.1:{port}"
store_args = ["--data-dir", data]
srv = Server("hezuo", [hezuo, "serve", *store_args, "--listen", f"127.0.0.1:{port}"], "", os.path.join(tempfile.mkdtemp(), "serve.log"),
             env=dict(os.environ, HEZUO_LOG="warn,sqlx=error"))
srv.wait_ready(base + "/healthz")
office = sign_in_or_add(hezuo, store_args, base, "office", "hezuo-demo", "office")
token = office.new_token("ab")
n = project_count(office, token)
today = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 8 * 3600))
def sql(q):
    return subprocess.run(["sqlite3", "-cmd", ".timeout 60000", db, q], capture_output=True, text=True, check=True).stdout.strip()
# Wait for the server's refresh at start: nothing of a project being carried out left unstored.
while True:
    stale = sql(f"select count(*) from project_flag where computed_on is null or computed_on < '{today}'")
    if stale == "0":
        break
    print("stale flags:", stale, flush=True); time.sleep(10)
fresh_rows = sql(f"select count(*) from project_flag where computed_on = '{today}'")
print("stored today:", fresh_rows)
hdr = [f"Authorization: Bearer {token}"]
def run(label, path, script=None, args=(), secs=8, conns=32, threads=2):
    cmd = wrk_cmd(base + path, threads, conns, secs, "", hdr, script, args)
    out = subprocess.run(cmd, capture_output=True, text=True).stdout
    r = parse_wrk(out)
    print(f"{label:8s} {path[:48]:48s} conns {conns:2d} rps {r['rps']:8.0f} p50 {r.get('p50',0):6.2f} p99 {r.get('p99',0):7.2f} non2xx {r['non2xx']} load {loadavg()}", flush=True)
script = os.path.join(HERE, "random_id.lua")
for round_ in range(2):
    for state in ("stored", "computed"):
        if state == "stored":
            sql(f"update project_flag set computed_on = '{today}' where computed_on = '2000-01-01'")
        else:
            sql(f"update project_flag set computed_on = '2000-01-01' where computed_on = '{today}' and flag is not null")
        run(state, "/api/v1/projects/", script, [str(n)])
        run(state, "/api/v1/projects/", script, [str(n)], secs=4, conns=1, threads=1)
        run(state, "/api/v1/projects?per_page=20")
        run(state, "/api/v1/projects?per_page=20&status=in_progress")
sql(f"update project_flag set computed_on = '{today}' where computed_on = '2000-01-01'")
srv.stop()
