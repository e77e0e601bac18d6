"""Stream a GHZ aggregation of P = 10^8 coordinates through one machine (issue 13, part 2).

Workload: N = 16 nodes, b = 8 bits, M = 1 shot per round, float32 gradients of shape (N, P),
noiseless closed-form law, ``keep_rounds=False`` (the per-round statistics of 10^8 coordinates
would take 13 GB), ``max_batch`` chosen automatically from the free memory (printed). The input
alone is N P 4 bytes (6.4 GB at P = 10^8); without streaming the quantised words, their
transpose and the per-coordinate intermediates would need several times that. The numpy input
stays in host memory and is fed to the device chunk by chunk (``ghz_allreduce``'s host path).

Reference measured in the same run: the classical result, numpy's integer sum of the same
quantised values, computed chunk by chunk (the noiseless estimate must equal it exactly), and
its wall time. Peak RSS of the process is reported (it includes the input).

Usage: python benchmarks/bench_streaming.py [--coords P] [--max-batch C] [--out FILE]
Writes benchmarks/results/streaming.json by default.
"""

from __future__ import annotations

import argparse
import pathlib
import platform
import time

import jax

# x64 lets the quantiser divide in float64 (XLA's float32 division is not correctly rounded at
# exact ties), so the estimate can be compared with numpy's float64 quantisation bit for bit;
# the gradients themselves stay float32.
jax.config.update("jax_enable_x64", True)

import numpy as np  # noqa: E402

from _harness import peak_rss_gib, write_json  # noqa: E402
from jaxqring._timing import device_report  # noqa: E402
import jaxqring as jq  # noqa: E402
from jaxqring._checks import available_memory_bytes, coordinate_chunk  # noqa: E402
from jaxqring._kitaev import estimation_bytes_per_coord  # noqa: E402

RESULTS = pathlib.Path(__file__).parent / "results" / "streaming.json"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--coords", type=int, default=10**8, help="P (default 10^8)")
    ap.add_argument("--max-batch", type=int, default=None, help="coordinates per chunk (default: auto)")
    ap.add_argument("--out", default=str(RESULTS), help="JSON file (default benchmarks/results/streaming.json)")
    args = ap.parse_args()
    n, bits, p = 16, 8, args.coords
    chunk = coordinate_chunk(args.max_batch, num_coords=p,
                             bytes_per_coord=estimation_bytes_per_coord(n, bits, "closed_form", encode=True))
    print(f"P = {p:.3g}, N = {n}, b = {bits}; free memory {available_memory_bytes() / 2**30:.1f} GiB; "
          f"chunk = {chunk} coordinates", flush=True)
    t0 = time.perf_counter()
    # Host-side generation in slices: one (N, P) float32 buffer, no temporaries of its size.
    rng = np.random.default_rng(1)
    grads = np.empty((n, p), np.float32)
    for s in range(0, p, 10**7):
        block = grads[:, s:s + 10**7]
        block[...] = rng.standard_normal(block.shape, dtype=np.float32)
        block *= np.float32(0.3)
    t_gen = time.perf_counter() - t0
    rss_input = peak_rss_gib()

    def run(i):
        res = jq.ghz_allreduce(jax.random.key(i), grads, bits=bits, clip=1.0, shots_per_round=1,
                               keep_rounds=False, max_batch=chunk)
        return jax.block_until_ready(res.int_sum)

    # One run, compilation included (seconds, against minutes of streaming at P = 10^8).
    t0 = time.perf_counter()
    est = run(0)
    warm = time.perf_counter() - t0
    rss_run = peak_rss_gib()

    # Classical reference: the exact integer sum of the same quantised values, chunk by chunk.
    fmt = jq.fixed_point(bits, 1.0, n)
    est_np = np.asarray(est)
    t0 = time.perf_counter()
    exact, step = 0, 10**7
    for s in range(0, p, step):
        g = grads[:, s:s + step].astype(np.float64)
        q = np.clip(np.rint(np.clip(g, -1.0, 1.0) / fmt.delta), -fmt.q_max, fmt.q_max).astype(np.int64)
        exact += int(np.count_nonzero(q.sum(axis=0) == est_np[s:s + step]))
    t_np = time.perf_counter() - t0
    doc = {
        "name": f"bench_streaming_ghz_allreduce_N{n}_b{bits}_P{p}_M1",
        "machine": f"{platform.machine()} {platform.processor() or ''}".strip(),
        "jax": jax.__version__, **device_report(),
        "num_nodes": n, "bits": bits, "num_coords": p, "chunk": chunk, "keep_rounds": False,
        "input_gib": n * p * 4 / 2**30, "generate_s": t_gen,
        "wall_s_compile_included": warm, "coordinates_per_s": p / warm,
        "peak_rss_after_input_gib": rss_input, "peak_rss_gib": rss_run,
        "exact_fraction": exact / p,
        "numpy_reference_s": t_np, "ratio_over_numpy_reference": warm / t_np,
    }
    print(doc, flush=True)
    write_json(args.out, doc)


if __name__ == "__main__":
    main()
