#!/usr/bin/env python3
"""Labelled detection evaluation: builds every scenario of scenarios.tsv (securenet-pcapgen or a
capture of tests/data/captures), runs securenet-analyze over it (packet time, as fast as the
CPU allows) and scores the host alerts against expected.tsv: precision and recall per rule
and over the whole set.

An alert matches an expected row when its kind is one of the row's kinds, its host is the
row's host, and (when both say one) its direction is the row's. Kinds the detector does not
have yet simply never match (their rows count as missed). Network-wide and sensor alerts
(no host) are listed, not scored.

  run.py --analyze BIN --pcapgen BIN [--config FILE] [--work DIR] [--check] [--verbose]

--check exits 1 unless recall is 1.0 and precision >= 0.95 (the CI gate).
"""
import argparse
import json
import os
import shlex
import subprocess
import sys
import tempfile
from collections import defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
MIN_PRECISION, MIN_RECALL = 0.95, 1.0


def rows(path):
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if line and not line.startswith("#"):
                yield line.split("\t")


def build(name, source, work, pcapgen):
    kind, _, args = source.partition(" ")
    if kind == "capture":
        return os.path.join(ROOT, args)
    if kind != "pcapgen":
        raise SystemExit(f"scenarios.tsv: {name}: source must start with pcapgen or capture")
    out = os.path.join(work, name + ".pcap")
    if not os.path.exists(out):
        subprocess.run([pcapgen, "--out", out] + shlex.split(args), check=True)
    return out


def analyze(binary, capture, config):
    cmd = [binary, "--json"] + (["--config", config] if config else []) + [capture]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=1800)
    if p.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)}: exit {p.returncode}: {p.stderr.strip()}")
    lines = [json.loads(l) for l in p.stdout.splitlines() if l.strip()]
    alerts = [l["alert"] for l in lines if l.get("event") == "open"]
    summary = next(l for l in lines if l.get("event") == "summary")
    return alerts, summary


def matches(alert, row):
    kinds, host, direction = row
    if alert["kind"] not in kinds or alert.get("host") != host:
        return False
    have = alert.get("direction")
    return direction == "-" or not have or have == direction


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--analyze", required=True)
    ap.add_argument("--pcapgen", required=True)
    ap.add_argument("--config")
    ap.add_argument("--work", help="folder for the generated captures (kept); default a temporary one")
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--verbose", action="store_true")
    a = ap.parse_args()

    expected = defaultdict(list)
    for r in rows(os.path.join(HERE, "expected.tsv")):
        expected[r[0]].append((r[1].split("|"), r[2], r[3] if len(r) > 3 else "-"))
    scenarios = list(rows(os.path.join(HERE, "scenarios.tsv")))
    unknown = set(expected) - {s[0] for s in scenarios}
    if unknown:
        raise SystemExit(f"expected.tsv names unknown scenarios: {sorted(unknown)}")

    tmp = None if a.work else tempfile.TemporaryDirectory(prefix="securenet-detection-")
    work = a.work or tmp.name
    os.makedirs(work, exist_ok=True)
    per_rule = defaultdict(lambda: {"tp": 0, "fp": 0, "found": 0, "rows": 0})
    tp_alerts = fp_alerts = found = total_rows = 0
    print(f"{'scenario':24} {'packets':>9} {'s':>6} {'expected':>8} {'found':>5} {'false+':>6}  notes")
    for name, source in scenarios:
        alerts, summary = analyze(a.analyze, build(name, source, work, a.pcapgen), a.config)
        want = expected.get(name, [])
        host_alerts = [x for x in alerts if x.get("host")]
        notes = []
        fp_here = 0
        for x in host_alerts:
            if any(matches(x, r) for r in want):
                tp_alerts += 1
                per_rule[x["kind"]]["tp"] += 1
            else:
                fp_alerts += 1
                fp_here += 1
                per_rule[x["kind"]]["fp"] += 1
                notes.append(f"+{x['kind']} {x['host']}{' ' + x['direction'] if x.get('direction') else ''}")
        found_here = 0
        for r in want:
            primary = r[0][0]  # a row counts for its first kind
            per_rule[primary]["rows"] += 1
            total_rows += 1
            if any(matches(x, r) for x in host_alerts):
                found += 1
                found_here += 1
                per_rule[primary]["found"] += 1
            else:
                notes.append(f"missed {'|'.join(r[0])} {r[1]} {r[2]}")
        network = [x["kind"] for x in alerts if not x.get("host")]
        if network:
            notes.append("unscored: " + ",".join(sorted(set(network))))
        span = (summary["last_ns"] - summary["first_ns"]) / 1e9
        shown = notes if a.verbose or len(notes) <= 4 else notes[:4] + [f"... {len(notes) - 4} more"]
        print(f"{name:24} {summary['packets']:>9} {span:>6.0f} {len(want):>8} {found_here:>5} {fp_here:>6}  "
              + "; ".join(shown))

    print(f"\n{'rule':32} {'expected':>8} {'found':>6} {'recall':>7} {'alerts':>7} {'false+':>7} {'precision':>9}")
    for rule in sorted(per_rule):
        s = per_rule[rule]
        rec = s["found"] / s["rows"] if s["rows"] else float("nan")
        n = s["tp"] + s["fp"]
        prec = s["tp"] / n if n else float("nan")
        print(f"{rule:32} {s['rows']:>8} {s['found']:>6} {rec:>7.2f} {n:>7} {s['fp']:>7} {prec:>9.2f}")
    recall = found / total_rows if total_rows else 1.0
    n = tp_alerts + fp_alerts
    precision = tp_alerts / n if n else 1.0
    print(f"{'all':32} {total_rows:>8} {found:>6} {recall:>7.2f} {n:>7} {fp_alerts:>7} {precision:>9.2f}")
    if a.check and (recall < MIN_RECALL or precision < MIN_PRECISION):
        print(f"FAIL: recall {recall:.3f} (needs {MIN_RECALL}), precision {precision:.3f} (needs {MIN_PRECISION})")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
