#!/usr/bin/env python3
"""summarize: medians and spreads of a bench/run results file, side by side for
chat-broker, the zero-logic baseline and redis, the ratios that matter, and one
line per target ("... met" / "... not met").

Usage: summarize.py RESULTS.jsonl [--plot-data W3.dat] [--bar-data BARS.dat]
Only the standard library: it runs wherever bench/run does, and it
regenerates README's table from a committed results file.
"""
import argparse
import json
import statistics
import sys

TARGETS = ("broker", "baseline", "redis")

# Figures shown per workload: (JSON key, label).
FIGURES = {
    "W1": [("deliveries_per_s", "deliveries/s"), ("wall_s", "wall s"), ("p50_ms", "p50 ms"),
           ("p99_ms", "p99 ms"), ("lost", "lost"), ("broker_cpu_s", "server CPU s"),
           ("broker_load_cpu_s", "of it after the join")],
    "W2": [("p50_ms", "p50 ms"), ("p99_ms", "p99 ms"), ("p999_ms", "p99.9 ms"), ("max_ms", "max ms"),
           ("lost", "lost"), ("send_lag_p99_ms", "send lag p99 ms"), ("broker_cpu_s", "server CPU s"),
           ("broker_load_cpu_s", "of it after the join")],
    "W3": [("join_s", "join s"), ("broker_rss_kb", "RSS kB after join"), ("p50_ms", "p50 ms"),
           ("p99_ms", "p99 ms"), ("p999_ms", "p99.9 ms"), ("lost", "lost")],
    "W4": [("p50_ms", "round trip p50 ms"), ("p99_ms", "round trip p99 ms"),
           ("deliveries_per_s", "one-way msgs/s"), ("lost", "lost")],
    "W5": [("join_s", "join s"), ("rss_per_client_kb", "RSS kB per client"), ("cpu_pct", "CPU % at rest")],
}


def load(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def group(runs):
    """(workload, clients, variant) -> target -> [run]"""
    groups = {}
    for r in runs:
        key = (r["workload"], r["clients"], r.get("variant", ""))
        groups.setdefault(key, {}).setdefault(r["target"], []).append(r)
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
    if isinstance(x, int) or (float(x).is_integer() and abs(x) >= 100):
        return f"{int(x):,}"
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    if abs(x) >= 10:
        return f"{x:.1f}"
    return f"{x:.3f}"


def cell(runs, key):
    v = values(runs, key)
    if not v:
        return "n/a"
    if len(v) == 1:
        return fmt(v[0])
    return f"{fmt(statistics.median(v))} ({fmt(min(v))}–{fmt(max(v))})"


def ratio(mine, theirs, key):
    a, b = median(mine, key), median(theirs, key)
    if a is None or b is None or b == 0:
        return None
    return a / b


def show_ratio(r):
    return "n/a" if r is None else f"{r:.2f}"


def table(groups):
    print("| workload | N | figure | broker | baseline | redis | broker/baseline | broker/redis |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for key in sorted(groups, key=lambda k: (k[2], k[0], k[1])):
        workload, clients, variant = key
        g = groups[key]
        name = workload + (f" ({variant})" if variant else "")
        for field, label in FIGURES.get(workload, []):
            cells = [cell(g.get(t, []), field) for t in TARGETS]
            print(f"| {name} | {clients} | {label} | {' | '.join(cells)} | "
                  f"{show_ratio(ratio(g.get('broker', []), g.get('baseline', []), field))} | "
                  f"{show_ratio(ratio(g.get('broker', []), g.get('redis', []), field))} |")


def verdict(name, value, op, limit, limit_text):
    if value is None:
        print(f"{name} n/a (target {op} {limit_text}) not met")
        return
    met = {">=": value >= limit, "<=": value <= limit, "<": value < limit, "==": value == limit}[op]
    shown = f"{value:,}" if isinstance(value, int) else f"{value:.2f}"
    print(f"{name} {shown} (target {op} {limit_text}) {'met' if met else 'not met'}")


def figure(name, value):
    """A ratio that explains a verdict: shown, with no target of its own."""
    print(f"{name} {'n/a' if value is None else f'{value:.2f}'} (no target)")


def worst_lost(runs):
    if not runs:
        return None
    # A run that failed outright lost everything it owed.
    return max(r.get("lost", 0) if not r.get("error")
               else max(r.get("lost", 0), r.get("expected", 0) - r.get("received", 0), 1) for r in runs)


def targets(groups):
    def find(workload, clients=None, variant=""):
        for (w, n, v), g in groups.items():
            if w == workload and v == variant and (clients is None or n == clients):
                return g
        return {}

    def side(g, t):
        return g.get(t, [])

    w1, w2, w3, w4 = find("W1"), find("W2"), find("W3", 1000), find("W4", 2)
    w5 = next((g for (w, n, v), g in sorted(groups.items(), key=lambda i: -i[0][1]) if w == "W5"), {})
    verdict("W1 baseline deliveries/s (the generator is not the ceiling)",
            median(side(w1, "baseline"), "deliveries_per_s"), ">=", 3e6, "3,000,000")
    verdict("W1 deliveries ratio to the baseline", ratio(side(w1, "broker"), side(w1, "baseline"),
                                                         "deliveries_per_s"), ">=", 0.80, "0.80")
    verdict("W1 lost", worst_lost(side(w1, "broker")), "==", 0, "0")
    verdict("W2 p99 ratio to the baseline", ratio(side(w2, "broker"), side(w2, "baseline"), "p99_ms"),
            "<=", 1.2, "1.2")
    verdict("W2 p99 ratio to redis", ratio(side(w2, "broker"), side(w2, "redis"), "p99_ms"), "<=", 1.0, "1.0")
    verdict("W2 lost", worst_lost(side(w2, "broker")), "==", 0, "0")
    verdict("W3 join s at 1000", median(side(w3, "broker"), "join_s"), "<", 1.0, "1.0")
    verdict("W3 RSS ratio at 1000", ratio(side(w3, "broker"), side(w3, "baseline"), "broker_rss_kb"),
            "<=", 1.1, "1.1")
    verdict("W3 p99 ratio at 1000", ratio(side(w3, "broker"), side(w3, "baseline"), "p99_ms"),
            "<=", 1.5, "1.5")
    verdict("W4 round-trip p50 ratio", ratio(side(w4, "broker"), side(w4, "baseline"), "p50_ms"),
            "<=", 1.3, "1.3")
    verdict("W4 throughput ratio", ratio(side(w4, "broker"), side(w4, "baseline"), "deliveries_per_s"),
            ">=", 0.8, "0.8")
    verdict("W4 lost", worst_lost(side(w4, "broker")), "==", 0, "0")
    c1, c2, c4 = find("W1", variant="curve"), find("W2", variant="curve"), find("W4", 2, "curve")
    verdict("W1 CURVE deliveries ratio to the CURVE baseline",
            ratio(side(c1, "broker"), side(c1, "baseline"), "deliveries_per_s"), ">=", 0.80, "0.80")
    verdict("W1 CURVE lost", worst_lost(side(c1, "broker")), "==", 0, "0")
    verdict("W2 CURVE p99 ratio to the CURVE baseline",
            ratio(side(c2, "broker"), side(c2, "baseline"), "p99_ms"), "<=", 1.5, "1.5")
    verdict("W4 CURVE round-trip p50 ratio", ratio(side(c4, "broker"), side(c4, "baseline"), "p50_ms"),
            "<=", 1.3, "1.3")
    verdict("W4 CURVE throughput ratio",
            ratio(side(c4, "broker"), side(c4, "baseline"), "deliveries_per_s"), ">=", 0.8, "0.8")
    r1, r2 = find("W1", variant="room"), find("W2", variant="room")
    l1, l2 = find("W1", variant="lobby-busy"), find("W2", variant="lobby-busy")
    s1, s2 = find("W1", variant="room-side"), find("W2", variant="room-side")
    in_rooms = side(r1, "broker") + side(r2, "broker") + side(s1, "broker") + side(s2, "broker")
    verdict("Wr W1 in a room: deliveries ratio to the lobby's under the same busy rooms",
            ratio(side(r1, "broker"), side(l1, "broker"), "deliveries_per_s"), ">=", 0.9, "0.9")
    verdict("Wr W2 in a room: p99 ratio to the lobby's under the same busy rooms",
            ratio(side(r2, "broker"), side(l2, "broker"), "p99_ms"), "<=", 1.1, "1.1")
    verdict("Wr deliveries to non-members (errors)",
            max([r.get("errors", 0) for r in in_rooms], default=None), "==", 0, "0")
    verdict("Wr lost", worst_lost(in_rooms), "==", 0, "0")
    # The verdicts' ratios, taken apart: the room against the lobby with the
    # busy rooms on a second broker for both (what being a room costs), and
    # the room with its busy neighbours in its own broker against on a second
    # one (what they cost it).
    figure("Wr W1 deliveries ratio, room to lobby, the busy rooms on a second broker for both",
           ratio(side(s1, "broker"), side(l1, "broker"), "deliveries_per_s"))
    figure("Wr W1 deliveries ratio, room with the busy rooms in its broker to on a second one",
           ratio(side(r1, "broker"), side(s1, "broker"), "deliveries_per_s"))
    figure("Wr W2 p99 ratio, room to lobby, the busy rooms on a second broker for both",
           ratio(side(s2, "broker"), side(l2, "broker"), "p99_ms"))
    figure("Wr W2 p99 ratio, room with the busy rooms in its broker to on a second one",
           ratio(side(r2, "broker"), side(s2, "broker"), "p99_ms"))
    verdict("W5 broker CPU % at rest", median(side(w5, "broker"), "cpu_pct"), "<", 5.0, "5")
    verdict("W5 RSS per client ratio to the baseline",
            ratio(side(w5, "broker"), side(w5, "baseline"), "rss_per_client_kb"), "<=", 1.0, "1.0")


def plot_data(groups, path):
    """W3 latency medians per N: N, then p50 p99 p999 of broker, baseline, redis."""
    with open(path, "w") as f:
        f.write("# N " + " ".join(f"{t}_{k}" for t in TARGETS for k in ("p50", "p99", "p999")) + " (ms)\n")
        for key in sorted(k for k in groups if k[0] == "W3" and k[2] == ""):
            g = groups[key]
            cols = [median(g.get(t, []), k) for t in TARGETS for k in ("p50_ms", "p99_ms", "p999_ms")]
            f.write(" ".join([str(key[1])] + ["NaN" if c is None else f"{c:.4f}" for c in cols]) + "\n")


def bar_data(groups, path):
    """Per target: W1 million deliveries/s and W2 p99 ms, as median min max."""
    def stats(workload, key, target, scale):
        for (w, n, v), g in groups.items():
            if w == workload and v == "":
                vals = [x * scale for x in values(g.get(target, []), key)]
                if vals:
                    return [statistics.median(vals), min(vals), max(vals)]
        return ["NaN"] * 3

    with open(path, "w") as f:
        f.write("# target w1_med w1_min w1_max w2p99_med w2p99_min w2p99_max\n")
        for t in TARGETS:
            cols = stats("W1", "deliveries_per_s", t, 1e-6) + stats("W2", "p99_ms", t, 1.0)
            f.write(" ".join([t] + [str(c) for c in cols]) + "\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results")
    parser.add_argument("--plot-data", help="write W3 latency medians per N to this file for gnuplot")
    parser.add_argument("--bar-data", help="write W1 and W2 medians per target to this file for gnuplot")
    args = parser.parse_args()
    runs = load(args.results)
    if not runs:
        print("summarize: no results", file=sys.stderr)
        return 1
    groups = group(runs)
    for r in runs:
        if r.get("error"):
            print(f"failed run: {r['workload']} N={r['clients']} {r['target']}: {r['error']}",
                  file=sys.stderr)
    table(groups)
    print()
    targets(groups)
    if args.plot_data:
        plot_data(groups, args.plot_data)
    if args.bar_data:
        bar_data(groups, args.bar_data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
