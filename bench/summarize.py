#!/usr/bin/env python3
"""summarize: medians and spreads of bench/results/*.jsonl, ratios to the
baseline, and one line per target of BENCH.md ("... met" / "... not met").

Usage: summarize.py RESULTS.jsonl [--plot-data W3.dat]
Only the standard library: it runs wherever bench/run does.
"""
import argparse
import json
import statistics
import sys

# Figures shown per workload: (JSON key, label, better when "higher" or "lower").
FIGURES = {
    "W1": [("deliveries_per_s", "deliveries/s", "higher"), ("wall_s", "wall s", "lower"),
           ("p50_ms", "p50 ms", "lower"), ("p99_ms", "p99 ms", "lower"), ("lost", "lost", "lower"),
           ("broker_cpu_s", "server CPU s", "lower")],
    "W2": [("p50_ms", "p50 ms", "lower"), ("p99_ms", "p99 ms", "lower"), ("p999_ms", "p99.9 ms", "lower"),
           ("max_ms", "max ms", "lower"), ("lost", "lost", "lower"), ("broker_cpu_s", "server CPU s", "lower")],
    "W3": [("join_s", "join s", "lower"), ("broker_rss_kb", "RSS kB after join", "lower"),
           ("broker_rss_end_kb", "RSS kB at end", "lower"), ("p50_ms", "p50 ms", "lower"),
           ("p99_ms", "p99 ms", "lower"), ("p999_ms", "p99.9 ms", "lower"), ("lost", "lost", "lower")],
    "W4": [("p50_ms", "round trip p50 ms", "lower"), ("p99_ms", "round trip p99 ms", "lower"),
           ("deliveries_per_s", "one-way msgs/s", "higher"), ("lost", "lost", "lower")],
}


def load(path):
    runs = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line:
                runs.append(json.loads(line))
    return runs


def group(runs):
    """(workload, clients) -> target -> [run]"""
    groups = {}
    for r in runs:
        groups.setdefault((r["workload"], r["clients"]), {}).setdefault(r["target"], []).append(r)
    return groups


def ok_runs(runs):
    return [r for r in runs if not r.get("error")]


def values(runs, key):
    return [r[key] for r in ok_runs(runs) if r.get(key) is not None]


def median(runs, key):
    v = values(runs, key)
    return statistics.median(v) if v else None


def fmt(x):
    if x is None:
        return "n/a"
    if isinstance(x, int) or float(x).is_integer() and abs(x) >= 100:
        return f"{int(x)}"
    if abs(x) >= 1000:
        return f"{x:.0f}"
    if abs(x) >= 10:
        return f"{x:.1f}"
    return f"{x:.3f}"


def cell(runs, key):
    v = values(runs, key)
    if not v:
        return "n/a"
    return f"{fmt(statistics.median(v))} ({fmt(min(v))}–{fmt(max(v))})"


def ratio(broker, baseline, key):
    b, a = median(broker, key), median(baseline, key)
    if b is None or a is None or a == 0:
        return None
    return b / a


def table(groups):
    print("| workload | N | figure | broker median (min–max) | baseline median (min–max) | ratio | runs ok |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for (workload, clients) in sorted(groups, key=lambda k: (k[0], k[1])):
        targets = groups[(workload, clients)]
        broker, baseline = targets.get("broker", []), targets.get("baseline", [])
        runs_ok = f"{len(ok_runs(broker))}/{len(broker)} vs {len(ok_runs(baseline))}/{len(baseline)}"
        for key, label, _ in FIGURES.get(workload, []):
            r = ratio(broker, baseline, key)
            print(f"| {workload} | {clients} | {label} | {cell(broker, key)} | {cell(baseline, key)} | "
                  f"{'n/a' if r is None else f'{r:.2f}'} | {runs_ok} |")


def verdict(name, value, op, limit, limit_text):
    if value is None:
        print(f"{name} n/a (target {op} {limit_text}) not met")
        return
    met = {">=": value >= limit, "<=": value <= limit, "<": value < limit, "==": value == limit}[op]
    shown = f"{value}" if isinstance(value, int) else f"{value:.2f}"
    print(f"{name} {shown} (target {op} {limit_text}) {'met' if met else 'not met'}")


def worst_lost(groups, workload, clients):
    runs = groups.get((workload, clients), {}).get("broker", [])
    if not runs:
        return None
    # A run that failed outright lost everything it owed.
    return max(r["lost"] if not r.get("error") else max(r["lost"], r["expected"] - r["received"], 1) for r in runs)


def targets(groups):
    def pair(workload, clients):
        g = groups.get((workload, clients), {})
        return g.get("broker", []), g.get("baseline", [])

    w1 = next((k for k in groups if k[0] == "W1"), ("W1", 50))
    w2 = next((k for k in groups if k[0] == "W2"), ("W2", 50))
    w3 = ("W3", 1000)
    w4 = ("W4", 2)
    verdict("W1 deliveries ratio", ratio(*pair(*w1), "deliveries_per_s"), ">=", 0.80, "0.80")
    verdict("W1 lost", worst_lost(groups, *w1), "==", 0, "0")
    verdict("W2 p99 ratio", ratio(*pair(*w2), "p99_ms"), "<=", 1.5, "1.5")
    verdict("W2 lost", worst_lost(groups, *w2), "==", 0, "0")
    verdict("W3 join_s at 1000", median(pair(*w3)[0], "join_s"), "<", 1.0, "1.0")
    verdict("W3 RSS ratio at 1000", ratio(*pair(*w3), "broker_rss_kb"), "<=", 1.1, "1.1")
    verdict("W3 p99 ratio at 1000", ratio(*pair(*w3), "p99_ms"), "<=", 1.5, "1.5")
    verdict("W4 round-trip p50 ratio", ratio(*pair(*w4), "p50_ms"), "<=", 1.3, "1.3")
    verdict("W4 throughput ratio", ratio(*pair(*w4), "deliveries_per_s"), ">=", 0.8, "0.8")


def plot_data(groups, path):
    """W3 latency medians per N: N, then p50 p99 p999 of broker, then of baseline."""
    with open(path, "w") as f:
        f.write("# N broker_p50 broker_p99 broker_p999 baseline_p50 baseline_p99 baseline_p999 (ms)\n")
        for (workload, clients) in sorted(k for k in groups if k[0] == "W3"):
            g = groups[(workload, clients)]
            cols = [median(g.get(t, []), k) for t in ("broker", "baseline") for k in ("p50_ms", "p99_ms", "p999_ms")]
            f.write(" ".join([str(clients)] + ["NaN" if c is None else f"{c:.4f}" for c in cols]) + "\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results")
    parser.add_argument("--plot-data", help="write W3 latency medians per N to this file for gnuplot")
    args = parser.parse_args()
    runs = load(args.results)
    if not runs:
        print("summarize: no results", file=sys.stderr)
        return 1
    groups = group(runs)
    failed = [r for r in runs if r.get("error")]
    for r in failed:
        print(f"failed run: {r['workload']} N={r['clients']} {r['target']}: {r['error']}", file=sys.stderr)
    table(groups)
    print()
    targets(groups)
    if args.plot_data:
        plot_data(groups, args.plot_data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
