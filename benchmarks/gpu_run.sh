#!/usr/bin/env bash
# The GPU benchmarks of issue 13 (item 7) in one short run, for a machine lent for minutes.
#
# Runs, in this order, each under its own time limit (results are written after every cell or
# size, so a stage stopped at its limit keeps what it measured):
#   1. a smoke test (import, devices, one small cell of each workload);
#   2. `jaxqring bench` on the full grid (W1-W4, jaxqring only: the peers are CPU simulators);
#   3. benchmarks/bench_capacity.py: the largest N and P per workload, site-samples per second;
#   4. benchmarks/bench_streaming.py: the P = 10^8 GHZ aggregation (N = 16, b = 8);
#   5. benchmarks/bench_sampler_unroll.py: the sampler's inner-scan unroll, 1 against the default.
# Output goes to $OUT (or ./gpu_out): bench/bench.json|md|png, capacity.json, streaming.json,
# sampler_unroll.json, env.txt and log.txt (8 files). Copy them to benchmarks/results/gpu/.
# Stage limits add up to 10 minutes (a pass on an H200 took 455 s): with a machine's start, one call
# fits a 15-minute lease.
#
# Works without installing the package (the machine may have no package index): the checkout
# is put on PYTHONPATH, with jaxqring/kernels linked to kernels/ as the installed layout has it.
# It uses the machine's own jax/jaxlib (with its CUDA plugin), numpy, scipy, optax, matplotlib.
#
# Usage: bash benchmarks/gpu_run.sh   (time limits: STAGE_BENCH_S, STAGE_CAPACITY_S, STAGE_STREAM_S, STAGE_UNROLL_S)
# A follow-up run picks stages and passes arguments on (the smoke test always runs), e.g.
#   STAGES=3,5 STAGE_CAPACITY_S=330 CAPACITY_ARGS="--start W1=262144,W2=32000000" \
#   UNROLL_ARGS="--cells W1-mpo" bash benchmarks/gpu_run.sh
set -u
OUT=${OUT:-$PWD/gpu_out}
mkdir -p "$OUT/bench"
export PYTHONUNBUFFERED=1
PY=${PYTHON:-python3}
[ -e jaxqring/kernels ] || ln -s ../kernels jaxqring/kernels
export PYTHONPATH=$PWD${PYTHONPATH:+:$PYTHONPATH}
# Let one process use nearly all of the card (JAX's default preallocation takes 75%).
export XLA_PYTHON_CLIENT_MEM_FRACTION=${XLA_PYTHON_CLIENT_MEM_FRACTION:-0.92}
exec > >(tee -a "$OUT/log.txt") 2>&1

{
  date -u
  nvidia-smi --query-gpu=name,memory.total,driver_version,clocks.max.sm --format=csv 2>&1
  nproc
  free -g | head -2
  $PY -c "import sys, jax, jaxlib, numpy; print(sys.version); print('jax', jax.__version__, 'jaxlib', jaxlib.__version__, 'numpy', numpy.__version__); print(jax.devices())"
} > "$OUT/env.txt" 2>&1
cat "$OUT/env.txt"

echo "== 1. smoke"
timeout 60 $PY -c "
from jaxqring.bench._cells import jaxqring_cell
from jaxqring._timing import device_report
for w, s in [('W1', 64), ('W2', 100), ('W3', 8), ('W4', 10)]:
    r = jaxqring_cell(w, s, 0)
    print(w, s, r['seconds'], r['ok'])
    assert r['ok'], r
print(device_report())
" || { echo "smoke test failed: stopping"; exit 3; }

STAGES=${STAGES:-2,3,4,5}
stage() { [[ ",$STAGES," == *",$1,"* ]]; }

if stage 2; then
  echo "== 2. jaxqring bench (full grid)"
  timeout "${STAGE_BENCH_S:-250}" $PY -m jaxqring bench --out "$OUT/bench" --cap 60
  echo "bench exit $?"
  # A stage stopped at its limit can leave a spawned cell holding the card: end it first.
  pkill -f multiprocessing.spawn 2>/dev/null; sleep 1
fi

if stage 3; then
  echo "== 3. capacity"
  # shellcheck disable=SC2086  # CAPACITY_ARGS is a list of arguments
  timeout "${STAGE_CAPACITY_S:-120}" $PY benchmarks/bench_capacity.py --budget-s $(( ${STAGE_CAPACITY_S:-120} - 25 )) \
    --cap-s 20 --out "$OUT/capacity.json" ${CAPACITY_ARGS:-}
  echo "capacity exit $?"
fi

if stage 4; then
  echo "== 4. streaming P = 10^8"
  timeout "${STAGE_STREAM_S:-110}" $PY benchmarks/bench_streaming.py --out "$OUT/streaming.json"
  echo "streaming exit $?"
fi

if stage 5; then
  echo "== 5. sampler unroll"
  # shellcheck disable=SC2086
  timeout "${STAGE_UNROLL_S:-60}" $PY benchmarks/bench_sampler_unroll.py --unrolls 1,4 --out "$OUT/sampler_unroll.json" \
    ${UNROLL_ARGS:-}
  echo "unroll exit $?"
fi
date -u
