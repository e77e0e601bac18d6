"""Sampled error laws of phase estimation with GHZ, product and Kitaev strategies (SPEC A6, [4.4]).

Jitted samplers behind :func:`jaxqring.studies.heisenberg_study`. Each samples exact laws: the
GHZ parity is a sufficient statistic of a copy, so M shots are one binomial draw.
"""

from __future__ import annotations

import functools
import math

import jax
import jax.numpy as jnp

from ..common import accumulation_dtype, default_complex_dtype
from ..mps.readout import ghz_parity_probability
from .kitaev import kitaev_estimate


@functools.partial(jax.jit, static_argnames=("copies", "repeats"))
def ghz_product_rmse(key, num_nodes, *, copies, repeats):
    """RMSE of theta_hat for GHZ and product probes at their working point Phi = pi/2.

    ``num_nodes`` is a traced (A,) int array, so one compilation serves every N.
    """
    acc = accumulation_dtype(default_complex_dtype())

    def one(k, n):
        kg, kp = jax.random.split(k)
        nf = n.astype(acc)
        # GHZ: theta = pi / (2N), one parity per copy, P(+1) = (1 + cos(N theta)) / 2 ([3.2]).
        theta_g = math.pi / (2 * nf)
        p_g = 1 - ghz_parity_probability(nf * theta_g)
        c = jax.random.binomial(kg, copies, p_g, (repeats,), acc)
        est_g = jnp.arccos(jnp.clip(2 * c / copies - 1, -1, 1)) / nf
        # Product |+>^N: N independent X outcomes per probe, each P(+1) = (1 + cos theta) / 2.
        theta_p = jnp.asarray(math.pi / 2, acc)
        c = jax.random.binomial(kp, nf * copies, (1 + jnp.cos(theta_p)) / 2, (repeats,), acc)
        est_p = jnp.arccos(jnp.clip(2 * c / (nf * copies) - 1, -1, 1))
        rmse = lambda e: jnp.sqrt(jnp.mean(e**2))  # noqa: E731
        return rmse(est_g - theta_g), rmse(est_p - theta_p)

    return jax.vmap(one)(jax.random.split(key, num_nodes.shape[0]), num_nodes)


@functools.partial(jax.jit, static_argnames=("max_rounds", "shots", "repeats"))
def kitaev_median_errors(key, rounds, *, max_rounds, shots, repeats):
    """Median |Phi_hat - Phi| (circular) of t-round Kitaev estimation, Phi uniform per repeat.

    ``rounds`` is a traced (B,) int array of t <= ``max_rounds``, so one compilation serves
    every t: LSB-first estimation of Phi with t rounds is exactly the first t rounds of a
    ``max_rounds``-round run on Phi * 2**(t - max_rounds) (round r < t sees the multiplied
    phase 2**(max_rounds-1-r) * Phi * 2**(t - max_rounds) = 2**(t-1-r) Phi, an exact
    power-of-two scaling, and the same feedback), so y = y_long mod 2**t; later rounds are
    discarded. Returns ((B,) median errors in radians of Phi, (B,) fraction within 2 pi / 2**t).
    """
    acc = accumulation_dtype(default_complex_dtype())

    def per_t(k, t):
        kt, ke = jax.random.split(k)
        big_phi = jax.random.uniform(kt, (repeats,), acc, 0, 2 * math.pi)

        def one(kk, phi):
            scaled = jnp.ldexp(phi, t - max_rounds)
            def law(kexp, om):
                return 1 - ghz_parity_probability(jnp.ldexp(scaled, kexp) + om)

            y_long = kitaev_estimate(
                kk, law, num_rounds=max_rounds, num_shots=shots, dtype=acc
            ).estimate
            y = y_long & ((1 << t) - 1)
            d = 2 * math.pi * jnp.ldexp(y.astype(acc), -t) - phi
            return jnp.abs(jnp.mod(d + math.pi, 2 * math.pi) - math.pi)

        err = jax.vmap(one)(jax.random.split(ke, repeats), big_phi)
        grid = 2 * math.pi * jnp.ldexp(jnp.ones((), acc), -t)
        return jnp.median(err), jnp.mean(err <= grid + 1e-12)

    return jax.vmap(per_t)(jax.random.split(key, rounds.shape[0]), rounds)
