"""Numpy reference ring all-reduce (SPEC §1) and superdense bit stream (SPEC C7, §2).

Independent of jaxqring: a per-node Python loop per round over ``array_split`` chunks, words
mod 2**b, scatter-reduce then all-gather (clockwise, or counter-clockwise gather, SPEC [1.6]).
A ``channel`` callable may corrupt every message on the wire (deterministic Pauli flips for
exact noisy tests, or sampled symbol errors for benchmarks).
"""

import math

import numpy as np

from .quantiser import decode_signed, to_words


def chunk_bounds(n, p):
    """(N + 1,) chunk boundaries of ``np.array_split(range(P), N)`` (first P mod N chunks longer)."""
    sizes = [len(c) for c in np.array_split(np.arange(p), n)]
    return np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)


def ring_words(words, bits, *, gather="cw", channel=None):
    """All-reduce (N, P) uint32 words mod 2**b IN PLACE; returns ``words``.

    Round r of the scatter-reduce: node j sends chunk (j - r) mod N to j + 1, which adds it.
    All-gather clockwise: node j sends chunk (j + 1 - r) mod N to j + 1, which overwrites;
    counter-clockwise: node j sends chunk (j + 1 + r) mod N to j - 1.
    """
    n, p = words.shape
    bounds = chunk_bounds(n, p)
    mask = np.uint32((1 << bits) - 1)
    for phase in ("scatter", "gather"):
        for r in range(n - 1):
            msgs = []
            for j in range(n):
                if phase == "scatter":
                    c, dst = (j - r) % n, (j + 1) % n
                elif gather == "cw":
                    c, dst = (j + 1 - r) % n, (j + 1) % n
                else:
                    c, dst = (j + 1 + r) % n, (j - 1) % n
                msg = words[j, bounds[c] : bounds[c + 1]].copy()
                if channel is not None and msg.size:
                    msg = channel(msg)
                msgs.append((dst, c, msg))
            for dst, c, msg in msgs:  # all sends of a round happen before any receive
                view = words[dst, bounds[c] : bounds[c + 1]]
                if phase == "scatter":
                    view += msg
                    view &= mask
                else:
                    view[...] = msg
    return words


def ring_allreduce(q, bits, *, gather="cw", channel=None):
    """(N, P) signed integers -> (N, P) int32 decoded sums held by every node after the ring."""
    return decode_signed(ring_words(to_words(q, bits), bits, gather=gather, channel=channel), bits)


# ---- superdense bit stream (SPEC C7, §2) -----------------------------------------------------------


def symbol_stream(words, bits):
    """Words MSB first, concatenated, padded with one 0 to even length, paired into 2z + x symbols."""
    stream = [(int(w) >> (bits - 1 - i)) & 1 for w in words for i in range(bits)]
    if len(stream) % 2:
        stream.append(0)
    return np.array([2 * stream[2 * k] + stream[2 * k + 1] for k in range(len(stream) // 2)], np.uint8)


def words_from_symbols(symbols, bits, num_words):
    """Inverse of :func:`symbol_stream` (drops the padding bit)."""
    stream = [(int(s) >> (1 - i)) & 1 for s in symbols for i in range(2)]
    return np.array(
        [sum(stream[k * bits + i] << (bits - 1 - i) for i in range(bits)) for k in range(num_words)], np.uint32
    )


def flip_channel(bits, flip):
    """Message channel XOR-ing every symbol (z, x) with ``flip`` = (fz, fx): a Pauli error with p = 1."""
    fz, fx = flip

    def channel(msg):
        sym = symbol_stream(msg, bits) ^ np.uint8(2 * fz + fx)
        return words_from_symbols(sym, bits, len(msg))

    return channel


def sampled_symbol_channel(bits, cdf, rng):
    """Message channel drawing every symbol's decoded value from row ``cdf[symbol]`` (b even).

    ``cdf`` is (4, 3) float32: the cumulative confusion law without its last column (1).
    """
    if bits % 2:
        raise ValueError("sampled_symbol_channel needs an even word width (aligned symbols)")
    shifts = np.arange(bits - 2, -1, -2, dtype=np.uint32)

    def channel(msg):
        sym = (msg[:, None] >> shifts) & np.uint32(3)
        u = rng.random(sym.shape, dtype=np.float32)
        dec = (u[..., None] >= cdf[sym]).sum(axis=-1).astype(np.uint32)
        return np.bitwise_or.reduce(dec << shifts, axis=1)

    return channel


# ---- communication ledger (SPEC [1.2], [1.3], [2.6]) ---------------------------------------------


def ledger(n, p, bits, gather="cw"):
    """Per-link totals over the 2 (N - 1) rounds of the ring, from chunk sizes alone.

    Link j joins nodes j and j + 1. Scatter and clockwise gather: node j sends over link j;
    counter-clockwise gather: node j sends chunk (j + 1 + r) mod N to j - 1, over link j - 1.
    Returns a dict of (N,) int64 arrays indexed by link: classical bits, superdense online qubits
    (ceil(B/2) per B-bit message), superdense set-up qubits (as many: one EPR half each) and
    superdense qubit lifetime (online + set-up).
    """
    sizes = np.diff(chunk_bounds(n, p))
    out = {k: np.zeros(n, np.int64) for k in ("classical_bits", "online_qubits", "setup_qubits")}
    for j in range(n):
        for r in range(n - 1):
            if gather == "cw":
                gathered = ((j + 1 - r) % n, j)
            else:
                gathered = ((j + 1 + r) % n, (j - 1) % n)
            for c, link in (((j - r) % n, j), gathered):
                b_msg = bits * int(sizes[c])
                out["classical_bits"][link] += b_msg
                out["online_qubits"][link] += math.ceil(b_msg / 2)
                out["setup_qubits"][link] += math.ceil(b_msg / 2)
    out["lifetime_qubits"] = out["online_qubits"] + out["setup_qubits"]
    return out
