"""Run the claims registry and write the report (behind ``jaxqring reproduce``).

Layout of ``out_dir``::

    claims/<name>.json   one finished claim (written atomically the moment it finishes)
    figures/<name>.png   its figure
    claims.json          every claim's result, in registry order
    REPORT.md            the table of claims with verdicts, then a section per claim
    run.json             wall times of this run (kept apart: the results are deterministic)

Resumable: a claim whose ``claims/<name>.json`` exists for the same ``quick`` flag, seed and
format is loaded, not recomputed, so an interrupted run picks up where it stopped.
"""

from __future__ import annotations

import dataclasses
import io
import json
import os
import time
from collections.abc import Callable, Sequence
from typing import NamedTuple

import jax

from .._checks import check_int
from .._io import atomic_write_bytes, atomic_write_json, check_out_dir
from ._claims import CLAIMS, VERDICTS, Claim, ClaimResult

RESULT_FORMAT = 1


class ClaimRecord(NamedTuple):
    """One claim of a :class:`ReproduceReport`."""

    claim: Claim
    result: ClaimResult
    figure_path: str
    seconds: float  # wall time of its computation in this run (0.0 when loaded from disk)
    resumed: bool  # True when loaded from a previous run


class ReproduceReport(NamedTuple):
    """Result of :func:`reproduce`."""

    out_dir: str
    quick: bool
    seed: int
    records: tuple  # of ClaimRecord, registry order
    report_path: str
    json_path: str
    total_seconds: float


def select_claims(only: Sequence[str] | None, claims: Sequence[Claim] = CLAIMS) -> tuple[Claim, ...]:
    """The claims named in ``only`` (all when None), in registry order; ValueError for unknown names."""
    if only is None:
        return tuple(claims)
    names = [c.name for c in claims]
    unknown = [n for n in only if n not in names]
    if unknown:
        raise ValueError(f"Argument `only` must name claims of the registry {names}, got unknown {unknown}.")
    return tuple(c for c in claims if c.name in set(only))


def _plot(claim: Claim, result: ClaimResult, path: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 4.0))
    claim.plot(result, ax)
    ax.set_title(f"{claim.name}: {result.verdict}", fontsize=10)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    plt.close(fig)
    atomic_write_bytes(path, buf.getvalue())


def _load(path: str, quick: bool, seed: int) -> ClaimResult | None:
    try:
        with open(path) as f:
            doc = json.load(f)
    except (OSError, ValueError):
        return None
    if doc.get("format") != RESULT_FORMAT or doc.get("quick") != quick or doc.get("seed") != seed:
        return None
    return ClaimResult(**doc["result"])


def measure_claims(
    out_dir,
    *,
    quick: bool = False,
    only: Sequence[str] | None = None,
    seed: int = 0,
    on_claim: Callable[[int, int, str], None] | None = None,
    claims: Sequence[Claim] = CLAIMS,
) -> tuple[ClaimRecord, ...]:
    """Measure the claims in ``only`` (all when None), caching each in ``out_dir``; no report.

    This is what every notebook calls for its group of claims, and what :func:`reproduce` runs
    before it writes the report. A claim whose ``claims/<name>.json`` exists in ``out_dir`` for
    the same ``quick`` flag and seed is loaded, not recomputed (so a notebook pointed at a full
    ``jaxqring reproduce`` folder, e.g. ``docs/reproduce``, shows those numbers at no cost).

    Args:
        out_dir: cache folder (created if needed): ``claims/<name>.json``, ``figures/<name>.png``.
        quick: small sizes (the whole registry in a few minutes on 2 cores).
        only: claim names to run (default: all), ValueError for names not in the registry.
        seed: base PRNG seed; claim i uses ``fold_in(key(seed), i)`` of its registry index,
            so a claim's numbers do not depend on which others run. Every claim is measured with
            float64 enabled (``jax.enable_x64``), the precision SPEC's tolerances assume.
        on_claim: progress callback ``(done, total, name)`` called before each claim and at the end.
    Returns:
        tuple of :class:`ClaimRecord` in registry order.
    """
    if not isinstance(quick, bool):
        raise ValueError(f"Argument `quick` must be a bool, got {quick!r}.")
    seed = check_int("seed", seed, minimum=0)
    selected = select_claims(only, claims)
    out = check_out_dir(out_dir)
    os.makedirs(os.path.join(out, "claims"), exist_ok=True)
    os.makedirs(os.path.join(out, "figures"), exist_ok=True)
    index = {c.name: i for i, c in enumerate(claims)}
    base = jax.random.key(seed)
    records = []
    # Claims are judged against SPEC's float64 tolerances: measure in double precision whatever
    # the process default (a scoped switch; the caller's setting is restored on exit).
    with jax.enable_x64(True):
        for done, claim in enumerate(selected):
            if on_claim is not None:
                on_claim(done, len(selected), claim.name)
            path = os.path.join(out, "claims", f"{claim.name}.json")
            fig = os.path.join(out, "figures", f"{claim.name}.png")
            result = _load(path, quick, seed)
            resumed = result is not None
            seconds = 0.0
            if result is None:
                t0 = time.perf_counter()
                result = claim.measure(jax.random.fold_in(base, index[claim.name]), quick)
                seconds = time.perf_counter() - t0
                atomic_write_json(path, {"format": RESULT_FORMAT, "name": claim.name, "quick": quick, "seed": seed,
                                         "result": dataclasses.asdict(result)})
            if not resumed or not os.path.exists(fig):
                _plot(claim, result, fig)
            records.append(ClaimRecord(claim, result, fig, seconds, resumed))
    if on_claim is not None:
        on_claim(len(selected), len(selected), "")
    return tuple(records)


def reproduce(
    out_dir,
    *,
    quick: bool = False,
    only: Sequence[str] | None = None,
    seed: int = 0,
    on_claim: Callable[[int, int, str], None] | None = None,
    claims: Sequence[Claim] = CLAIMS,
) -> ReproduceReport:
    """Measure every claim (or those in ``only``) with :func:`measure_claims`, write the report.

    Args:
        out_dir, quick, only, seed, on_claim: as in :func:`measure_claims` (resumable: finished
            claims in ``out_dir`` are loaded, not recomputed).
    Returns:
        :class:`ReproduceReport`; ``out_dir`` also holds ``claims.json``, ``REPORT.md`` and
        ``run.json`` (wall times, kept apart because the results are deterministic).
    """
    t_all = time.perf_counter()
    records = measure_claims(out_dir, quick=quick, only=only, seed=seed, on_claim=on_claim, claims=claims)
    out = check_out_dir(out_dir)
    seed = int(seed)
    total = time.perf_counter() - t_all
    json_path = os.path.join(out, "claims.json")
    atomic_write_json(json_path, {"quick": quick, "seed": seed, "claims": [_claim_doc(r) for r in records]})
    report_path = os.path.join(out, "REPORT.md")
    atomic_write_bytes(report_path, report_markdown(records, quick=quick, seed=seed).encode())
    atomic_write_json(os.path.join(out, "run.json"), {
        "total_seconds": total, "seconds": {r.claim.name: r.seconds for r in records},
        "resumed": [r.claim.name for r in records if r.resumed], "backend": jax.default_backend(),
    })
    return ReproduceReport(out, quick, seed, records, report_path, json_path, total)


def _claim_doc(rec: ClaimRecord) -> dict:
    c = rec.claim
    return {"name": c.name, "group": c.group, "statement": c.statement, "source": c.source, "spec": c.spec,
            "measured_by": f"{c.measure.__module__}.{c.measure.__qualname__}",
            "figure": os.path.relpath(rec.figure_path, os.path.dirname(os.path.dirname(rec.figure_path))),
            **dataclasses.asdict(rec.result)}


def _fmt(x: float) -> str:
    return f"{x:.4g}"


def claims_table(records: Sequence[ClaimRecord]) -> str:
    """The markdown table of claims: statement, measured value (+- uncertainty), paper, verdict."""
    lines = ["| claim | measured | paper | verdict |", "|---|---|---|---|"]
    for r in records:
        res = r.result
        unc = f" +- {_fmt(res.uncertainty)}" if res.uncertainty else ""
        lines.append(f"| **{r.claim.name}**: {r.claim.statement} | {_fmt(res.value)}{unc} ({res.unit}) | "
                     f"{res.paper_value} | **{res.verdict}** |")
    return "\n".join(lines) + "\n"


def report_markdown(records: Sequence[ClaimRecord], *, quick: bool, seed: int) -> str:
    """REPORT.md: the claims table, then one section per claim (conditions, references, figure)."""
    counts = {v: sum(r.result.verdict == v for r in records) for v in VERDICTS}
    head = [
        "# Which claims hold: jaxqring reproduction report",
        "",
        "Paper: L. Pira and M. Gragera Garces, *Quantum ring all-reduce: communication and privacy "
        "advantages for distributed learning*, arXiv 2606.20344. Conventions and formulas: docs/SPEC.md.",
        "",
        f"Run: {'quick (small sizes)' if quick else 'full'}, seed {seed}, {len(records)} claims: "
        + ", ".join(f"{n} {v}" for v, n in counts.items()) + ". Regenerate with "
        f"`jaxqring reproduce{' --quick' if quick else ''} --seed {seed}`.",
        "",
        claims_table(records),
    ]
    for r in records:
        c, res = r.claim, r.result
        unc = f" +- {_fmt(res.uncertainty)}" if res.uncertainty else ""
        head += [
            f"## {c.name} ({c.group})",
            "",
            f"*Claim* ({c.source}): {c.statement}",
            "",
            f"*Measured*: {_fmt(res.value)}{unc} {res.unit}. *Paper*: {res.paper_value}. "
            f"*Verdict*: **{res.verdict}**.",
            "",
            res.conditions,
            "",
            f"SPEC: {c.spec}. Measured by `{c.measure.__module__}.{c.measure.__qualname__}`.",
            "",
            f"![{c.name}](figures/{os.path.basename(r.figure_path)})",
            "",
        ]
    return "\n".join(head)
