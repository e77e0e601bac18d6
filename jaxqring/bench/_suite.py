"""The benchmark suite: every cell in its own process with a time cap, JSON + markdown + plots.

Ratios are between timings taken in the same run on the same machine. A cell that runs out of
time is recorded as a lower bound (``timed_out``), and so are, without being started, the larger
sizes of that engine and workload (``skipped_after_cap``); one that fails is recorded with its
error; a peer that is not installed is recorded as such. Results are written atomically after
every cell, so an interrupted run keeps what it measured.
"""

from __future__ import annotations

import importlib.util
import json
import math
import multiprocessing as mp
import os
import pathlib
import platform
import time
from typing import Callable, NamedTuple

from .._io import atomic_write_bytes, atomic_write_json, check_out_dir
from .._timing import device_report, peak_rss_gib
from ._cells import CELLS, ENGINES, PEER_MODULES, applicability

SIZES = {
    "W1": {"full": [64, 256, 1024, 4096, 16384], "quick": [64, 1024]},
    "W2": {"full": [100, 1000, 10_000, 100_000, 1_000_000], "quick": [100, 10_000]},
    "W3": {"full": [4, 8, 12, 128, 1024, 10_000], "quick": [4, 8, 128]},
    "W4": {"full": [10, 14, 18, 22], "quick": [10, 12]},
}
# W4's size is log2 P: GapIP's register holds n = log2 P + 1 qubits (data plus ancilla, SPEC A11).
SIZE_NAMES = {"W1": "N", "W2": "P", "W3": "N", "W4": "log2 P"}
# Seconds per cell before it is stopped: the quick grid keeps `--quick --peers` under 10 minutes
# on 2 cores (most of its wall time is peers reaching the cap).
QUICK_CAP_S = 60.0
FULL_CAP_S = 600.0
DESCRIPTIONS = {
    "W1": "GHZ_N + random phases, 1000 X shots (one circuit)",
    "W2": "P copies of GHZ_32, own phases, 8 shots each",
    "W3": "exact X parity of GHZ_N, random phases, dephasing 0.01",
    "W4": "GapIP: phase estimation of a Grover operator, P = 2^k coordinates, k + 1 qubits (t = 6)",
}


class BenchReport(NamedTuple):
    """``cells``: list of dicts (workload, size, engine, seconds or cannot/timed_out/error...);
    ``paths``: the JSON, markdown and figure files written."""

    cells: list
    paths: dict


def _child(queue, engine: str, workload: str, size: int, seed: int) -> None:
    try:
        row = CELLS[engine](workload, size, seed)
    except Exception as err:  # noqa: BLE001 - a peer's failure is a result, not a crash
        row = {"error": f"{type(err).__name__}: {err}"[:300]}
    row["peak_rss_gib"] = peak_rss_gib()
    if engine == "jaxqring":  # the accelerator, and its own peak memory where it keeps one
        row |= device_report()
    queue.put(row)


def run_cell(engine: str, workload: str, size: int, *, seed: int = 0, cap_s: float = 120.0) -> dict:
    """One cell in a fresh process (spawned: nothing shared with the caller), stopped at ``cap_s``."""
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_child, args=(queue, engine, workload, size, seed))
    t0 = time.perf_counter()
    proc.start()
    row = None
    deadline = t0 + cap_s
    while row is None and time.perf_counter() < deadline:
        try:
            row = queue.get(timeout=min(1.0, max(0.01, deadline - time.perf_counter())))
        except Exception:  # noqa: BLE001 - queue.Empty: keep waiting while the child lives
            if not proc.is_alive() and queue.empty():
                break
    if row is None:
        if proc.is_alive():
            proc.terminate()
            proc.join()
            row = {"timed_out": True, "seconds_at_least": cap_s}
        else:
            row = {"error": f"process exited with code {proc.exitcode}"}
    proc.join(timeout=5)
    return {"engine": engine, "workload": workload, "size": int(size), "wall_s": time.perf_counter() - t0} | row


def installed(engine: str) -> bool:
    return engine == "jaxqring" or importlib.util.find_spec(PEER_MODULES[engine]) is not None


def run_bench(
    out_dir,
    *,
    quick: bool = False,
    peers: bool = False,
    cap_s: float | None = None,
    seed: int = 0,
    workloads=("W1", "W2", "W3", "W4"),
    on_cell: Callable[[dict], None] | None = None,
    skip_after_cap: bool = True,
) -> BenchReport:
    """Run W1-W4 on jaxqring and, with ``peers``, on every installed peer; write the report.

    Args:
        out_dir: folder for ``bench.json``, ``bench.md`` and ``bench.png`` (created).
        quick: the small size grid (``SIZES[w]["quick"]``) and a ``QUICK_CAP_S`` cap per cell.
        peers: also run qiskit-aer, quimb, qutip, stim and tensorcircuit-ng where installed.
        cap_s: seconds per cell before it is stopped (default ``QUICK_CAP_S`` = 60 quick,
            ``FULL_CAP_S`` = 600 full).
        seed: phases and keys.
        workloads: subset of "W1".."W4".
        on_cell: called with each finished cell (progress).
        skip_after_cap: once an engine's cell reaches the cap, its larger sizes of the same
            workload are not started (every workload's cost grows with its size) and are recorded
            as lower bounds: ``seconds_at_least`` = the cap, ``skipped_after_cap`` = the size that
            timed out. This keeps a full grid with peers to one cap per (engine, workload)
            instead of one per cell. False runs every cell.
    Returns:
        :class:`BenchReport`.
    """
    for w in workloads:
        if w not in SIZES:
            raise ValueError(f"Argument `workloads` must hold names from {sorted(SIZES)}, got {w!r}.")
    cap = float(cap_s if cap_s is not None else (QUICK_CAP_S if quick else FULL_CAP_S))
    if not cap > 0:
        raise ValueError(f"Argument `cap_s` must be > 0, got {cap_s}.")
    out = pathlib.Path(check_out_dir(out_dir))
    engines = ENGINES if peers else ("jaxqring",)
    grid = "quick" if quick else "full"
    cells = []
    meta = {
        "machine": f"{platform.machine()} {os.cpu_count()}-core, {platform.platform()}",
        "load_average_before": os.getloadavg(), "quick": quick, "cap_s": cap, "seed": seed,
        "engines": {e: ("installed" if installed(e) else "not installed") for e in engines},
    }
    t_start = time.perf_counter()
    capped_at: dict = {}  # (engine, workload) -> the size whose cell reached the cap
    for w in workloads:
        for size in SIZES[w][grid]:
            for engine in engines:
                reason = applicability(engine, w, size)
                if not installed(engine):
                    row = {"engine": engine, "workload": w, "size": size, "not_installed": True}
                elif reason is not None:
                    row = {"engine": engine, "workload": w, "size": size} | reason
                elif skip_after_cap and (engine, w) in capped_at:
                    row = {"engine": engine, "workload": w, "size": size, "seconds_at_least": cap,
                           "skipped_after_cap": capped_at[engine, w]}
                else:
                    row = run_cell(engine, w, size, seed=seed, cap_s=cap)
                    if row.get("timed_out"):
                        capped_at[engine, w] = size
                cells.append(row)
                if on_cell is not None:
                    on_cell(row)
                if "device" in row:
                    meta["jaxqring_device"] = f"{row['backend']}: {row['device']}"
                _write(out, meta | {"wall_s": time.perf_counter() - t_start}, cells)
    paths = _write(out, meta | {"wall_s": time.perf_counter() - t_start}, cells, final=True)
    return BenchReport(cells, paths)


def _status(row: dict) -> str:
    if "seconds" in row:
        mark = "" if row.get("ok", True) else " (CHECK FAILED)"
        return f"{row['seconds']:.3g} s{mark}"
    if row.get("timed_out"):
        return f"> {row['seconds_at_least']:.0f} s (cap)"
    if "skipped_after_cap" in row:
        return f"> {row['seconds_at_least']:.0f} s (not run: cap at {SIZE_NAMES[row['workload']]} = {row['skipped_after_cap']})"
    if row.get("not_installed"):
        return "not installed"
    if "cannot" in row:
        return "cannot"
    if "not_implemented" in row:
        return "n/a"
    return "error"


def bench_table(cells: list) -> str:
    """Markdown: one row per (workload, size), one column per engine, and the ratio of the
    fastest peer that ran to jaxqring (measured in the same run)."""
    engines = [e for e in ENGINES if any(c["engine"] == e for c in cells)]
    head = "| workload | size | " + " | ".join(engines) + " | fastest peer / jaxqring |"
    lines = [head, "|" + "---|" * (len(engines) + 3)]
    keys = sorted({(c["workload"], c["size"]) for c in cells}, key=lambda k: (k[0], k[1]))
    for w, size in keys:
        row = {c["engine"]: c for c in cells if c["workload"] == w and c["size"] == size}
        jq_row = row.get("jaxqring", {})
        peer_times = [(c["seconds"], e) for e, c in row.items() if e != "jaxqring" and "seconds" in c and c.get("ok", True)]
        bounds = [c["seconds_at_least"] for e, c in row.items() if e != "jaxqring" and "seconds_at_least" in c]
        if "seconds" in jq_row and peer_times:
            t, e = min(peer_times)
            ratio = f"{t / jq_row['seconds']:.3g}x ({e})"
        elif "seconds" in jq_row and bounds:
            ratio = f"> {max(bounds) / jq_row['seconds']:.3g}x (all peers capped)"
        else:
            ratio = "only jaxqring ran" if "seconds" in jq_row else "-"
        cells_md = " | ".join(_status(row[e]) if e in row else "-" for e in engines)
        lines.append(f"| {w} | {SIZE_NAMES[w]} = {size} | {cells_md} | {ratio} |")
    reasons: dict = {}
    for c in cells:
        if "cannot" in c or "not_implemented" in c:
            reasons.setdefault(f"{c['engine']} {c['workload']}", c.get("cannot") or c.get("not_implemented"))
    notes = [f"{k} ({v})" for k, v in sorted(reasons.items())]
    errors = sorted({f"{c['engine']} {c['workload']} {c['size']}: {c['error']}" for c in cells if "error" in c})
    if notes:
        lines += ["", "Not run: " + "; ".join(notes) + "."]
    if errors:
        lines += ["", "Errors: " + "; ".join(errors) + "."]
    return "\n".join(lines)


def _plot(cells: list, path: pathlib.Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 5, figsize=(24, 4))
    for ax, w in zip(axes[:4], ("W1", "W2", "W3", "W4")):
        for e in ENGINES:
            pts = sorted((c["size"], c["seconds"]) for c in cells
                         if c["workload"] == w and c["engine"] == e and "seconds" in c and c.get("ok", True))
            failed = sorted((c["size"], c["seconds"]) for c in cells
                            if c["workload"] == w and c["engine"] == e and "seconds" in c and not c.get("ok", True))
            capped = sorted((c["size"], c["seconds_at_least"]) for c in cells
                            if c["workload"] == w and c["engine"] == e and c.get("timed_out"))
            if pts:
                ax.loglog(*zip(*pts), "o-", label=e)
            if failed:  # ran, but its result failed the check: timed, not counted
                ax.loglog(*zip(*failed), "x", color="red", markersize=8)
            if capped:
                ax.loglog(*zip(*capped), "^", color="gray")
        if w == "W4":  # the work grows as P = 2^size: a linear axis in log2 P
            ax.set_xscale("linear")
        ax.set_xlabel(SIZE_NAMES[w])
        ax.set_ylabel("seconds (best call; ^ cap, x failed its check)")
        ax.set_title(f"{w}: {DESCRIPTIONS[w]}", fontsize=8)
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=7)
    ax = axes[4]
    for e in ENGINES:
        pts = sorted((c["size"], c["peak_rss_gib"]) for c in cells if c["workload"] == "W1" and c["engine"] == e
                     and "seconds" in c and "peak_rss_gib" in c)
        if pts:
            ax.loglog(*zip(*pts), "o-", label=e)
    ax.set_xlabel("N (W1)")
    ax.set_ylabel("peak RSS of the cell's process, GiB")
    ax.set_title("W1 peak memory", fontsize=8)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    plt.close(fig)


def _write(out: pathlib.Path, meta: dict, cells: list, final: bool = False) -> dict:
    paths = {"json": str(out / "bench.json"), "markdown": str(out / "bench.md")}
    atomic_write_json(str(out / "bench.json"), json.loads(json.dumps(meta | {"cells": cells}, default=float)))
    where = f"\n\nMachine: {meta['machine']}; jaxqring ran on {meta.get('jaxqring_device', 'its default device')}."
    atomic_write_bytes(str(out / "bench.md"), (bench_table(cells) + where + "\n").encode())
    if final:
        _plot(cells, out / "bench.png")
        paths["figure"] = str(out / "bench.png")
    return paths


def fastest_ratio(cells: list) -> float:
    """The smallest (fastest peer / jaxqring) time ratio over cells where both ran (inf if none)."""
    best = math.inf
    for w, size in {(c["workload"], c["size"]) for c in cells}:
        row = {c["engine"]: c for c in cells if c["workload"] == w and c["size"] == size}
        if "seconds" not in row.get("jaxqring", {}):
            continue
        peers = [c["seconds"] for e, c in row.items() if e != "jaxqring" and "seconds" in c]
        if peers:
            best = min(best, min(peers) / row["jaxqring"]["seconds"])
    return best
