#!/usr/bin/env python3
"""Times (a) `hrh aggregate`, (b) the Python wheel, (c) orjson + pandas,
(d) fhir.resources, (e) DuckDB and (f) polars on the same generated registries,
with and without the generator's deliberate bad records, alternating runs, and
checks that every baseline gives the counts (a) gives.

Run through `benchmarks/compare.sh`, which builds and installs what this needs.
Reports, per registry, the median wall time, the median CPU time (user + system,
all threads), peak memory (max RSS of the process) and the ratios to (a), as a
Markdown table on stdout, with the input size, hrh's throughput in MB/s per core
of CPU time, and the machine's load average during the runs.
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
KINDS = ("clean", "bad")  # --no-bad-records, and the generator's default (~1 % bad records)


def run(argv, out_path):
    """Runs a command, returns (wall seconds, CPU seconds, peak RSS in MB); stdout goes to out_path."""
    with open(out_path, "wb") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        stderr = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{argv[0]} failed:\n{stderr}")
    return seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def hrh_counts(path):
    """{"DE|COC": value} of a DHIS2 data value set JSON."""
    values = json.loads(Path(path).read_text())["dataValues"]
    return {f'{v["dataElement"]}|{v["categoryOptionCombo"]}': int(float(v["value"])) for v in values}


def methods_for(data, size, kind, year):
    python = sys.executable
    here = Path(__file__).resolve().parent
    baseline = lambda script: [python, str(here / script), str(data), year, str(MAPPING)]  # noqa: E731
    methods = {
        "a": ("hrh aggregate (CLI)", [str(HRH), "aggregate", "--mapping", "nhwa-module1", "--period", year,
                                      "--country", "UZ", "--org-unit", ORG_UNIT, str(data)]),
        "b": ("Python wheel", [python, str(ROOT / "python" / "benchmarks" / "aggregate.py"), str(data), "--period", year, "--org-unit", ORG_UNIT, "--out", "-"]),
        "c": ("orjson + pandas", baseline("baseline_pandas.py")),
        "e": ("DuckDB", baseline("baseline_duckdb.py")),
        "f": ("polars", baseline("baseline_polars.py")),
    }
    # fhir.resources validates whole resources, so a registry with bad records makes it
    # refuse records hrh counts; and it takes minutes at 1,000,000 workers.
    if size <= 100_000 and kind == "clean":
        methods["d"] = ("fhir.resources R4B", baseline("baseline_fhir_resources.py"))
    return dict(sorted(methods.items()))


def main():
    sizes = [int(s) for s in os.environ.get("SIZES", "100000 1000000").split()]
    kinds = os.environ.get("KINDS", " ".join(KINDS)).split()
    runs = int(os.environ.get("RUNS", "3"))
    year = os.environ.get("YEAR", "2024")
    cores = os.cpu_count() or 1
    out = ROOT / "target" / "bench-out"
    out.mkdir(parents=True, exist_ok=True)
    rows, notes = [], []
    for size in sizes:
        for kind in kinds:
            data = ROOT / "benchmarks" / "data" / f"{size}-{kind}"
            size_bytes = sum(f.stat().st_size for f in data.glob("*.ndjson"))
            methods = methods_for(data, size, kind, year)
            times = {k: [] for k in methods}
            cpu = {k: [] for k in methods}
            memory = {k: [] for k in methods}
            loads = []
            for _ in range(runs):
                for key, (_, argv) in methods.items():  # alternate methods within each round
                    loads.append(os.getloadavg()[0])
                    seconds, cpu_seconds, mb = run(argv, out / f"{size}-{kind}-{key}.json")
                    times[key].append(seconds)
                    cpu[key].append(cpu_seconds)
                    memory[key].append(mb)
            reference = hrh_counts(out / f"{size}-{kind}-a.json")
            for key in methods:
                if key == "a":
                    continue
                path = out / f"{size}-{kind}-{key}.json"
                got = hrh_counts(path) if key == "b" else json.loads(path.read_text())
                wrong = {k: (v, reference.get(k)) for k, v in got.items() if reference.get(k) != v}
                if wrong:
                    raise SystemExit(f"({key}) disagrees with (a) on {len(wrong)} figures of {size}-{kind}, "
                                     f"e.g. {list(wrong.items())[:5]}")
                print(f"({key}) agrees with (a) on {len(got)} figures at {size} workers ({kind})", file=sys.stderr)
            base = statistics.median(times["a"])
            for key, (label, _) in methods.items():
                median = statistics.median(times[key])
                rows.append((size, kind, f"({key}) {label}", median, statistics.median(cpu[key]),
                             max(memory[key]), median / base))
            hrh_cpu = statistics.median(cpu["a"])
            notes.append(f"- {size:,} workers, {kind}: {size_bytes:,} bytes of NDJSON; hrh "
                         f"{size_bytes / 1e6 / hrh_cpu:.0f} MB/s per core of CPU time "
                         f"({size_bytes / 1e6 / base:.0f} MB/s wall on {cores} cores); load average "
                         f"{min(loads):.2f}-{max(loads):.2f} during the runs")
    print("| workers | records | method | median wall (s) | median CPU (s) | peak memory (MB) | wall / (a) |")
    print("|---:|---|---|---:|---:|---:|---:|")
    for size, kind, label, median, cpu_seconds, mb, ratio in rows:
        print(f"| {size:,} | {kind} | {label} | {median:.2f} | {cpu_seconds:.2f} | {mb:.0f} | {ratio:.1f}× |")
    print()
    print("\n".join(notes))


if __name__ == "__main__":
    main()
