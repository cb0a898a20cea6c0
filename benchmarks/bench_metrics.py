"""Benchmark: import and the full metric set over N demo messages, against pandas and a raw scan.

    python benchmarks/bench_metrics.py                      # 10 M messages
    python benchmarks/bench_metrics.py --sizes 1e6,1e7,3e7  # the scaling series
    python benchmarks/bench_metrics.py --messages 1000000 --workdir /tmp/b --keep

For each size: generate a month with the demo generator (seed 0) and write it as Parquet
(cached by size under the work folder), then run every phase in a fresh Python subprocess, so
that each phase's peak RSS is its own:

- raw_scan             DuckDB reads every column of messages.parquet and sessions.parquet
                       once (count, min, max and a hash sum of each column; min/max alone
                       come from the Parquet statistics without reading data): the floor;
- import               `cskpi import` of the folder into a fresh DuckDB file (read, validate,
                       upsert, facts; `run_import`, what the CLI command calls);
- facts                the per-leg facts alone, recomputed from the stored tables
                       (`refresh_facts(store, thresholds, None)` in a transaction): the part
                       of the work that depends on the messages;
- metrics_agent_day    `compute(by=["agent"], grain="day")`, every metric;
- metrics_group_month  `compute(by=["group"], grain="month")`, every metric;
- pandas               `benchmarks/pandas_baseline.py`: the same figures straight from the
                       raw Parquet files with vectorised pandas.

cskpi's "full metric set" = facts + both metric queries (everything that depends on the
messages once they are stored). The script prints seconds, messages/s and peak RSS per phase,
the ratios (pandas ÷ full set, full set ÷ raw scan), the agreement of pandas with cskpi (max
relative difference), the targets with pass/fail, and the cost per million messages across
sizes; it writes `benchmarks/results-<size>.json`. The load average is printed before each
phase: these machines have 2 cores and other processes may run.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import pickle
import platform
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PERIOD = "2026-10"
SEED = 0
PHASES = ["raw_scan", "import", "facts", "metrics_agent_day", "metrics_group_month", "pandas"]
FULL_SET = ["facts", "metrics_agent_day", "metrics_group_month"]
CSKPI_PHASES = ["import", *FULL_SET]
RESULT_MARK = "@@RESULT "

# Targets of the issue (2-core machines).
TARGET_FULL_SECONDS_10M = 15.0
TARGET_PANDAS_SPEEDUP = 2.0
TARGET_RAW_SCAN_FACTOR = 15.0
TARGET_RSS_MB = 4096.0
TARGET_LINEAR_GROWTH = 1.25  # seconds per million messages may grow ≤ 25 % size to size


# --- helpers ---------------------------------------------------------------------------------


def size_label(n: int) -> str:
    if n % 1_000_000 == 0:
        return f"{n // 1_000_000}M"
    if n >= 1_000_000:
        return f"{n / 1_000_000:g}M"
    if n % 1000 == 0:
        return f"{n // 1000}k"
    return str(n)


def parse_size(text: str) -> int:
    text = text.strip().lower().replace("_", "")
    factor = 1
    if text.endswith("m"):
        text, factor = text[:-1], 1_000_000
    elif text.endswith("k"):
        text, factor = text[:-1], 1000
    return int(float(text) * factor)


def peak_rss_mb() -> float:
    """This process's peak resident set (VmHWM), in MiB."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def load_average() -> str:
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "load average: {:.2f}, {:.2f}, {:.2f}".format(*os.getloadavg())


def machine() -> dict[str, object]:
    import duckdb
    import pandas
    import pyarrow

    mem_kb = 0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            mem_kb = int(line.split()[1])
    model = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    return {
        "nproc": os.cpu_count(),
        "cpu": model,
        "ram_gb": round(mem_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "pandas": pandas.__version__,
        "pyarrow": pyarrow.__version__,
    }


# --- phases (each runs in its own subprocess) ---------------------------------------------------


def phase_generate(folder: Path, messages: int, **_: object) -> dict[str, object]:
    from cskpi.demo.generator import generate, write_folder

    tables = generate(PERIOD, seed=SEED, messages=messages)
    counts = {name: t.num_rows for name, t in tables.items()}
    tmp = folder.with_name(folder.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    write_folder(tables, tmp, "parquet")
    (tmp / "counts.json").write_text(json.dumps(counts))
    shutil.rmtree(folder, ignore_errors=True)
    tmp.rename(folder)
    return {"counts": counts}


def phase_raw_scan(folder: Path, **_: object) -> dict[str, object]:
    import duckdb

    con = duckdb.connect()
    rows = {}
    for table in ("messages", "sessions"):
        path = str(folder / f"{table}.parquet").replace("'", "''")
        columns = [
            r[0] for r in con.execute(f"DESCRIBE SELECT * FROM read_parquet('{path}')").fetchall()
        ]
        # min/max alone are answered from the Parquet statistics without reading a value;
        # the hash makes DuckDB decode and touch every value of every column.
        aggregates = ", ".join(f'min("{c}"), max("{c}"), sum(hash("{c}"))' for c in columns)
        result = con.execute(
            f"SELECT count(*), {aggregates} FROM read_parquet('{path}')"
        ).fetchone()
        rows[table] = result[0]
    return {"rows": rows}


def phase_import(folder: Path, db: Path, **_: object) -> dict[str, object]:
    from cskpi.config import Config
    from cskpi.ingest.importer import run_import
    from cskpi.store.base import open_store

    for path in (db, db.with_name(db.name + ".wal")):
        path.unlink(missing_ok=True)
    store = open_store(db)
    result = run_import(store, [folder], Config())
    store.close()
    return {"rejected_rows": result.rejected_rows, "import_id": result.import_id}


def phase_facts(db: Path, **_: object) -> dict[str, object]:
    from cskpi.config import Config
    from cskpi.metrics.facts import refresh_facts
    from cskpi.store.base import open_store

    store = open_store(db)
    with store.transaction():
        refresh_facts(store, Config().thresholds, None)
    (legs,) = store.fetchall("SELECT COUNT(*) FROM session_facts")[0]
    store.close()
    return {"legs": legs}


def _metrics(db: Path, out: Path, by: str, grain: str) -> dict[str, object]:
    from cskpi.config import Config
    from cskpi.metrics.engine import compute
    from cskpi.store.base import open_store

    store = open_store(db)
    frame = compute(store, Config(), by=[by], period=PERIOD, grain=grain)
    store.close()
    return {"rows": len(frame), "_frame": (frame, out)}


def phase_metrics_agent_day(db: Path, out: Path, **_: object) -> dict[str, object]:
    return _metrics(db, out, "agent", "day")


def phase_metrics_group_month(db: Path, out: Path, **_: object) -> dict[str, object]:
    return _metrics(db, out, "group", "month")


def phase_pandas(folder: Path, out: Path, **_: object) -> dict[str, object]:
    sys.path.insert(0, str(HERE))
    import pandas_baseline

    frames = pandas_baseline.compute_all(folder, PERIOD)
    return {"rows": {k: len(v) for k, v in frames.items()}, "_frame": (frames, out)}


def run_child(args: argparse.Namespace) -> None:
    """Child mode: import what the phase needs, time the phase alone, report one JSON line."""
    phase = globals()[f"phase_{args.phase}"]
    kwargs = {
        "folder": Path(args.folder),
        "db": Path(args.db),
        "out": Path(args.out) if args.out else None,
        "messages": args.messages,
    }
    # Library imports are warmed before the clock starts: the phase measures work, not
    # interpreter start-up (import times are reported separately).
    t0 = time.perf_counter()
    if args.phase in ("import", "facts", "metrics_agent_day", "metrics_group_month"):
        import cskpi.ingest.importer
        import cskpi.metrics.engine  # noqa: F401
    if args.phase == "pandas":
        import pandas  # noqa: F401
    if args.phase == "raw_scan":
        import duckdb  # noqa: F401
    import_seconds = time.perf_counter() - t0
    t0 = time.perf_counter()
    r0 = resource.getrusage(resource.RUSAGE_SELF)
    info = phase(**kwargs)
    seconds = time.perf_counter() - t0
    r1 = resource.getrusage(resource.RUSAGE_SELF)
    cpu_seconds = r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime
    frame = info.pop("_frame", None)
    if frame is not None and frame[1] is not None:
        with frame[1].open("wb") as handle:
            pickle.dump(frame[0], handle)
    report = {
        "phase": args.phase,
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,  # user + system, all threads: less sensitive to load
        "import_seconds": import_seconds,
        "peak_rss_mb": peak_rss_mb(),
        **info,
    }
    print(RESULT_MARK + json.dumps(report, default=str), flush=True)


def spawn(phase: str, **kwargs: object) -> dict[str, object]:
    command = [sys.executable, str(Path(__file__).resolve()), "--phase", phase]
    for key, value in kwargs.items():
        if value is not None:
            command += [f"--{key}", str(value)]
    started = time.perf_counter()
    proc = subprocess.run(command, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    # Peak RSS of the largest child so far (Linux: KiB); the child's own report is per phase.
    children_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout + proc.stderr)
        raise SystemExit(f"phase {phase} failed (exit {proc.returncode})")
    line = next(x for x in proc.stdout.splitlines() if x.startswith(RESULT_MARK))
    report = json.loads(line.removeprefix(RESULT_MARK))
    report["wall_seconds"] = wall
    report["children_max_rss_mb"] = children_rss
    return report


# --- one size ---------------------------------------------------------------------------------


def ensure_data(workdir: Path, messages: int) -> tuple[Path, dict[str, int], float | None]:
    folder = workdir / f"data-{size_label(messages)}"
    counts_file = folder / "counts.json"
    if counts_file.exists():
        return folder, json.loads(counts_file.read_text()), None
    print(f"  generating {size_label(messages)} messages (seed {SEED}) → {folder}", flush=True)
    report = spawn("generate", folder=folder, db=workdir / "unused", messages=messages)
    return folder, report["counts"], float(report["seconds"])  # type: ignore[arg-type]


def run_size(
    messages: int,
    workdir: Path,
    keep: bool,
    repeat: int,
    only: list[str] | None = None,
    results: Path | None = None,
) -> dict[str, object]:
    label = size_label(messages)
    print(f"\n=== {label} messages ===", flush=True)
    folder, counts, generate_seconds = ensure_data(workdir, messages)
    n_messages = counts["messages"]
    origin = f"generated in {generate_seconds:.1f} s" if generate_seconds else "cached"
    legs = counts["sessions"]
    print(f"  data: {n_messages:,} messages, {legs:,} session legs ({folder}, {origin})")
    db = workdir / f"cskpi-{label}.duckdb"
    frames = {p: workdir / f"frame-{label}-{p}.pkl" for p in PHASES}
    phases: dict[str, dict[str, object]] = {}
    earlier: dict[str, object] = {}
    earlier_file = results / f"results-{label}.json"
    if only and earlier_file.exists():  # rerun some phases; the others from the earlier run
        earlier = json.loads(earlier_file.read_text())
        phases = dict(earlier["phases"])  # type: ignore[call-overload]
    for phase in PHASES:
        if only and phase not in only:
            continue
        runs = []
        for i in range(repeat if phase != "import" else 1):
            load = load_average()
            print(f"  [{phase}{'' if repeat == 1 else f' #{i + 1}'}] {load}", flush=True)
            report = spawn(phase, folder=folder, db=db, out=frames.get(phase))
            report["load"] = load
            runs.append(report)
            print(
                f"      {report['seconds']:.2f} s (CPU {report['cpu_seconds']:.2f} s), "
                f"peak RSS {report['peak_rss_mb']:.0f} MiB",
                flush=True,
            )
        best = min(runs, key=lambda r: r["seconds"])
        best = {
            **best,
            "runs": [r["seconds"] for r in runs],
            "peak_rss_mb": max(r["peak_rss_mb"] for r in runs),
        }
        phases[phase] = best

    if (only and "agreement" in earlier
            and not {"pandas", "metrics_agent_day", "metrics_group_month"} & set(only)):
        comparison = earlier["agreement"]  # type: ignore[assignment]
    else:
        comparison = compare_frames(frames)
    if not keep:
        for path in (db, db.with_name(db.name + ".wal"), *frames.values()):
            path.unlink(missing_ok=True)
    return summarise(label, messages, n_messages, counts, phases, comparison, generate_seconds)


def compare_frames(frames: dict[str, Path]) -> dict[str, object]:
    sys.path.insert(0, str(HERE))
    import pandas_baseline

    with frames["pandas"].open("rb") as handle:
        ours = pickle.load(handle)
    out = {}
    for name, phase, keys in (
        ("agent_day", "metrics_agent_day", ["agent_id", "period"]),
        ("group_month", "metrics_group_month", ["group", "period"]),
    ):
        with frames[phase].open("rb") as handle:
            theirs = pickle.load(handle)
        out[name] = pandas_baseline.compare(ours[name], theirs, keys)
    return out


def summarise(
    label: str,
    messages: int,
    n_messages: int,
    counts: dict[str, int],
    phases: dict[str, dict[str, object]],
    comparison: dict[str, object],
    generate_seconds: float | None,
) -> dict[str, object]:
    sec = {p: float(phases[p]["seconds"]) for p in phases}
    rss = {p: float(phases[p]["peak_rss_mb"]) for p in phases}
    cpu = {p: float(phases[p]["cpu_seconds"]) for p in phases}
    full = sum(sec[p] for p in FULL_SET)
    full_cpu = sum(cpu[p] for p in FULL_SET)
    full_rss = max(rss[p] for p in FULL_SET)
    speedup = sec["pandas"] / full
    scan_factor = full / sec["raw_scan"]
    max_diff = max(float(c["max_rel_diff"]) for c in comparison.values())  # type: ignore[arg-type]
    # The issue states the speed targets for the full metric set over 10 M messages; at other
    # sizes the ratios are shown but not judged (a metric query has a fixed cost of ~0.8 s, so
    # at 1 M pandas is faster). Memory and agreement are judged at every size. The CPU-time
    # ratios are context, printed beside the wall-clock ones.
    at_10m = abs(n_messages - 1e7) < 1e6
    targets = {
        "full_set_under_15s_at_10M": {
            "value": full,
            "target": f"< {TARGET_FULL_SECONDS_10M:g} s (10 M messages)",
            "pass": (full < TARGET_FULL_SECONDS_10M) if at_10m else None,
        },
        "pandas_speedup": {
            "value": speedup,
            "target": f">= {TARGET_PANDAS_SPEEDUP:g}x (10 M messages)",
            "pass": (speedup >= TARGET_PANDAS_SPEEDUP) if at_10m else None,
        },
        "raw_scan_factor": {
            "value": scan_factor,
            "target": f"<= {TARGET_RAW_SCAN_FACTOR:g}x (10 M messages)",
            "pass": (scan_factor <= TARGET_RAW_SCAN_FACTOR) if at_10m else None,
        },
        "full_set_memory": {
            "value": full_rss,
            "target": f"< {TARGET_RSS_MB:g} MiB",
            "pass": full_rss < TARGET_RSS_MB,
        },
        "import_memory": {
            "value": rss["import"],
            "target": f"< {TARGET_RSS_MB:g} MiB",
            "pass": rss["import"] < TARGET_RSS_MB,
        },
        "pandas_agrees": {
            "value": max_diff,
            "target": "max rel. diff < 1e-6",
            "pass": max_diff < 1e-6,
        },
    }
    return {
        "size": label,
        "messages_requested": messages,
        "messages": n_messages,
        "rows": counts,
        "generate_seconds": generate_seconds,
        "machine": machine(),
        "phases": phases,
        "full_set_seconds": full,
        "full_set_peak_rss_mb": full_rss,
        "full_set_cpu_seconds": full_cpu,
        "ratios": {
            "pandas_over_full_set": speedup,
            "full_set_over_raw_scan": scan_factor,
            "import_over_raw_scan": sec["import"] / sec["raw_scan"],
            "cpu_pandas_over_full_set": cpu["pandas"] / full_cpu,
            "cpu_full_set_over_raw_scan": full_cpu / cpu["raw_scan"],
        },
        "agreement": comparison,
        "targets": targets,
    }


# --- printing ----------------------------------------------------------------------------------


def mark(ok: object) -> str:
    return "n/a" if ok is None else ("PASS" if ok else "FAIL")


def print_size(result: dict[str, object]) -> None:
    n = int(result["messages"])  # type: ignore[arg-type]
    phases: dict[str, dict[str, object]] = result["phases"]  # type: ignore[assignment]
    print(f"\n--- {result['size']}: {n:,} messages, {result['rows']['sessions']:,} legs ---")  # type: ignore[index]
    print(
        f"{'phase':<22}{'seconds':>9}{'CPU s':>8}{'msg/s':>14}{'peak RSS':>11}  load (1/5/15 min)"
    )
    rows = [(p, phases[p]) for p in PHASES]
    full = float(result["full_set_seconds"])  # type: ignore[arg-type]
    for name, report in rows:
        seconds = float(report["seconds"])  # type: ignore[arg-type]
        load = str(report.get("load", "")).split("load average:")[-1].strip()
        cpu = float(report.get("cpu_seconds", float("nan")))  # type: ignore[arg-type]
        print(
            f"{name:<22}{seconds:>9.2f}{cpu:>8.2f}{n / seconds:>14,.0f}"
            f"{report['peak_rss_mb']:>8.0f} MiB  {load}"
        )
    full_cpu = sum(float(phases[p].get("cpu_seconds", float("nan"))) for p in FULL_SET)  # type: ignore[arg-type]
    print(
        f"{'full set (cskpi)':<22}{full:>9.2f}{full_cpu:>8.2f}{n / full:>14,.0f}"
        f"{result['full_set_peak_rss_mb']:>8.0f} MiB  = facts + both metric queries"
    )
    ratios: dict[str, float] = result["ratios"]  # type: ignore[assignment]
    print(
        f"pandas ÷ full set: {ratios['pandas_over_full_set']:.2f}x   "
        f"full set ÷ raw scan: {ratios['full_set_over_raw_scan']:.1f}x   "
        f"import ÷ raw scan: {ratios['import_over_raw_scan']:.1f}x"
    )
    print(
        f"by CPU time: pandas ÷ full set {ratios['cpu_pandas_over_full_set']:.2f}x, "
        f"full set ÷ raw scan {ratios['cpu_full_set_over_raw_scan']:.1f}x"
    )
    for name, c in result["agreement"].items():  # type: ignore[union-attr]
        print(
            f"pandas vs cskpi {name}: {c['rows']} rows, max relative difference "
            f"{c['max_rel_diff']:.2e} ({c['worst_metric']}), null mismatches "
            f"{c['null_mismatches']}, rows only in cskpi {c['rows_only_in_cskpi']} "
            f"(agent-days from sources pandas does not compute)"
        )
    print("targets:")
    for name, t in result["targets"].items():  # type: ignore[union-attr]
        value = t["value"]
        shown = f"{value:.3g}" if isinstance(value, float) else str(value)
        print(f"  {name:<28}{shown:>10}  {t['target']:<28} {mark(t['pass'])}")


def print_scaling(results: list[dict[str, object]]) -> dict[str, object]:
    """Seconds (wall and CPU) per million messages across sizes. The verdict on linearity uses
    CPU time, which other processes on the machine disturb far less than wall time."""
    results = sorted(results, key=lambda r: int(r["messages"]))  # type: ignore[arg-type]
    names = [*PHASES, "full set"]
    table: dict[str, dict[str, list[float]]] = {}
    for kind, key, full_key in (
        ("wall", "seconds", "full_set_seconds"),
        ("cpu", "cpu_seconds", "full_set_cpu_seconds"),
    ):
        print(f"\n--- scaling: {kind} seconds per million messages ---")
        print(f"{'size':<8}" + "".join(f"{n[:13]:>14}" for n in names))
        per_million: dict[str, list[float]] = {n: [] for n in names}
        for r in results:
            millions = int(r["messages"]) / 1e6  # type: ignore[arg-type]
            phases: dict[str, dict[str, float]] = r["phases"]  # type: ignore[assignment]
            values = [float(phases[p].get(key, float("nan"))) / millions for p in PHASES]
            values.append(float(r.get(full_key, float("nan"))) / millions)  # type: ignore[arg-type]
            for n, v in zip(names, values, strict=True):
                per_million[n].append(v)
            print(f"{r['size']:<8}" + "".join(f"{v:>14.2f}" for v in values))
        table[kind] = per_million
    growth = {}
    for n in ("import", "full set", "pandas", "raw_scan"):
        cpu = table["cpu"][n]
        steps = [b / a for a, b in itertools.pairwise(cpu)]
        growth[n] = max(steps) if steps else None
    linear = None if growth["full set"] is None else growth["full set"] <= TARGET_LINEAR_GROWTH
    linear_import = None if growth["import"] is None else growth["import"] <= TARGET_LINEAR_GROWTH
    if len(results) > 1:
        print(
            "largest size-to-size growth of CPU s per million: "
            + ", ".join(f"{n} {g:.2f}x" for n, g in growth.items() if g is not None)
        )
        print(
            f"linear (full set, growth <= {TARGET_LINEAR_GROWTH}x): {mark(linear)}; "
            f"import: {mark(linear_import)}"
        )
    return {
        "sizes": [r["size"] for r in results],
        "seconds_per_million": table["wall"],
        "cpu_seconds_per_million": table["cpu"],
        "max_cpu_growth": growth,
        "linear_full_set": linear,
        "linear_import": linear_import,
    }


# --- main -------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=parse_size, default=10_000_000)
    parser.add_argument(
        "--sizes", help="comma-separated sizes, e.g. 1e6,1e7,3e7 (overrides --messages)"
    )
    parser.add_argument("--workdir", default=os.environ.get("CSKPI_BENCH_DIR", "/tmp/cskpi-bench"))
    parser.add_argument(
        "--keep", action="store_true", help="keep the DuckDB stores and result frames"
    )
    parser.add_argument(
        "--repeat", type=int, default=1, help="runs per phase (best kept; import once)"
    )
    parser.add_argument("--results", default=str(HERE), help="folder for results-<size>.json")
    parser.add_argument(
        "--phases",
        help="rerun only these phases (comma-separated), keeping the others from "
        "the existing results-<size>.json (needs --keep on the earlier run for metric phases)",
    )
    # child mode
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--folder", help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        run_child(args)
        return

    sizes = [parse_size(s) for s in args.sizes.split(",")] if args.sizes else [args.messages]
    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    info = machine()
    print(
        f"machine: {info['nproc']} cores ({info['cpu']}), {info['ram_gb']} GB RAM; "
        f"python {info['python']}, duckdb {info['duckdb']}, pandas {info['pandas']}"
    )
    print(load_average())
    results = []
    for messages in sizes:
        only = args.phases.split(",") if args.phases else None
        result = run_size(messages, workdir, args.keep, args.repeat, only, Path(args.results))
        print_size(result)
        path = Path(args.results) / f"results-{result['size']}.json"
        path.write_text(json.dumps(result, indent=2, default=str) + "\n")
        print(f"written {path}")
        results.append(result)
    # earlier sizes written by previous runs complete the scaling series
    seen = {r["size"] for r in results}
    for path in sorted(Path(args.results).glob("results-*.json")):
        earlier = json.loads(path.read_text())
        if earlier.get("size") not in seen and "full_set_seconds" in earlier:
            earlier["size"] = f"{earlier['size']}*"
            results.append(earlier)
    if len(results) > 1:
        scaling = print_scaling(results)
        if any(str(r["size"]).endswith("*") for r in results):
            print("(* from an earlier run)")
        (Path(args.results) / "results-scaling.json").write_text(
            json.dumps(scaling, indent=2) + "\n"
        )


if __name__ == "__main__":
    main()
