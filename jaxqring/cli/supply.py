"""``jaxqring supply``: EPR pairs per link over time, their fidelities, and the wall-clock verdict.

Every ring link generates pairs (``--rate`` attempts/s, heralding probability ``--herald``),
optionally purifies them at heralding (``--purify dejmps:2``), stores them in a memory of
``--capacity`` pairs whose qubits dephase with coherence time ``--t2``. The command prints the
good pairs (fidelity >= ``--min-fidelity``) per link vs time, the fidelity histogram of the stored
pairs, and whether one superdense ring all-reduce (set-up + online) beats the classical ring at
``--bit-rate``.
"""

from __future__ import annotations

import argparse

import jax

from ..allreduce import link_model, supply_report


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--rate", type=float, default=1e6, help="generation attempts per second per link (default 1e6)")
    p.add_argument("--herald", type=float, default=1e-3, help="heralding probability per attempt (default 1e-3)")
    p.add_argument("--fidelity", type=float, default=0.97, help="Werner fidelity of a fresh pair (default 0.97)")
    p.add_argument("--t2", type=float, default=1.0, help="memory coherence time T2 in seconds (dephasing rate 1/T2; default 1)")
    p.add_argument("--depolarizing-rate", type=float, default=0.0, help="memory depolarising rate, 1/s (default 0)")
    p.add_argument("--capacity", type=int, default=100_000, help="pairs a link can store (default 100000)")
    p.add_argument("--qubit-rate", type=float, default=1e9, help="online qubits per second per link (default 1e9)")
    p.add_argument("--purify", default=None, help="purification at heralding, e.g. dejmps:2 or bbpssw:1 (default none)")
    p.add_argument("--policy", default="replace_oldest", choices=("replace_oldest", "drop_new"), help="full-memory policy")
    p.add_argument("--min-fidelity", type=float, default=0.9, help="pairs below this fidelity are not used (default 0.9)")
    p.add_argument("--dt", type=float, default=1e-3, help="time step in seconds (rate * dt must be whole; default 1e-3)")
    p.add_argument("--steps", type=int, default=500, help="time steps simulated (default 500)")
    p.add_argument("--trials", type=int, default=32, help="Monte Carlo runs per link (default 32)")
    p.add_argument("--nodes", type=int, default=8, help="ring nodes N (default 8)")
    p.add_argument("--coords", type=int, default=10_000, help="gradient coordinates P (default 10000)")
    p.add_argument("--bits", type=int, default=8, help="wire width b (default 8)")
    p.add_argument("--bit-rate", type=float, default=1e6, help="classical bits per second per link (default 1e6)")
    p.add_argument("--latency", type=float, default=0.0, help="seconds per round, both rings (default 0)")
    p.add_argument("--seed", type=int, default=0, help="PRNG seed of the Monte Carlo supply (default 0)")


def run(args) -> int:
    if args.t2 <= 0:
        raise ValueError(f"Argument `--t2` must be > 0 seconds, got {args.t2}.")
    link = link_model(attempt_rate=args.rate, herald_probability=args.herald, capacity=args.capacity,
                      fidelity=args.fidelity, dephasing_rate=1.0 / args.t2, depolarizing_rate=args.depolarizing_rate,
                      qubit_rate=args.qubit_rate)
    report = supply_report(link, key=jax.random.key(args.seed), dt=args.dt, steps=args.steps,
                           min_fidelity=args.min_fidelity, num_nodes=args.nodes, num_coords=args.coords, bits=args.bits,
                           bit_rate=args.bit_rate, trials=args.trials, latency=args.latency, policy=args.policy,
                           purify=args.purify)
    print(report.text(min_fidelity=args.min_fidelity, link=link, dt=args.dt))
    return 0
