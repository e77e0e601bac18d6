"""Benchmark the ring all-reduce against a plain numpy ring of the same schedule.

Workloads (full): N = 64 nodes, P = 10^7 coordinates, b = 16 bits, classical and noiseless
superdense ring, vectorised on one device and sharded over 2 host devices (shard_map +
ppermute); the noisy superdense ring (Werner F = 0.99, one categorical draw per symbol) at
P = 10^6. ``--quick`` divides P by 100.

Reports cold (first call, with compilation) and median warm wall time of
``jaxqring.ring_allreduce`` (``jax.block_until_ready`` on the result), the median time of the
numpy ring (same quantiser, chunks, rounds and decode; Python loop over nodes per round, vectorised
over each chunk) measured in the same run, their ratio, a rate in word-updates/s
(2 (N - 1) P / time) and the peak resident memory of the process. Writes
``benchmarks/results/ring.json``.

Usage: python benchmarks/bench_ring.py [--quick]
"""

from __future__ import annotations

import os

os.environ.setdefault("XLA_FLAGS", "")
if "xla_force_host_platform_device_count" not in os.environ["XLA_FLAGS"]:
    os.environ["XLA_FLAGS"] += " --xla_force_host_platform_device_count=2"

import argparse  # noqa: E402
import functools  # noqa: E402
import gc  # noqa: E402
import json  # noqa: E402
import pathlib  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import jax  # noqa: E402
import numpy as np  # noqa: E402
from jax.sharding import Mesh  # noqa: E402

from _harness import peak_rss_gib, time_jax, write_json  # noqa: E402
import jaxqring as jq  # noqa: E402
from jaxqring.kernels.comm.fixedpoint import quantise, to_words  # noqa: E402

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))  # the shared numpy oracles
from tests.oracles.quantiser import decode_signed, quantise_words  # noqa: E402
from tests.oracles.ring import ring_words, sampled_symbol_channel  # noqa: E402

RESULTS = pathlib.Path(__file__).parent / "results" / "ring.json"


# ---- timing ---------------------------------------------------------------------------------------


@functools.partial(jax.jit, static_argnames="fmt")
def _xla_words(g, fmt):
    return to_words(quantise(g, fmt), fmt)


def bench_case(name, g, *, bits, repeats_jax, repeats_np, check_exact, cdf=None, **kw):
    """Time ring_allreduce, and (repeats_np > 0) the numpy quantiser + numpy ring.

    The numpy ring runs on the words of jaxqring's quantiser, so its output must equal the
    JAX ring's exactly; the numpy quantiser is timed separately and its disagreements with
    XLA's (float32 division is not correctly rounded there: exact ties) are counted.
    """
    n, p = g.shape
    fmt = jq.fixed_point(bits, 1.0, n)
    res, cold, warm, warm_all = time_jax(lambda _: jq.ring_allreduce(g, bits=bits, **kw), repeats_jax)
    led = res.ledger
    sums = np.asarray(res.sum)
    entry = {
        "name": name, "num_nodes": n, "num_coords": p, "bits": bits, "scheme": led.scheme,
        "cold_s": cold, "warm_median_s": warm, "warm_all_s": warm_all,
        "word_updates_per_s": 2 * (n - 1) * p / warm,
        "online_per_link_max": int(led.online_per_link.max()),
        "setup_per_link_max": int(led.setup_per_link.max()),
        "rounds": led.num_rounds,
    }
    if repeats_np:
        g_np = np.asarray(g)
        t_q, t_r, ref = [], [], None
        for _ in range(repeats_np):
            del ref
            gc.collect()
            t0 = time.perf_counter()
            words_np, _ = quantise_words(g_np, bits, fmt.clip, dtype=g_np.dtype)
            t_q.append(time.perf_counter() - t0)
            words = np.array(_xla_words(g, fmt))
            mismatched = int(np.count_nonzero(words_np != words))
            del words_np
            t0 = time.perf_counter()
            channel = None if cdf is None else sampled_symbol_channel(bits, cdf, np.random.default_rng(0))
            ref = decode_signed(ring_words(words, bits, channel=channel), bits)
            t_r.append(time.perf_counter() - t0)
        t_np = statistics.median(t_q) + statistics.median(t_r)
        entry.update({
            "numpy_quantise_median_s": statistics.median(t_q), "numpy_ring_median_s": statistics.median(t_r),
            "numpy_total_s": t_np, "ratio_numpy_over_jax": t_np / warm,
            "numpy_vs_xla_quantiser_mismatches": mismatched,
        })
        if check_exact:
            entry["equals_numpy_ring"] = bool(np.array_equal(sums, ref))
    else:
        ref = None
    if not check_exact:  # noisy: fraction of coordinates still exact (the random streams differ)
        q = np.asarray(jq.ring_allreduce(g, bits=bits).sum)[0]
        entry["fraction_exact_jax"] = float(np.mean(sums == q[None, :]))
        if ref is not None:
            entry["fraction_exact_numpy"] = float(np.mean(ref == q[None, :]))
    del res, sums, ref
    gc.collect()
    entry["peak_rss_gib_so_far"] = peak_rss_gib()
    print(json.dumps({k: v for k, v in entry.items() if not k.endswith("all_s")}), flush=True)
    return entry


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="P / 100 (fast smoke run)")
    args = ap.parse_args()
    n, bits = 64, 16
    p = 10**5 if args.quick else 10**7
    p_noisy = 10**4 if args.quick else 10**6
    fidelity = 0.99
    rng = np.random.default_rng(0)
    x = rng.standard_normal((n, p), dtype=np.float32)
    x *= 0.3
    g = jax.numpy.asarray(x)
    del x
    gc.collect()
    entries = []
    tag = f"N{n}_P{p}_b{bits}"
    entries.append(bench_case(f"bench_ring_classical_{tag}", g, bits=bits, repeats_jax=5, repeats_np=2,
                              check_exact=True))
    entries.append(bench_case(f"bench_ring_superdense_F1_{tag}", g, bits=bits, repeats_jax=3, repeats_np=0,
                              check_exact=True, scheme="superdense"))
    mesh = Mesh(np.array(jax.devices()[:2]), ("nodes",))
    entries.append(bench_case(f"bench_ring_classical_sharded2_{tag}", g, bits=bits, repeats_jax=3, repeats_np=0,
                              check_exact=True, mesh=mesh))
    del g
    gc.collect()
    g = jax.numpy.asarray(0.3 * rng.standard_normal((n, p_noisy), dtype=np.float32))
    cdf = np.asarray(jq.kernels.decode_thresholds(jq.werner(fidelity).confusion()))
    entries.append(bench_case(f"bench_ring_superdense_F{fidelity}_N{n}_P{p_noisy}_b{bits}", g, bits=bits,
                              repeats_jax=2, repeats_np=1, check_exact=False, cdf=cdf,
                              scheme="superdense", epr=jq.werner(fidelity), key=jax.random.key(1)))
    write_json(RESULTS, {
        "mode": "quick" if args.quick else "full",
        "machine": {"platform": platform.platform(), "cpus": os.cpu_count(), "jax": jax.__version__,
                    "devices": [str(d) for d in jax.devices()]},
        "peak_rss_gib": peak_rss_gib(),
        "results": entries,
    })
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
