"""Benchmark + study: Fisher information under noise (SPEC §5, §6).

Run: ``python benchmarks/bench_fisher.py [--quick]``; writes ``benchmarks/results/fisher.json``.

Timings (cold = first call, compile included; warm = median of repeats, ``block_until_ready``):
* ``bench_ghz_qfi_mpo_10000sites_chi2_<channel>``: exact noisy-GHZ QFI from the density MPO
  (three log-space transfer sweeps), against a plain numpy loop of the same sweeps;
* ``bench_qfi_pure_10000sites_chi8``: pure-probe QFI 4 Var(H) through the MPO of H, against a
  plain numpy loop of the (uncentred) E0/E1/E2 sweep;
* ``bench_qfi_dense_sld_10sites``: the SLD formula on a 1024 x 1024 rho, against numpy/scipy
  (``scipy.linalg.eigh`` + the same vectorised sum).
* ``bench_noisy_sample_<N>sites_chi<D>_S<shots>``: exact MPO sampler vs Pauli-trajectory sampler
  (the same law, tested in tests/core/test_noise.py) on one noisy coordinate.
Ratios are reference_time / jaxqring_warm_time (> 1: jaxqring faster), measured in this run;
for the samplers, mpo_time / trajectory_time. ``--sections`` reruns a subset and merges.

Study (the issue's §4): QFI/N vs N under dephasing (GHZ, product, bound N eta^2/(1 - eta^2));
GHZ optimum N* from the MPO profile vs the closed form [5.10]; variationally optimised MPS
probes (optax) for the parity readout, (a) with X-parity readout (cannot beat GHZ: F_C <=
N^2 eta^(2N) for every probe) and (b) with optimised per-node readout axes (beats every GHZ size
beyond N*).
"""

from __future__ import annotations

import argparse
import json
import pathlib
import platform
import time

import jax

jax.config.update("jax_enable_x64", True)

import numpy as np  # noqa: E402
from scipy import linalg  # noqa: E402

from _harness import time_host, time_jax, write_json  # noqa: E402
import jaxqring as jq  # noqa: E402






# ------------------------------------------------------------------------------------------
# numpy references
# ------------------------------------------------------------------------------------------

KRAUS = {
    "dephasing": lambda p: [np.sqrt(1 - p) * np.eye(2), np.sqrt(p) * np.diag([1.0, -1.0])],
    "depolarizing": lambda p: [np.sqrt(1 - 3 * p / 4) * np.eye(2)]
    + [np.sqrt(p / 4) * m for m in (np.array([[0, 1], [1, 0]]), np.array([[0, -1j], [1j, 0]]), np.diag([1.0, -1.0]))],
    "amplitude_damping": lambda g: [np.diag([1, np.sqrt(1 - g)]), np.sqrt(g) * np.array([[0, 1], [0, 0]])],
}


def numpy_ghz_qfi(kind, p, n):
    """SPEC §6 bond-4 diagonal MPO, per-site loop with log renormalisation (numpy)."""
    ks = KRAUS[kind](p)
    blocks = []
    for a in (0, 1):
        for b in (0, 1):
            e = np.zeros((2, 2), complex)
            e[a, b] = 1
            blocks.append(sum(k @ e @ k.conj().T for k in ks))
    ops = {"a": np.diag([1.0, 0]), "d": np.diag([0, 1.0]), "c": np.array([[0, 0], [1.0, 0]])}
    logs = {}
    for name, op in ops.items():
        t = np.array([np.trace(op @ m) for m in blocks])
        v, lg = np.full(4, 0.5, complex), 0.0
        for _ in range(n):
            v = v * t
            s = np.max(np.abs(v))
            v, lg = v / s, lg + np.log(s)
        logs[name] = np.log(np.abs(v.sum())) + lg
    return n**2 * np.exp(2 * logs["c"] + np.log(4) - np.logaddexp(logs["a"], logs["d"]))


def numpy_pure_qfi(tensors, left, right):
    """E0/E1/E2 sweep of the MPO of H (unit weights), numpy loop over sites."""
    e0 = np.outer(left, left.conj())
    e1 = np.zeros_like(e0)
    e2 = np.zeros_like(e0)
    z = np.array([1.0, -1.0])
    for a in tensors:
        ti = lambda e: np.einsum("lm,ltr,mts->rs", e, a, a.conj(), optimize=True)  # noqa: E731
        tz = lambda e: np.einsum("lm,ltr,t,mts->rs", e, a, z, a.conj(), optimize=True)  # noqa: E731
        i0, z0 = ti(e0), tz(e0)
        e2 = ti(e2) + tz(e1) + 0.25 * i0
        e1 = ti(e1) + 0.5 * z0
        s = np.max(np.abs(i0))
        e0, e1, e2 = i0 / s, e1 / s, e2 / s
    close = lambda e: np.real(right @ e @ right.conj())  # noqa: E731
    nrm = close(e0)
    m1, m2 = close(e1) / nrm, close(e2) / nrm
    return 4 * (m2 - m1 * m1)


def numpy_sld(rho, w):
    n = len(w)
    idx = np.arange(2**n)
    h = sum(wj * (1 - 2 * ((idx >> (n - 1 - j)) & 1)) / 2 for j, wj in enumerate(w))
    drho = -1j * (h[:, None] * rho - rho * h[None, :])
    lam, v = linalg.eigh(rho)
    d = v.conj().T @ drho @ v
    s = lam[:, None] + lam[None, :]
    keep = s > 1e-12
    return float(np.sum(2 * np.abs(d[keep]) ** 2 / s[keep]))


# ------------------------------------------------------------------------------------------
# timings
# ------------------------------------------------------------------------------------------


def bench_ghz(n, repeats):
    out = {}
    closed = {
        "dephasing": lambda p: n**2 * (1 - 2 * p) ** (2 * n),
        "depolarizing": lambda p: n**2 * (1 - p) ** (2 * n) / ((1 - p / 2) ** n + (p / 2) ** n),
        "amplitude_damping": lambda g: 2 * n**2 * (1 - g) ** n / (1 + g**n + (1 - g) ** n),
    }
    ctors = {"dephasing": jq.dephasing, "depolarizing": jq.depolarizing, "amplitude_damping": jq.amplitude_damping}
    for kind, p in (("dephasing", 5e-5), ("depolarizing", 1e-4), ("amplitude_damping", 2e-4)):
        noise = ctors[kind](p)
        val, cold, warm, _ = time_jax(lambda _, noise=noise: jq.ghz_qfi(noise, n), repeats)
        ref_val, ref = time_host(lambda kind=kind, p=p: numpy_ghz_qfi(kind, p, n), 1)
        want = closed[kind](p)
        out[f"bench_ghz_qfi_mpo_{n}sites_chi2_{kind}"] = dict(
            n=n, p=p, cold_s=cold, warm_median_s=warm, numpy_reference_s=ref, ratio_numpy_over_jax=ref / warm,
            site_updates_per_s=3 * n / warm, qfi=float(val), closed_form=want,
            rel_err_vs_closed_form=abs(float(val) - want) / want,
            rel_err_numpy_reference=abs(ref_val - want) / want,
        )
    return out


def bench_pure(n, chi, repeats):
    mps = jq.random_mps(jax.random.key(0), n, chi)
    val, cold, warm, _ = time_jax(lambda _: jq.qfi_pure(mps), repeats)
    t, left, right = (np.asarray(x) for x in (mps.tensors, mps.left, mps.right))
    ref_val, ref = time_host(lambda: numpy_pure_qfi(t, left, right), 1)
    return {
        f"bench_qfi_pure_{n}sites_chi{chi}": dict(
            n=n, chi=chi, cold_s=cold, warm_median_s=warm, numpy_reference_s=ref, ratio_numpy_over_jax=ref / warm,
            site_updates_per_s=n / warm, qfi=float(val), numpy_qfi=ref_val,
            rel_diff_vs_numpy=abs(float(val) - ref_val) / float(val),
        )
    }


def bench_dense(n, repeats):
    rho = jq.density_matrix(jq.random_mps(jax.random.key(1), n, 2), np.linspace(0, 1, n), noise=jq.dephasing(0.05))
    rho_np = np.asarray(rho)
    w = np.ones(n)
    val, cold, warm, _ = time_jax(lambda _: jq.qfi_dense(rho), repeats)
    ref_val, ref = time_host(lambda: numpy_sld(rho_np, w), repeats)
    return {
        f"bench_qfi_dense_sld_{n}sites": dict(
            n=n, dim=2**n, cold_s=cold, warm_median_s=warm, numpy_scipy_reference_s=ref,
            ratio_numpy_over_jax=ref / warm, qfi=float(val), numpy_qfi=ref_val,
            rel_diff_vs_numpy=abs(float(val) - ref_val) / ref_val,
        )
    }


def bench_samplers(repeats):
    """Exact MPO sampler vs Pauli-trajectory sampler (same law) on one noisy coordinate."""
    out = {}
    noise = jq.compose(jq.depolarizing(0.01), jq.bit_flip(0.01, when="before"), jq.readout_error(0.01))
    cases = (("random", jq.random_mps(jax.random.key(2), 256, 8), 2_000),
             ("ghz", jq.ghz(1_000), 20_000))
    for name, mps, shots in cases:
        n, chi = mps.num_sites, mps.bond_dim
        ph = np.linspace(0, 1, n) / n
        row = dict(n=n, chi=chi, shots=shots)
        for method in ("mpo", "trajectory"):
            _, cold, warm, _ = time_jax(
                lambda _, method=method: jq.sample(jax.random.key(0), mps, ph, shots, method=method, noise=noise), repeats
            )
            row[f"{method}_cold_s"], row[f"{method}_warm_median_s"] = cold, warm
            row[f"{method}_shot_sites_per_s"] = shots * n / warm
        row["ratio_mpo_over_trajectory"] = row["mpo_warm_median_s"] / row["trajectory_warm_median_s"]
        out[f"bench_noisy_sample_{n}sites_chi{chi}_S{shots}"] = row
    return out


# ------------------------------------------------------------------------------------------
# study
# ------------------------------------------------------------------------------------------


def study_scaling(p, n_max):
    eta = 1 - 2 * p
    prof = np.asarray(jq.ghz_qfi_profile(jq.dephasing(p), n_max))
    ns = np.unique(np.round(np.logspace(0, np.log10(n_max), 40)).astype(int))
    # product state: QFI is additive over independent qubits; one dephased |+> pair from the
    # dense SLD oracle gives the per-qubit value
    per_qubit_product = float(jq.qfi_mixed(jq.product_plus(2), 0.3, noise=jq.dephasing(p))) / 2
    return dict(
        p=p, n=ns.tolist(), ghz_qfi_per_node=(prof[ns - 1] / ns).tolist(),
        product_qfi_per_node=per_qubit_product, product_closed_form=eta**2,
        bound_per_node=eta**2 / (1 - eta**2),
    )


def study_optimum(ps, n_max):
    rows = []
    for p in ps:
        prof = np.asarray(jq.ghz_qfi_profile(jq.dephasing(p), n_max))
        n_star, f_max = jq.ghz_optimal_size(p)
        rows.append(dict(p=p, argmax_mpo=int(np.argmax(prof)) + 1, closed_form=n_star,
                         f_max_mpo=float(prof.max()), f_max_closed_form=f_max,
                         x=1 / np.log(1 / (1 - 2 * p))))
    return rows


def _optimise(n, chi, p, steps, *, with_axes, seed):
    # the optimiser lives in the library (jq.metrology.optimise_parity_probe)
    init = jq.random_mps(jax.random.key(seed), n, chi)
    res = jq.metrology.optimise_parity_probe(init, jq.dephasing(p), steps=steps, learning_rate=0.03,
                                            with_axes=with_axes)
    trace = [float(v) for v in res.curve[::10]]
    axes = res.axes if with_axes else np.tile(np.array([1.0, 0.0, 0.2]), (n, 1))
    tilt = np.abs(axes[:, 2]) / np.linalg.norm(axes, axis=1)
    return res.best_cfi, trace, tilt


def study_variational(p, ns, chis, steps):
    eta = 1 - 2 * p
    n_star, f_star = jq.ghz_optimal_size(p)
    rows = []
    for n in ns:
        for chi in chis:
            t0 = time.perf_counter()
            fx, trace_x, _ = _optimise(n, chi, p, steps, with_axes=False, seed=n + chi)
            fa, trace_a, tilt = _optimise(n, chi, p, steps, with_axes=True, seed=n + chi)
            rows.append(dict(
                n=n, chi=chi, steps=steps, ghz_at_n=n**2 * eta ** (2 * n), ghz_best_size=n_star,
                ghz_best_value=f_star, bound=n * eta**2 / (1 - eta**2),
                x_parity_optimised=fx, axes_optimised=fa, trace_x_parity=trace_x, trace_axes=trace_a,
                axes_z_fraction=tilt.tolist(), seconds=time.perf_counter() - t0,
            ))
            print(f"  N={n:3d} chi={chi}: X-parity {fx:.4g} (GHZ(N) {n**2 * eta ** (2 * n):.4g}), "
                  f"axes {fa:.4g} (best GHZ {f_star:.4g}, bound {n * eta**2 / (1 - eta**2):.4g})", flush=True)
    return rows


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer repeats, smaller study")
    ap.add_argument(
        "--sections", default="timings,samplers,study",
        help="comma-separated subset of timings,samplers,study; results merge into the JSON file",
    )
    args = ap.parse_args(argv)
    sections = set(args.sections.split(","))
    repeats = 3 if args.quick else 7
    out = pathlib.Path(__file__).parent / "results" / "fisher.json"
    res = json.loads(out.read_text()) if out.exists() and sections != {"timings", "samplers", "study"} else {}
    res.update(jax_version=jax.__version__, device=str(jax.devices()[0]), platform=platform.platform(),
               x64=True, quick=args.quick)
    res.setdefault("benchmarks", {})
    res.setdefault("study", {})
    if "timings" in sections:
        print("timings ...", flush=True)
        res["benchmarks"].update(bench_ghz(10_000, repeats))
        res["benchmarks"].update(bench_pure(10_000, 8, repeats))
        res["benchmarks"].update(bench_dense(10, repeats))
        for k, v in res["benchmarks"].items():
            if "ratio_numpy_over_jax" in v:
                print(f"  {k}: cold {v['cold_s']:.3f}s warm {v['warm_median_s']:.4f}s "
                      f"ratio {v['ratio_numpy_over_jax']:.1f}", flush=True)
    if "samplers" in sections:
        print("samplers ...", flush=True)
        samp = bench_samplers(repeats)
        res["benchmarks"].update(samp)
        for k, v in samp.items():
            print(f"  {k}: mpo {v['mpo_warm_median_s']:.3f}s trajectory {v['trajectory_warm_median_s']:.3f}s "
                  f"ratio {v['ratio_mpo_over_trajectory']:.1f}", flush=True)
    if "study" in sections:
        print("study ...", flush=True)
        res["study"]["scaling"] = study_scaling(0.01, 2_000 if args.quick else 10_000)
        res["study"]["optimum"] = study_optimum([0.002, 0.007, 0.013, 0.03, 0.07], 2_000)
        if args.quick:
            res["study"]["variational"] = study_variational(0.06, [8, 16], [2, 4], 200)
        else:
            res["study"]["variational"] = study_variational(0.06, [8, 16, 32, 64], [2, 4, 8], 600)
    write_json(out, res)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
