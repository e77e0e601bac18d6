"""``jaxqring allreduce``: classical vs superdense-coded ring (vs GHZ aggregation) in one table.

Columns: carriers per link (online, set-up; unit bit or qubit; the maximum over links), the
number of communication rounds, the error of node 0's mean against the float64 numpy mean of
the clipped gradients (max and RMS over coordinates), and the wall time (cold: first call with
compilation; warm: second call), all measured in this run.
"""

from __future__ import annotations

import argparse


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--nodes", type=int, default=8, help="number of nodes N (default 8)")
    p.add_argument("--coords", type=int, default=20_000, help="gradient coordinates P (default 20000)")
    p.add_argument("--bits", type=int, default=12, help="wire width b (default 12)")
    p.add_argument("--clip", type=float, default=1.0, help="clip radius R (default 1.0)")
    p.add_argument("--fidelity", type=float, default=0.99, help="Werner fidelity F of the noisy EPR pairs (default 0.99)")
    p.add_argument("--ghz-shots", type=int, default=1, help="odd shots per Kitaev round for the GHZ scheme (default 1)")
    p.add_argument("--seed", type=int, default=0)


def _timed(fn):
    import time

    import jax

    t0 = time.perf_counter()
    out = jax.block_until_ready(fn())
    cold = time.perf_counter() - t0
    t0 = time.perf_counter()
    out = jax.block_until_ready(fn())
    return out, cold, time.perf_counter() - t0


def run(args) -> int:
    import jax
    import numpy as np

    import jaxqring as jq

    key = jax.random.key(args.seed)
    kg, kn, kq = jax.random.split(key, 3)
    rng = np.random.default_rng(args.seed)
    grads = (0.4 * rng.standard_normal((args.nodes, args.coords))).astype(np.float32)
    jq.fixed_point(args.bits, args.clip, args.nodes)  # validate early (clear error message)
    epr = jq.werner(args.fidelity)
    reference = np.clip(grads.astype(np.float64), -args.clip, args.clip).mean(axis=0)

    rows = []

    def ring_row(label, **kw):
        res, cold, warm = _timed(lambda: jq.ring_allreduce(grads, bits=args.bits, clip=args.clip, **kw))
        led = res.ledger
        err = np.asarray(res.mean, np.float64)[0] - reference
        rows.append(
            (label, led.unit, int(led.online_per_link.max()), int(led.setup_per_link.max()), led.num_rounds,
             float(np.max(np.abs(err))), float(np.sqrt(np.mean(err**2))), cold, warm)
        )

    ring_row("classical ring")
    ring_row("superdense ring (F=1)", scheme="superdense")
    ring_row(f"superdense ring (F={args.fidelity:g})", scheme="superdense", epr=epr, key=kn)

    ghz = getattr(jq, "ghz_allreduce", None)
    note = None
    if ghz is None:
        note = "GHZ aggregation: jaxqring.ghz_allreduce is not available in this build."
    else:
        res, cold, warm = _timed(
            lambda: ghz(kq, grads, bits=args.bits, clip=args.clip, shots_per_round=args.ghz_shots)
        )
        st = res.stats
        err = np.asarray(res.mean, np.float64) - reference
        setup = getattr(st, "num_setup_qubits_per_link", (0,))
        rows.append(
            ("GHZ aggregation", "bit/qubit", int(getattr(st, "num_online_bits", -1)), int(max(setup)),
             int(getattr(st, "num_sequential_rounds", getattr(st, "num_rounds", -1))),
             float(np.max(np.abs(err))), float(np.sqrt(np.mean(err**2))), cold, warm)
        )
        note = (
            "GHZ: 'online' counts all broadcast outcome bits (not per link); set-up counts GHZ "
            "qubits per link; rounds are sequential Kitaev rounds."
        )

    print(
        f"Ring all-reduce: N={args.nodes}, P={args.coords}, b={args.bits}, R={args.clip:g}; "
        f"error of node 0's mean vs the float64 numpy mean of clip(g)"
    )
    head = ("scheme", "unit", "online/link", "setup/link", "rounds", "max|err|", "rms err", "cold s", "warm s")
    fmt = "{:<26} {:<9} {:>12} {:>11} {:>7} {:>10} {:>10} {:>8} {:>8}"
    print(fmt.format(*head))
    for r in rows:
        cells = (*r[:5], f"{r[5]:.3e}", f"{r[6]:.3e}", f"{r[7]:.3f}", f"{r[8]:.3f}")
        print(fmt.format(*cells))
    delta = jq.fixed_point(args.bits, args.clip, args.nodes).delta
    print(f"quantisation step delta = {delta:.3e} (noiseless |err| <= delta/2 = {delta / 2:.3e}, SPEC [1.4])")
    cap = float(jq.superdense_capacity(args.fidelity))
    print(
        f"information per online qubit at F={args.fidelity:g}: {cap:.4f} bits "
        f"(1 bit at F* = {jq.superdense_breakeven_fidelity():.4f})"
    )
    if note:
        print(note)
    return 0
