#!/usr/bin/env python3
"""Matching's figures on what it was not tuned on (issue 20).

    python3 bench/matching/halves.py RUN_DIR [--bench ../shared/bench] [--system hezuo]

RUN_DIR holds run files named SYSTEM.SET.jsonl and SYSTEM.SET.experts.jsonl (hezuo's also
SYSTEM.SET.evidence.jsonl, from `hezuo bench-match` or the engine's tuning loop). Prints:

- the public demand set split in two halves by a hash of each query's qid (`half()`: "tune", the
  half changes are tried on, and "report", the half they are judged on), MRR@10 / Recall@10 for
  documents and experts, by style;
- bench/matching/queries-demand-heldout.jsonl (our own demands, written for new failure modes and
  never tuned on), by style;
- "no strong match": the share of the demands with no answer in the corpus
  (queries-demand-nofit.jsonl) the engine calls so, beside the share of answerable demands it calls
  so (all of them, and those whose first result is right), per set and half. `--threshold T` tests
  another evidence threshold; `--calibrate` finds it on the tune halves only, as the engine's
  `STRONG_EVIDENCE` was found.

Every set is split in two halves by a hash of the qid (`half()`); the held-out and no-fit sets too,
so that a change tried on their tune halves is still judged on halves it was not tried on.

Standard library only; eval.py's metrics are imported from the shared bench folder.
"""

import argparse
import hashlib
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))


def half(qid):
    """'tune' or 'report', fixed by the qid alone (SHA-1, first byte even = tune)."""
    return "tune" if hashlib.sha1(qid.encode()).digest()[0] % 2 == 0 else "report"


def load(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("run_dir")
    ap.add_argument("--bench", default=os.path.join(os.path.dirname(REPO), "shared", "bench"))
    ap.add_argument("--system", default="hezuo")
    ap.add_argument("--threshold", type=float)
    ap.add_argument("--calibrate", action="store_true")
    a = ap.parse_args()
    sys.path.insert(0, a.bench)
    from eval import evaluate, judgements  # noqa: E402

    experts = load(os.path.join(a.bench, "data", "experts.jsonl"))
    sets = {
        "demand-public": os.path.join(a.bench, "data", "queries-demand-public.jsonl"),
        "demand-heldout": os.path.join(HERE, "queries-demand-heldout.jsonl"),
        "demand-nofit": os.path.join(HERE, "queries-demand-nofit.jsonl"),
    }

    def run(set_name, kind=""):
        p = os.path.join(a.run_dir, f"{a.system}.{set_name}{kind}.jsonl")
        return {r["qid"]: r for r in load(p)} if os.path.exists(p) else None

    def metrics(queries, set_name):
        docs, people = run(set_name), run(set_name, ".experts")
        if docs is None:
            return None
        d = evaluate({q: r["results"] for q, r in docs.items()}, judgements(queries))
        e = evaluate({q: r["results"] for q, r in people.items()}, judgements(queries, experts)) if people else None
        return d, e

    print(f"# {a.system} in {a.run_dir}\n")
    print("| set | part | n | MRR@10 | Recall@10 | expert MRR@10 | expert Recall@10 |")
    print("|---|---|---:|---:|---:|---:|---:|")
    answerable = {}
    for set_name in ("demand-public", "demand-heldout"):
        if not os.path.exists(sets[set_name]):
            continue
        queries = load(sets[set_name])
        answerable[set_name] = queries
        parts = [("all", queries)]
        parts += [(h, [q for q in queries if half(q["qid"]) == h]) for h in ("tune", "report")]
        styles = sorted({q.get("style", "") for q in queries})
        parts += [(f"style {s}", [q for q in queries if q.get("style") == s]) for s in styles]
        parts += [(f"report, {s}", [q for q in queries if q.get("style") == s and half(q["qid"]) == "report"])
                  for s in styles]
        for name, qs in parts:
            m = metrics(qs, set_name)
            if m is None:
                print(f"| {set_name} | {name} | no run file | | | | |")
                break
            d, e = m
            print(f"| {set_name} | {name} | {d['n']} | {d['MRR@10']:.4f} | {d['Recall@10']:.3f} | "
                  f"{e['MRR@10']:.4f} | {e['Recall@10']:.3f} |" if e else
                  f"| {set_name} | {name} | {d['n']} | {d['MRR@10']:.4f} | {d['Recall@10']:.3f} | | |")

    # No strong match: the engine's own call ("strong" in the evidence file: one of the first three
    # results' or experts' evidence reaches hezuo_search::STRONG_EVIDENCE), or, with --threshold,
    # that test at another threshold.
    ev = {s: run(s, ".evidence") for s in sets}
    if not all(ev.get(s) for s in ("demand-public", "demand-nofit")):
        print("\n(no evidence files: the no-fit figures need hezuo's SET.evidence.jsonl)")
        return
    nofit = load(sets["demand-nofit"])
    firsts = {}
    for set_name, queries in answerable.items():
        docs = run(set_name)
        for q in queries:
            r = docs.get(q["qid"], {}).get("results", [])
            firsts[q["qid"]] = bool(r) and r[0] in q["relevant"]

    def best(set_name, qid):
        # As hezuo_search::Matches::strong: the first three results' and experts' evidence.
        r = ev[set_name].get(qid) or {}
        return max(r.get("results", [])[:3] + r.get("experts", [])[:3] + [0.0])

    def weak(set_name, qid, t):
        if t is None:
            return not (ev[set_name].get(qid) or {}).get("strong", False)
        return best(set_name, qid) < t

    groups = {}
    for set_name, queries in list(answerable.items()) + [("demand-nofit", nofit)]:
        if not ev.get(set_name):
            continue
        for h in ("tune", "report"):
            groups[f"{set_name} {h}"] = (set_name, [q for q in queries if half(q["qid"]) == h])
    t = a.threshold
    if a.calibrate:
        # The threshold under which at most 5 % of the tune halves' answerable demands whose first
        # result is right fall.
        ok = sorted(best(s, q["qid"]) for g, (s, qs) in groups.items() if g.endswith(" tune") and s != "demand-nofit"
                    for q in qs if firsts[q["qid"]])
        t = ok[int(0.05 * len(ok))]
        print(f"\ncalibrated on the tune halves: evidence threshold {t:.3f} ({len(ok)} right-first tune demands)")
    said = "the engine's call" if t is None else f"evidence < {t:.3f} among the first three results and experts"
    print(f"\n| group | n | called \"no strong match\" ({said}) | of those whose first result is right |")
    print("|---|---:|---:|---:|")
    for name, (set_name, qs) in groups.items():
        called = [q for q in qs if weak(set_name, q["qid"], t)]
        right = [q for q in qs if firsts.get(q["qid"])]
        right_called = [q for q in right if weak(set_name, q["qid"], t)]
        extra = f"{len(right_called)}/{len(right)} = {len(right_called) / len(right):.3f}" if right else ""
        print(f"| {name} | {len(qs)} | {len(called)}/{len(qs)} = {len(called) / max(1, len(qs)):.3f} | {extra} |")


if __name__ == "__main__":
    main()
