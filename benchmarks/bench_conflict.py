"""Benchmark gradient-conflict detection (GapIP, TieAudit) and measure the quantum/classical crossovers.

Workloads:
  * bench_gapip_register_n<n>_t<t>: the full-register engine (2**n amplitudes, 2**t - 1
    applications of G as rank-one reflections per run), one run, vs a plain numpy O(D)
    implementation of the same reflections (issue: >= 5x faster at n = 20, t = 10);
  * bench_gapip_law_P<P>: the exact-law engine on two float32 unit vectors of P = 10**8
    coordinates (O(P) overlap, then O(2**t)), tau = 0.1, delta = 0.01;
  * bench_jl_rademacher_P<P>_d<d>: the streaming JL sketch of two vectors (the d x P matrix,
    4 d P bytes as float32, is never held; peak RSS is reported right after it); the Gaussian
    sketch at a smaller P gives its rate (threefry normals dominate);
  * bench_tieaudit_fast_P<P>: TieAudit's exact fast sampler at P = 10**9 (adjacent matching);
  * crossover curves: measured least communication vs the worst-case rules, GapIP against the
    JL sketch along tau (P = 10**6) and TieAudit against birthday sampling along P, with tau*
    and P*; and the decision on real gradients of two workers trained on label-skewed shards.

Timings are ``jax.block_until_ready`` wall times (cold = with compilation, warm = median).
Every ratio is measured in this run. ``--quick`` shrinks every size. Writes
benchmarks/results/conflict.json.

Usage: python benchmarks/bench_conflict.py [--quick] [--only jl,register,law,tieaudit,crossover,gradients]
"""

from __future__ import annotations

import argparse
import json
import math
import pathlib
import platform
import time

import jax

jax.config.update("jax_enable_x64", True)

import jax.numpy as jnp
import numpy as np
from _harness import peak_rss_gib, time_host, time_jax, write_json
from jaxqring.kernels.estimation import grover

import jaxqring as jq
import jaxqring.conflict as jc

OUT = pathlib.Path(__file__).parent / "results" / "conflict.json"


def unit_pair(rng, p, c, dtype=np.float64):
    """Two unit vectors with overlap ~c (float64 maths, cast at the end)."""
    a = rng.standard_normal(p)
    a /= np.linalg.norm(a)
    w = rng.standard_normal(p)
    w -= (a @ w) * a
    w /= np.linalg.norm(w)
    b = c * a + math.sqrt(1 - c * c) * w
    a, b = a.astype(dtype), b.astype(dtype)
    return a / np.linalg.norm(a.astype(np.float64)).astype(dtype), b / np.linalg.norm(b.astype(np.float64)).astype(dtype)


def numpy_register_run(u, v, t, seed):
    """Reference: the same iterative QPE run with the reflections in plain numpy, O(D) each.

    The register is kept as a real (2, D) block (real, imaginary parts), as in the JAX engine,
    so the reference does not pay for complex-real mixed products.
    """
    rng = np.random.default_rng(seed)
    psi = np.stack([v, np.zeros_like(v)])
    low = 0
    for r in range(t):
        g = psi.copy()
        for _ in range(2 ** (t - 1 - r)):
            g -= 2 * np.outer(g @ v, v)
            g -= 2 * np.outer(g @ u, u)
        w = -2 * np.pi * low / 2 ** (r + 1)
        rot = np.stack([math.cos(w) * g[0] - math.sin(w) * g[1], math.sin(w) * g[0] + math.cos(w) * g[1]])
        zero = (psi + rot) / 2
        p0 = float(np.sum(zero * zero))
        bit = int(rng.random() >= p0)
        psi = (zero if bit == 0 else (psi - rot) / 2) / math.sqrt(p0 if bit == 0 else 1 - p0)
        low += bit << r
    return low


def numpy_complex_reflections(u, v, t):
    """The plainest numpy form: a complex register, x - 2 v (v @ x) then x - 2 u (u @ x), applied
    2**t - 1 times (the G work of one run; the measurement steps are O(t D) and omitted)."""
    x = v.astype(complex)
    for _ in range(2**t - 1):
        x = x - 2 * v * (v @ x)
        x = x - 2 * u * (u @ x)
    return x


def bench_register(n, t, repeats):
    p = 2 ** (n - 1)  # n = ceil(log2 2P)
    a, b = unit_pair(np.random.default_rng(0), p, 0.3)
    u, v = jc.augment(jnp.asarray(a), n), jc.augment(jnp.asarray(b), n)
    run = jax.jit(lambda k: grover.sample_iterative_qpe(k, v.astype(jnp.complex128), grover.register_power(u, v), num_rounds=t)[0])
    tim = time_jax(lambda i: run(jax.random.key(i)), repeats)
    un, vn = np.asarray(u), np.asarray(v)
    _, ref = time_host(lambda: numpy_register_run(un, vn, t, 0), 1)
    _, ref_complex = time_host(lambda: numpy_complex_reflections(un, vn, t), 1)
    apps = 2**t - 1
    return {
        "name": f"bench_gapip_register_n{n}_t{t}",
        "amplitudes": 2**n, "applications_of_G": apps,
        "cold_s": tim.cold_s, "warm_median_s": tim.warm_median_s,
        "numpy_reference_s": ref, "speedup_vs_numpy": ref / tim.warm_median_s,
        "numpy_complex_reference_s": ref_complex, "speedup_vs_numpy_complex": ref_complex / tim.warm_median_s,
        "amplitude_updates_per_s": apps * 2**n / tim.warm_median_s,
    }


def bench_law(p, repeats):
    rng = np.random.default_rng(1)
    a = rng.standard_normal(p, dtype=np.float32)
    a /= np.float32(np.linalg.norm(a.astype(np.float64)))
    b = rng.standard_normal(p, dtype=np.float32)
    b /= np.float32(np.linalg.norm(b.astype(np.float64)))
    b = (np.float32(0.8) * b + np.float32(0.6) * a)  # overlap ~0.6, renormalised below
    b /= np.float32(np.linalg.norm(b.astype(np.float64)))
    ja, jb = jnp.asarray(a), jnp.asarray(b)
    tim = time_jax(lambda i: jc.gapip(jax.random.key(i), ja, jb, tau=0.1, delta=0.01).run_estimates, repeats)
    res = jc.gapip(jax.random.key(0), ja, jb, tau=0.1, delta=0.01)
    _, ref = time_host(lambda: float(a.astype(np.float64) @ b.astype(np.float64)), 1)
    return {
        "name": f"bench_gapip_law_P{p}", "cold_s": tim.cold_s, "warm_median_s": tim.warm_median_s,
        "numpy_float64_dot_s": ref, "ratio_to_numpy_dot": tim.warm_median_s / ref,
        "estimate": float(res.estimate), "overlap": float(a.astype(np.float64) @ b.astype(np.float64)),
        "aligned": bool(res.aligned), "qubits": res.num_qubits,
    }


def _timed_once(fn):
    """One call, compilation included (for workloads too long to repeat on a shared machine)."""
    t0 = time.perf_counter()
    out = jax.block_until_ready(fn(0))
    return out, time.perf_counter() - t0


def bench_jl(p, d, kind, repeats):
    a, b = unit_pair(np.random.default_rng(2), p, 0.2, np.float32)
    ja, jb = jnp.asarray(a), jnp.asarray(b)
    rss0 = peak_rss_gib()
    fn = lambda i: jc.jl_inner_product(jax.random.key(i), ja, jb, tau=0.1, delta=0.01, dim=d, kind=kind).estimate
    if repeats:
        tim = time_jax(fn, repeats)
        out, cold, warm = tim.out, tim.cold_s, tim.warm_median_s
    else:
        out, cold = _timed_once(fn)
        warm = float("nan")
    return {
        "name": f"bench_jl_{kind}_P{p}_d{d}", "cold_s": cold, "warm_median_s": warm,
        "matrix_entries_per_s": d * p / (warm if repeats else cold),
        "dense_matrix_gib_float32": 4 * d * p / 2**30,
        "peak_rss_gib_before": rss0, "peak_rss_gib_after": peak_rss_gib(),
        "estimate": float(out), "overlap": float(a.astype(np.float64) @ b.astype(np.float64)),
    }


def bench_tieaudit(p, repeats):
    rng = np.random.default_rng(3)
    signs = np.where(rng.random(p, dtype=np.float32) < 0.3, -1, 1).astype(np.int8)
    x = signs < 0
    f = float(np.mean(x[0::2] != x[1::2]))
    tim = time_jax(lambda i: jc.tieaudit(jax.random.key(i), signs, "adjacent", eps=0.1, delta=0.01).estimate, repeats)
    return {"name": f"bench_tieaudit_fast_P{p}", "cold_s": tim.cold_s, "warm_median_s": tim.warm_median_s,
            "f": f, "estimate": float(tim.out), "qubits": jc.tieaudit_cost(p, jc.tieaudit_copies(0.1, 0.01)).online_qubits}


def real_gradients(quick):
    """Per-worker gradients of the package's MLP, two workers on label-skewed shards."""
    cfg = jq.TrainConfig(aggregator="mean", num_workers=2, steps=20 if quick else 100, sharding="label_skew", seed=0)
    res = jq.train(cfg)
    shards, _ = jq.load_digits_shards(2, sharding="label_skew", seed=0)
    params = jax.tree_util.tree_map(jnp.asarray, res.params)
    grads = []
    for w in range(2):
        g = jax.grad(jq.cross_entropy)(params, jnp.asarray(shards.x[w]), jnp.asarray(shards.y[w]))
        flat = np.concatenate([np.ravel(np.asarray(x, np.float64)) for x in jax.tree_util.tree_leaves(g)])
        grads.append(flat / np.linalg.norm(flat))
    return grads


def gradient_case(quick, delta=0.01):
    g_j, g_k = real_gradients(quick)
    p = g_j.size - g_j.size % 2
    c = float(g_j @ g_k)
    tau = max(min(abs(c), 1.0), 1e-3)  # the promise holds with equality
    key = jax.random.key(5)
    q = jc.gapip(key, g_j, g_k, tau=tau, delta=delta)
    cl = jc.jl_inner_product(key, g_j, g_k, tau=tau, delta=delta, kind="rademacher")
    # TieAudit on the same gradients: the client (worker k) pairs its coordinates of nearest
    # value (consecutive in sorted order); the server's signs are worker j's.
    order = np.argsort(g_k[:p], kind="stable")
    matching = order.reshape(-1, 2).astype(np.int32)
    x = g_j[:p] < 0
    f = float(np.mean(x[matching[:, 0]] != x[matching[:, 1]]))
    ta = jc.tieaudit(key, g_j[:p], matching, eps=0.1, delta=delta)
    bd = jc.birthday_audit(key, g_j[:p], matching, eps=0.1, delta=delta)
    return {
        "num_params": int(g_j.size), "overlap": c, "tau": tau,
        "gapip": {"aligned": bool(q.aligned), "estimate": float(q.estimate), "qubits": q.num_qubits},
        "jl": {"aligned": bool(cl.aligned), "estimate": float(cl.estimate), "bits": cl.cost.bits_sent, "sent_vector": cl.sent_vector},
        "tieaudit": {"f": f, "estimate": float(ta.estimate), "qubits": ta.cost.online_qubits},
        "birthday": {"estimate": float(bd.estimate), "covered": bd.num_covered, "bits": bd.cost.bits_sent},
    }


def plot(gap, tie, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(1, 2, figsize=(11, 4))
    taus = gap["grid"]
    pts = gap["points"]
    ax[0].loglog(taus, [p["rule_qubits"] for p in pts], "b--", label="GapIP qubits, SPEC rule")
    ax[0].loglog(taus, [p["empirical_qubits"] for p in pts], "b-o", label="GapIP qubits, measured")
    ax[0].loglog(taus, [p["rule_bits"] for p in pts], "r--", label="JL bits, SPEC rule")
    ax[0].loglog(taus, [p["empirical_bits"] for p in pts], "r-s", label="JL bits, measured")
    ax[0].set_xlabel("margin tau")
    ax[0].set_ylabel("communication")
    ax[0].set_title(f"GapIP vs JL, P = {pts[0]['num_coords']:.0e}, delta = {pts[0]['delta']}")
    ax[0].legend(fontsize=7)
    ps = tie["grid"]
    pts = tie["points"]
    ax[1].loglog(ps, [p["rule_qubits"] for p in pts], "b--", label="TieAudit qubits, SPEC rule")
    ax[1].loglog(ps, [p["empirical_qubits"] for p in pts], "b-o", label="TieAudit qubits, measured")
    ax[1].loglog(ps, [p["rule_bits"] for p in pts], "r--", label="birthday bits, SPEC rule")
    ax[1].loglog(ps, [p["empirical_bits"] for p in pts], "r-s", label="birthday bits, measured")
    ax[1].set_xlabel("coordinates P")
    ax[1].set_title(f"TieAudit vs birthday, eps = {pts[0]['eps']}, delta = {pts[0]['delta']}")
    ax[1].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--jl-coords", type=int, default=10**7, help="P of the Rademacher JL workload (full mode)")
    ap.add_argument("--only", default="", help="comma-separated sections: jl,register,law,tieaudit,crossover,gradients")
    args = ap.parse_args()
    quick = args.quick
    doc = {
        "machine": f"{platform.processor() or platform.machine()}, {jax.devices()[0].platform}, 2-core CPU (shared)",
        "quick": quick, "jax": jax.__version__, "results": [],
    }
    t0 = time.perf_counter()
    only = set(args.only.split(",")) if args.only else None
    if only and OUT.exists():  # refresh some sections of an earlier full run
        old = json.loads(OUT.read_text())
        if old.get("quick") == quick:
            doc = {**old, "machine": doc["machine"], "jax": doc["jax"]}

    def want(name):
        return only is None or name in only

    def put(entry):
        doc["results"] = [r for r in doc["results"] if r["name"] != entry["name"]] + [entry]

    # Order: the streaming JL sketch first, so that its peak RSS is not the big arrays'.
    if want("jl"):
        put(bench_jl(10**5 if quick else args.jl_coords, 2568, "rademacher", 0))
        put(bench_jl(10**4 if quick else 10**5, 2568, "gaussian", 0))
    if want("register"):
        put(bench_register(14 if quick else 20, 8 if quick else 10, 1))
    if want("law"):
        put(bench_law(10**6 if quick else 10**8, 2))
    if want("tieaudit"):
        put(bench_tieaudit(10**7 if quick else 10**9, 2))
    key = jax.random.key(0)
    trials = 500 if quick else 4000
    if want("crossover"):
        taus = [0.5, 0.3, 0.1, 0.03] if quick else [0.7, 0.5, 0.3, 0.2, 0.1, 0.07, 0.05, 0.03, 0.02, 0.01]
        gap = jc.gapip_crossover(key, taus=taus, delta=0.01, num_coords=10**6, num_trials=trials, num_instances=8).as_dict()
        grid = [2**k for k in ([8, 14, 20] if quick else [8, 10, 12, 14, 16, 18, 20, 22, 24])]
        tie = jc.tieaudit_crossover(key, num_coords=grid, eps=0.1, delta=0.01, num_trials=trials, num_instances=4).as_dict()
        doc["gapip_crossover"] = gap
        doc["tieaudit_crossover"] = tie
        fig = OUT.with_name("conflict_crossover.png")
        plot(gap, tie, fig)
        doc["figure"] = fig.name
    if want("gradients"):
        doc["real_gradients"] = gradient_case(quick)
    doc["total_s_last_invocation"] = time.perf_counter() - t0
    doc["peak_rss_gib_last_invocation"] = peak_rss_gib()
    write_json(OUT, doc)
    for r in doc["results"]:
        print({k: (round(v, 4) if isinstance(v, float) else v) for k, v in r.items()})
    if "gapip_crossover" in doc:
        gap, tie = doc["gapip_crossover"], doc["tieaudit_crossover"]
        print("tau* rule", gap["rule"], "measured", gap["empirical"], "| P* rule", tie["rule"], "measured", tie["empirical"])
    print("real gradients", doc.get("real_gradients"))


if __name__ == "__main__":
    main()
