#!/usr/bin/env python3
"""Times (a) `hrh aggregate`, (b) the Python wheel, (c) orjson + pandas and
(d) fhir.resources on the same generated registries, alternating runs, and
checks that (b), (c) and (d) give the counts (a) gives.

Run through `benchmarks/compare.sh`, which builds and installs what this needs.
Reports the median wall time, throughput and peak memory (max RSS of the process)
of each, and the ratios to (a), as a Markdown table on stdout.
"""
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HRH = ROOT / "target" / "release" / "hrh"
MAPPING = ROOT / "core" / "mappings" / "nhwa-module1.toml"
ORG_UNIT = "UZdemoRoot1"


def run(argv, out_path):
    """Runs a command, returns (seconds, peak RSS in MB); its stdout goes to out_path."""
    with open(out_path, "wb") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        stderr = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{argv[0]} failed:\n{stderr}")
    return seconds, usage.ru_maxrss / 1024


def hrh_counts(path):
    """{"DE|COC": value} of a DHIS2 data value set JSON."""
    values = json.loads(Path(path).read_text())["dataValues"]
    return {f'{v["dataElement"]}|{v["categoryOptionCombo"]}': int(float(v["value"])) for v in values}


def main():
    sizes = [int(s) for s in os.environ.get("SIZES", "100000 1000000").split()]
    runs = int(os.environ.get("RUNS", "3"))
    year = os.environ.get("YEAR", "2024")
    python = sys.executable
    here = Path(__file__).resolve().parent
    out = ROOT / "target" / "bench-out"
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    for size in sizes:
        data = ROOT / "benchmarks" / "data" / str(size)
        methods = {
            "a": ("hrh aggregate (CLI)", [str(HRH), "aggregate", "--mapping", "nhwa-module1", "--period", year, "--country", "UZ", "--org-unit", ORG_UNIT, str(data)]),
            "b": ("Python wheel", [python, str(ROOT / "python" / "benchmarks" / "aggregate.py"), str(data), "--period", year, "--org-unit", ORG_UNIT, "--out", "-"]),
            "c": ("orjson + pandas", [python, str(here / "baseline_pandas.py"), str(data), year, str(MAPPING)]),
        }
        if size <= 100_000:
            methods["d"] = ("fhir.resources R4B", [python, str(here / "baseline_fhir_resources.py"), str(data), year, str(MAPPING)])
        times = {k: [] for k in methods}
        memory = {k: [] for k in methods}
        for _ in range(runs):
            for key, (_, argv) in methods.items():  # alternate methods within each round
                seconds, mb = run(argv, out / f"{size}-{key}.json")
                times[key].append(seconds)
                memory[key].append(mb)
        reference = hrh_counts(out / f"{size}-a.json")
        for key in methods:
            if key == "a":
                continue
            got = json.loads((out / f"{size}-{key}.json").read_text())
            if key == "b":
                got = hrh_counts(out / f"{size}-{key}.json")
            wrong = {k: (v, reference.get(k)) for k, v in got.items() if reference.get(k) != v}
            if wrong:
                raise SystemExit(f"({key}) disagrees with (a) on {len(wrong)} figures, e.g. {list(wrong.items())[:5]}")
            print(f"({key}) agrees with (a) on {len(got)} figures at {size} workers", file=sys.stderr)
        base = statistics.median(times["a"])
        for key, (label, _) in methods.items():
            median = statistics.median(times[key])
            rows.append((size, f"({key}) {label}", median, size / median, max(memory[key]), median / base))
    print("| workers | method | median wall time (s) | workers/s | peak memory (MB) | time / (a) |")
    print("|---:|---|---:|---:|---:|---:|")
    for size, label, median, rate, mb, ratio in rows:
        print(f"| {size:,} | {label} | {median:.2f} | {rate:,.0f} | {mb:.0f} | {ratio:.1f}× |")


if __name__ == "__main__":
    main()
