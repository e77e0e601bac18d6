"""Benchmark the entanglement-supply Monte Carlo, and a side-by-side with SeQUeNCe.

1. **Supply at scale** (full): 64 links, memories of 10^6 pairs, 1000 time steps
   (10^4 attempts per step at heralding probability 0.1, so each memory fills to ~10^6 pairs;
   every pair stays good for the whole run), ``jaxqring.allreduce.supply`` Monte Carlo with
   ``trials`` independent runs. Reference measured in the same run: the same age-histogram
   algorithm in numpy (``np.random.Generator.binomial``, vectorised over links), and a naive
   per-pair numpy simulation (one age per stored pair) timed on a slice and reported as a rate.
   Reports cold/warm time, ratio, pair-steps/s (pairs held x steps / time) and peak memory.
   ``--quick``: 8 links, 10^4 pairs, 100 steps.
2. **SeQUeNCe side by side** (optional peer, https://github.com/sequence-toolbox/SeQUeNCe): one
   link, Werner pairs F0 heralded with probability p per attempt, the first pair waits in memory
   (pure dephasing) until the second is heralded, then one BBPSSW round. SeQUeNCe runs its
   discrete-event timeline with its Bell-diagonal-state memories (``Memory.bds_decohere``) and its
   BBPSSW map (``BBPSSW_BDS.purification_res``); jaxqring draws the same configuration
   vectorised (geometric waiting times, closed-form ageing, exact BBPSSW map). Compared: the exact
   per-trial fidelities (SeQUeNCe's waiting time fed to jaxqring's maps), the fidelity law
   (chi-square of the binned output fidelity against jaxqring's exact law), the success rate, and
   the run-time ratio for 10^4 trials. SeQUeNCe needs its own environment (it pulls ~80
   packages); pass ``--sequence-python /path/to/venv/bin/python`` (the SeQUeNCe leg runs this
   file with ``--sequence-leg`` in that interpreter, which needs only numpy and sequence).

Writes ``benchmarks/results/supply.json``.

Usage: python benchmarks/bench_supply.py [--quick] [--sequence-python PATH]
"""

from __future__ import annotations

import argparse
import json
import pathlib
import platform
import subprocess
import sys
import time

import numpy as np

RESULTS = pathlib.Path(__file__).parent / "results" / "supply.json"

# SeQUeNCe side-by-side configuration (one link)
SBS = {"attempt_rate": 1e4, "herald_probability": 0.05, "fidelity": 0.9, "dephasing_rate": 20.0, "seed": 7}


# ---- SeQUeNCe leg (runs in the SeQUeNCe interpreter: numpy + sequence only) -------------------


def sequence_leg(trials: int, attempt_rate: float, herald_probability: float, fidelity: float, dephasing_rate: float, seed: int) -> dict:
    from sequence.components.memory import Memory
    from sequence.constants import BELL_DIAGONAL_STATE_FORMALISM
    from sequence.entanglement_management.purification.bbpssw_bds import BBPSSW_BDS
    from sequence.kernel.event import Event
    from sequence.kernel.process import Process
    from sequence.kernel.timeline import Timeline
    from sequence.topology.node import Node

    t0 = time.perf_counter()
    tl = Timeline(formalism=BELL_DIAGONAL_STATE_FORMALISM)
    node_a, node_b = Node("a", tl, seed=seed), Node("b", tl, seed=seed + 1)
    # Pure dephasing at rate gamma (coherence exp(-gamma t)) is a Pauli-Z rate gamma/2 per memory;
    # SeQUeNCe's rate is 1 / coherence_time times the error weights (X, Y, Z).
    mem = {
        n: [Memory(f"{n}{i}", tl, fidelity=fidelity, frequency=0, efficiency=1, coherence_time=2.0 / dephasing_rate,
                   wavelength=500, decoherence_errors=[0.0, 0.0, 1.0], cutoff_flag=False) for i in range(2)]
        for n in "ab"
    }
    proto = BBPSSW_BDS(node_a, "pa", mem["a"][0], mem["a"][1], is_twirled=True)
    proto.set_others("pb", "b", [mem["b"][0].name, mem["b"][1].name])
    rng_a, rng_b = node_a.get_generator(), node_b.get_generator()
    period_ps = round(1e12 / attempt_rate)
    e = (1 - fidelity) / 3
    werner = [fidelity, e, e, e]  # SeQUeNCe BDS order (I, Z, X, Y)
    out = {"k2": [], "success": [], "fidelity": [], "input_fidelity": []}

    class Driver:
        def herald(self, slot):
            ma, mb = mem["a"][slot], mem["b"][slot]
            tl.quantum_manager.set([ma.qstate_key, mb.qstate_key], list(werner))
            for m, other in ((ma, "b"), (mb, "a")):
                m.last_update_time = tl.now()
                m.fidelity = fidelity
                m.entangled_memory = {"node_id": other, "memo_id": None}

        def purify(self, k2):
            self.herald(1)
            for m in (mem["a"][1], mem["b"][1], mem["a"][0], mem["b"][0]):
                m.bds_decohere()  # SeQUeNCe's analytic Pauli-channel ageing (as BBPSSW_BDS.start does)
            aged = tl.quantum_manager.get(mem["a"][0].qstate_key).state[0]
            p_succ, bds = proto.purification_res()  # SeQUeNCe's BBPSSW map
            # both ends flip coins with P(equal outcomes) = p_succ, as BBPSSW_BDS.start() does
            p1 = (1 + np.sqrt(2 * p_succ - 1)) / 2
            ok = (rng_a.random() <= p1) == (rng_b.random() <= p1)
            out["k2"].append(int(k2))
            out["success"].append(bool(ok))
            out["fidelity"].append(float(bds[0]))
            out["input_fidelity"].append(float(aged))

    drv = Driver()
    now = period_ps  # start after t = 0: SeQUeNCe skips decoherence while last_update_time == 0
    for _ in range(trials):
        k1, k2 = rng_a.geometric(herald_probability), rng_a.geometric(herald_probability)
        t1 = now + k1 * period_ps
        t2 = t1 + k2 * period_ps
        tl.schedule(Event(t1, Process(drv, "herald", [0])))
        tl.schedule(Event(t2, Process(drv, "purify", [k2])))
        now = t2 + period_ps
    tl.init()
    tl.run()
    out["seconds"] = time.perf_counter() - t0
    out["version"] = _dist_version("sequence")
    return out


def _dist_version(name):
    try:
        from importlib.metadata import version

        return version(name)
    except Exception:  # noqa: BLE001 - version is informative only
        return None


# ---- jaxqring side (project environment) -------------------------------------------------------


def side_by_side(trials: int, sequence_python: str | None) -> dict:
    import jax
    from _harness import time_jax
    from scipy import stats

    import jaxqring as jq  # noqa: F401  (package import: the public API is what is benchmarked)
    from jaxqring.allreduce import _purification as P
    from jaxqring.allreduce import _supply as S

    cfg = SBS
    link = S.link_model(attempt_rate=cfg["attempt_rate"], herald_probability=cfg["herald_probability"], capacity=2,
                        fidelity=cfg["fidelity"], dephasing_rate=cfg["dephasing_rate"])
    period = 1 / cfg["attempt_rate"]
    fresh = link.fresh_state[0]

    @jax.jit
    def draw(key):
        k_wait, k_ok = jax.random.split(key)
        k2 = jax.random.geometric(k_wait, cfg["herald_probability"], shape=(trials,))
        aged = link.aged_state(k2 * period)[:, 0, :]
        p, out = P.purify(aged, "bbpssw", partner=fresh)
        ok = jax.random.uniform(k_ok, (trials,)) < p
        return k2, ok, out[:, 0]

    timing = time_jax(lambda i: draw(jax.random.key(100 + i)), repeats=5)
    _k2_j, ok_j, f_j = (np.asarray(a) for a in timing.out)

    # jaxqring's exact law of the output fidelity: k2 ~ Geometric(p), F_out = BBPSSW(age(k2 T), F0)
    kmax = 200
    ks = np.arange(1, kmax + 1)
    pmf = stats.geom.pmf(ks, cfg["herald_probability"])
    pmf[-1] += stats.geom.sf(kmax, cfg["herald_probability"])
    p_ks, out_ks = P.purify(link.aged_state(ks * period)[:, 0, :], "bbpssw", partner=fresh)
    doc = {
        "config": cfg,
        "trials": trials,
        "jaxqring": {"cold_s": timing.cold_s, "warm_median_s": timing.warm_median_s,
                     "success_rate": float(ok_j.mean()), "mean_output_fidelity": float(f_j.mean())},
        "exact": {"success_rate": float(np.sum(pmf * np.asarray(p_ks))),
                  "mean_output_fidelity": float(np.sum(pmf * np.asarray(out_ks[:, 0])))},
    }
    if sequence_python is None:
        doc["sequence"] = {"status": "not run: pass --sequence-python (SeQUeNCe lives in its own environment)"}
        return doc
    cmd = [sequence_python, __file__, "--sequence-leg", str(trials)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=900, check=False)
    if proc.returncode != 0:
        doc["sequence"] = {"status": "failed", "stderr_tail": proc.stderr[-2000:]}
        return doc
    seq = json.loads(proc.stdout.strip().splitlines()[-1])
    k2_s = np.asarray(seq["k2"])
    f_s, fin_s, ok_s = np.asarray(seq["fidelity"]), np.asarray(seq["input_fidelity"]), np.asarray(seq["success"])
    # per trial: jaxqring's maps at SeQUeNCe's waiting time reproduce SeQUeNCe's fidelities
    aged = link.aged_state(k2_s * period)[:, 0, :]
    _, out = P.purify(aged, "bbpssw", partner=fresh)
    # the output fidelity is a monotone function of the waiting time: bin by k2 (tail merged)
    cells = np.minimum(k2_s, kmax) - 1
    counts = np.bincount(cells, minlength=kmax)
    from tests.helpers import chi2_gof_pvalue

    ok_lo, ok_hi = stats.binom.interval(1 - 1e-6, trials, doc["exact"]["success_rate"])
    doc["sequence"] = {
        "status": "ok",
        "version": seq["version"],
        "seconds": seq["seconds"],
        "max_abs_diff_input_fidelity": float(np.max(np.abs(np.asarray(aged[:, 0]) - fin_s))),
        "max_abs_diff_output_fidelity": float(np.max(np.abs(np.asarray(out[:, 0]) - f_s))),
        "chi2_pvalue_output_fidelity_law": chi2_gof_pvalue(counts, pmf),
        "success_rate": float(ok_s.mean()),
        "success_rate_in_1e-6_interval": bool(ok_lo <= ok_s.sum() <= ok_hi),
        "mean_output_fidelity": float(f_s.mean()),
        "time_ratio_sequence_over_jaxqring_warm": seq["seconds"] / timing.warm_median_s,
        "time_ratio_sequence_over_jaxqring_cold": seq["seconds"] / timing.cold_s,
    }
    return doc


def supply_at_scale(num_links: int, pairs: int, steps: int, trials: int, repeats: int) -> dict:
    import jax
    from _harness import peak_rss_gib, time_host, time_jax

    from jaxqring.allreduce import _supply as S

    herald = 0.1
    attempts = round(pairs / steps / herald)  # expected pairs per step * steps = pairs
    dt = 1e-3
    link = S.link_model(attempt_rate=attempts / dt, herald_probability=herald, capacity=pairs, fidelity=0.99,
                        dephasing_rate=1e-3, num_links=num_links)
    kw = {"dt": dt, "steps": steps, "min_fidelity": 0.9, "trials": trials}

    timing = time_jax(lambda i: S.supply(link, key=jax.random.key(i), **kw).good, repeats)
    res = S.supply(link, key=jax.random.key(0), **kw)
    held = np.asarray(res.stored)
    buckets = int(res.good_mask.shape[1])

    # numpy reference: the same histogram algorithm (replace-oldest), vectorised over links x trials
    def numpy_hist():
        rng = np.random.default_rng(0)
        counts = np.zeros((trials, num_links, buckets), np.int64)
        for _ in range(steps):
            k = rng.binomial(attempts, herald, size=(trials, num_links))
            full = np.concatenate([k[..., None], counts[..., :-1]], axis=-1)
            before = np.cumsum(full, axis=-1) - full
            counts = np.clip(pairs - before, 0, full)
        return counts

    np_out, np_s = time_host(numpy_hist, repeats=max(1, repeats // 2))

    # naive per-pair reference: one age per stored pair (array of size capacity), timed on 20 steps
    def per_pair(n_steps=20):
        rng = np.random.default_rng(1)
        ages = np.full(pairs, -1, np.int64)  # -1: empty slot
        for _ in range(n_steps):
            ages[ages >= 0] += 1
            k = rng.binomial(attempts, herald)
            oldest = np.argsort(np.where(ages >= 0, -ages, -(10**9)))[:k] if k else np.array([], int)
            ages[oldest] = 0  # replace the oldest (or empty) slots
        return ages

    _, pp_s = time_host(per_pair, repeats=1)
    pair_steps = float(held.sum())  # sum over steps, trials, links of pairs held
    return {
        "workload": f"{num_links} links x {pairs} pairs capacity x {steps} steps x {trials} trials",
        "attempts_per_step": attempts,
        "age_buckets": buckets,
        "mean_pairs_held_at_end": float(held[-1].mean()),
        "jaxqring_cold_s": timing.cold_s,
        "jaxqring_warm_median_s": timing.warm_median_s,
        "numpy_histogram_s": np_s,
        "ratio_numpy_histogram_over_jaxqring": np_s / timing.warm_median_s,
        "pair_steps_per_s_jaxqring": pair_steps / timing.warm_median_s,
        "naive_per_pair_numpy_s_per_step_per_link": pp_s / 20,
        "naive_per_pair_extrapolated_s": pp_s / 20 * steps * num_links * trials,
        "state_bytes": 4 * trials * num_links * buckets,
        "output_bytes": 4 * 2 * steps * trials * num_links,
        "peak_rss_gib": peak_rss_gib(),
        "numpy_final_mean_pairs": float(np_out.sum(-1).mean()),
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--sequence-python", default=None, help="python of an environment with SeQUeNCe installed")
    ap.add_argument("--sequence-leg", type=int, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.sequence_leg is not None:  # inside the SeQUeNCe interpreter
        cfg = dict(SBS)
        print(json.dumps(sequence_leg(args.sequence_leg, **cfg)))
        return 0

    sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))  # tests.helpers (chi-square)
    import jax

    jax.config.update("jax_enable_x64", True)
    if args.quick:
        scale = supply_at_scale(num_links=8, pairs=10**4, steps=100, trials=2, repeats=3)
    else:
        scale = supply_at_scale(num_links=64, pairs=10**6, steps=1000, trials=1, repeats=3)
    sbs = side_by_side(10**4, args.sequence_python)
    doc = {
        "machine": f"{platform.machine()} CPU, {__import__('os').cpu_count()} cores (shared); jax {jax.__version__}",
        "mode": "quick" if args.quick else "full",
        "supply_at_scale": scale,
        "sequence_side_by_side": sbs,
    }
    from _harness import write_json

    write_json(RESULTS, doc)
    print(json.dumps(doc, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
