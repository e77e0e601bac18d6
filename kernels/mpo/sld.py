"""SLD-MPO lower bound on the QFI of a noisy MPS probe, and its DMRG-like sweeps.

For any Hermitian operator L, ``F_Q(rho) >= 2 Tr(rho' L) - Tr(rho L^2)`` with equality for the
symmetric logarithmic derivative (Chabuda, Dziarmaga, Osborne, Demkowicz-Dobrzanski, Nat. Commun.
11, 250 (2020)). Here rho is the noisy encoded probe, rho' = d rho / d theta for node phases
``phases + theta * weights`` (SPEC §5: H = sum_j w_j Z_j / 2), and L is a matrix product operator
with *real* coefficients in the Pauli basis::

    L = lleft . C_0 . C_1 ... C_{N-1} . lright,   C_j[a, b] = sum_k coeffs[j, a, k, b] P_k

(P = I, X, Y, Z). Real coefficients make every L Hermitian and every L Hermitian of a given
operator-Schmidt rank representable. With all sites but j fixed, the objective is a concave
quadratic in the real vector c_j = coeffs[j] (length 4 D^2)::

    f(c_j) = 2 g . c_j - c_j^T H c_j,   H PSD   ->   c_j* = H^+ g,   f* = g^T H^+ g,

so a site update is one small symmetric linear solve (DMRG-like "L sweeps"; monotone). The
probe can be optimised in the same sweep: with L fixed, f is <psi|O|psi>/<psi|psi> for the
Heisenberg-picture operator O = 2 Lambda'^dag(L) - Lambda^dag(L^2), so a probe site update is a
generalised Hermitian eigenproblem (O_eff x = lambda N_eff x, top eigenvector), as in DMRG.

Environments. Three bond environments are carried, each with its own running log scale
(renormalised at every site; the scales go through ``stop_gradient``):

* G (2, chi, chi, D): Tr(rho_flag L) partial contractions, flag 0 = rho, flag 1 = rho' (the
  derivative, a sum over sites: G1' = T_S(G1) + T_dS(G0));
* Q (chi, chi, D, D): Tr(rho L L);
* Nv (chi, chi): Tr(rho) = <psi|psi> (the channels are trace preserving).

The site-solve networks are not chains (five tensors with two open bond pairs); their
contraction orders come from cotengra (computed once per shape signature, outside jit, and
passed to ``jnp.einsum(..., optimize=path)``). Right-to-left sweeps reuse the left-to-right code
on the mirrored chain (sites reversed, bonds transposed: the same operators on reversed qubits).

Cost per site: O(chi^3 D^2 + chi^2 D^4) for the environments and O((4 D^2)^3 + (2 chi^2)^3)
for the two site solves; memory O(N chi^2 D^2) for the stored right environments.
"""

from __future__ import annotations

import functools
from typing import NamedTuple

import jax
import jax.numpy as jnp
from jax import Array

from ..common import paulis, real_dtype, renormalise
from .density import norm_transfer

# Relative eigenvalue cutoffs of the two site solves (ridge solve and generalised eigen), for
# float64; float32 uses FLOAT32_RTOL for both.
SOLVE_RTOL = 1e-13
NORM_RTOL = 1e-12
FLOAT32_RTOL = 1e-6


def _rtol(dtype, rtol64: float) -> float:
    return rtol64 if jnp.finfo(dtype).bits >= 64 else FLOAT32_RTOL


class SLDChain(NamedTuple):
    """A probe, an SLD candidate and the per-site channels: everything a sweep needs.

    Fields:
        tensors: complex (N, chi, 2, chi), the probe MPS (axes "lpr"; a ray).
        left: complex (chi,), right: complex (chi,): probe boundary vectors.
        coeffs: real (N, D, 4, D): Pauli coefficients of L's site tensors (axes a, k, b).
        lleft: real (D,), lright: real (D,): L's boundary vectors.
        sops: complex (N, 2, 2, 2, 2): site superoperators S_j[s, s', t, t'] (ket out, bra out,
            ket in, bra in) of before-channels, R(phi_j), after-channels.
        dsops: complex (N, 2, 2, 2, 2): d S_j / d theta (= w_j dS/dphi).
    """

    tensors: Array  # shape=(N, chi, 2, chi), dtype=complex
    left: Array  # shape=(chi,), dtype=complex
    right: Array  # shape=(chi,), dtype=complex
    coeffs: Array  # shape=(N, D, 4, D), dtype=real
    lleft: Array  # shape=(D,), dtype=real
    lright: Array  # shape=(D,), dtype=real
    sops: Array  # shape=(N, 2, 2, 2, 2), dtype=complex
    dsops: Array  # shape=(N, 2, 2, 2, 2), dtype=complex


class Envs(NamedTuple):
    """Bond environments with their log scales (one bond, or stacked (N+1,) along a chain)."""

    g: Array  # shape=(..., 2, chi, chi, D), dtype=complex
    lg: Array  # shape=(...,), dtype=real
    q: Array  # shape=(..., chi, chi, D, D), dtype=complex
    lq: Array  # shape=(...,), dtype=real
    nv: Array  # shape=(..., chi, chi), dtype=complex
    ln: Array  # shape=(...,), dtype=real


# ---------------------------------------------------------------------------------------------
# Contraction paths (cotengra, computed once per shape signature, outside jit).
# ---------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=512)
def _path(eq: str, shapes: tuple[tuple[int, ...], ...]) -> tuple:
    lhs, out = eq.split("->")
    inputs = [tuple(term) for term in lhs.split(",")]
    if len(inputs) <= 2:
        return tuple((0, 1) for _ in range(len(inputs) - 1))
    size = {}
    for term, shape in zip(inputs, shapes):
        size.update(zip(term, shape))
    try:
        import cotengra as ctg

        path = ctg.array_contract_path(inputs, tuple(out), size_dict=size, optimize="auto")
        return tuple(tuple(int(i) for i in step) for step in path)
    except ImportError:  # pragma: no cover - cotengra is a dependency; greedy fallback
        return ()


def contract(eq: str, *ops: Array) -> Array:
    """``jnp.einsum(eq, *ops)`` along a cotengra-optimised path (cached per shapes)."""
    path = _path(eq, tuple(tuple(o.shape) for o in ops))
    if not path:
        return jnp.einsum(eq, *ops, optimize="greedy")
    return jnp.einsum(eq, *ops, optimize=[tuple(p) for p in path])


# ---------------------------------------------------------------------------------------------
# Site superoperators and local operators.
# ---------------------------------------------------------------------------------------------


def site_superops(before: Array, after: Array, phases: Array, weights: Array) -> tuple[Array, Array]:
    """(S, dS), each complex (N, 2, 2, 2, 2): site channels and their theta-derivatives.

    S_j = after_j o R(phases_j) o before_j (``kernels.mpo.channels`` conventions; the (4, 4)
    superoperator diag of R(phi) is (1, e^{-i phi}, e^{i phi}, 1)); dS_j = w_j dS_j/dphi.

    Args:
        before, after: complex (N, 4, 4). phases: real (N,), radians. weights: real (N,).
    """
    dt = before.dtype
    e = jnp.exp(1j * phases.astype(real_dtype(dt))).astype(dt)
    one, zero = jnp.ones_like(e), jnp.zeros_like(e)
    diag = jnp.stack([one, jnp.conj(e), e, one], axis=-1)
    ddiag = jnp.stack([zero, -1j * jnp.conj(e), 1j * e, zero], axis=-1) * weights.astype(dt)[:, None]
    s = jnp.einsum("nij,nj,njk->nik", after, diag, before)
    ds = jnp.einsum("nij,nj,njk->nik", after, ddiag, before)
    n = before.shape[0]
    return s.reshape(n, 2, 2, 2, 2), ds.reshape(n, 2, 2, 2, 2)


def local_operator(c: Array, dtype) -> Array:
    """Lop[a, s, u, b] = sum_k c[a, k, b] P_k[s, u]; complex (D, 2, 2, D)."""
    return jnp.einsum("akb,ksu->asub", c.astype(dtype), paulis(dtype))


def _dual(s4: Array, lop: Array) -> Array:
    """K[a, b, t, u] = sum_{s, p} S[s, p, t, u] Lop[a, p, s, b]  (Tr(E(x) Lop) as a form on x)."""
    return jnp.einsum("sptu,apsb->abtu", s4, lop)


def _dual2(s4: Array, lop: Array) -> Array:
    """K2[a, c, b, d, t, u] = sum S[s, p, t, u] Lop[a, p, q, b] Lop[c, q, s, d]  (Tr(E(x) L L))."""
    ll = jnp.einsum("apqb,cqsd->acpsbd", lop, lop)
    return jnp.einsum("sptu,acpsbd->acbdtu", s4, ll)


# ---------------------------------------------------------------------------------------------
# Environment transfers (left-to-right; right environments use the mirrored chain).
# ---------------------------------------------------------------------------------------------


def _lin_transfer(g: Array, a: Array, k: Array) -> Array:
    """G'[f, r, s, b] = G[f, l, m, a] A[l, t, r] conj(A)[m, u, s] K[a, b, t, u]."""
    return contract("flma,ltr,mus,abtu->frsb", g, a, jnp.conj(a), k)


def _quad_transfer(q: Array, a: Array, k2: Array) -> Array:
    """Q'[r, s, b, d] = Q[l, m, a, c] A[l, t, r] conj(A)[m, u, s] K2[a, c, b, d, t, u]."""
    return contract("lmac,ltr,mus,acbdtu->rsbd", q, a, jnp.conj(a), k2)


def _step_envs(env: Envs, a: Array, c: Array, s4: Array, ds4: Array) -> Envs:
    dt = a.dtype
    lop = local_operator(c, dt)
    ks, kd = _dual(s4, lop), _dual(ds4, lop)
    g = _lin_transfer(env.g, a, ks)
    g = g.at[1].add(_lin_transfer(env.g[:1], a, kd)[0])
    g, lg = renormalise(g, env.lg)
    q, lq = renormalise(_quad_transfer(env.q, a, _dual2(s4, lop)), env.lq)
    nv, ln = renormalise(norm_transfer(env.nv, a), env.ln)
    return Envs(g, lg, q, lq, nv, ln)


def boundary_envs(left: Array, lleft: Array) -> Envs:
    """The environments of zero sites, from the probe and L boundary vectors."""
    dt = left.dtype
    rt = real_dtype(dt)
    lv = lleft.astype(dt)
    pp = jnp.outer(left, jnp.conj(left))
    g0 = pp[:, :, None] * lv[None, None, :]
    g = jnp.stack([g0, jnp.zeros_like(g0)])
    q = pp[:, :, None, None] * (lv[:, None] * lv[None, :])[None, None]
    z = jnp.zeros((), rt)
    return Envs(g, z, q, z, pp, z)


def left_envs(chain: SLDChain) -> Envs:
    """Environments of the first n sites for n = 0..N, stacked (leading axis N + 1)."""
    init = boundary_envs(chain.left, chain.lleft)

    def step(env, xs):
        a, c, s4, ds4 = xs
        new = _step_envs(env, a, c, s4, ds4)
        return new, new

    _, stacked = jax.lax.scan(step, init, (chain.tensors, chain.coeffs, chain.sops, chain.dsops))
    return jax.tree_util.tree_map(lambda x0, xs: jnp.concatenate([x0[None], xs]), init, stacked)


def mirror(chain: SLDChain) -> SLDChain:
    """The same probe, operator and channels on the reversed chain (bonds transposed)."""
    return SLDChain(
        jnp.transpose(chain.tensors, (0, 3, 2, 1))[::-1],
        chain.right,
        chain.left,
        jnp.transpose(chain.coeffs, (0, 3, 2, 1))[::-1],
        chain.lright,
        chain.lleft,
        chain.sops[::-1],
        chain.dsops[::-1],
    )


def right_envs(chain: SLDChain) -> Envs:
    """Right environments: entry j covers sites j+1..N-1 (shape (N,) leading), from the mirror."""
    env = left_envs(mirror(chain))
    return jax.tree_util.tree_map(lambda x: x[: chain.tensors.shape[0]][::-1], env)


# ---------------------------------------------------------------------------------------------
# Objective evaluation (differentiable; envelope-theorem gradients).
# ---------------------------------------------------------------------------------------------


class ObjectiveTerms(NamedTuple):
    """a = Tr(rho' L), b = Tr(rho L^2), z = Tr(rho), each as (mantissa, log scale)."""

    a: Array  # shape=(), dtype=real
    la: Array  # shape=(), dtype=real
    b: Array  # shape=(), dtype=real
    lb: Array  # shape=(), dtype=real
    z: Array  # shape=(), dtype=real
    lz: Array  # shape=(), dtype=real


def objective_terms(chain: SLDChain) -> ObjectiveTerms:
    """One renormalised sweep: Tr(rho' L), Tr(rho L^2), Tr(rho) in mantissa/log form."""
    env = jax.tree_util.tree_map(lambda x: x[-1], left_envs(chain))
    dt = chain.tensors.dtype
    rr = jnp.outer(chain.right, jnp.conj(chain.right))
    lv = chain.lright.astype(dt)
    a = jnp.real(jnp.einsum("rsb,rs,b->", env.g[1], rr, lv))
    b = jnp.real(jnp.einsum("rsbd,rs,b,d->", env.q, rr, lv, lv))
    z = jnp.real(jnp.sum(env.nv * rr))
    return ObjectiveTerms(a, env.lg, b, env.lq, z, env.ln)


def optimal_scale_value(t: ObjectiveTerms) -> Array:
    """max over alpha of 2 alpha a/z - alpha^2 b/z = a^2 / (b z): the certified bound of L's ray.

    Differentiating this at fixed L is the envelope-theorem gradient of the optimal F.
    """
    return jnp.exp(2 * t.la - t.lb - t.lz) * t.a * t.a / (t.b * t.z)


# ---------------------------------------------------------------------------------------------
# Site solves.
# ---------------------------------------------------------------------------------------------


def _pinv_solve(h: Array, g: Array) -> tuple[Array, Array]:
    """c ~= H^+ g for symmetric PSD H, and g . c.

    Ridge-regularised Cholesky: (H + eps max(diag H) I) c = g with eps = SOLVE_RTOL. g lies in
    the range of H exactly (Tr(rho B^2) = 0 forces B rho = 0, hence Tr(rho' B) = 0), so the
    ridge only damps directions that carry no objective; it is an order of magnitude faster
    than an eigendecomposition on CPU and keeps every solve well posed.
    """
    h = (h + h.T) / 2
    scale = jnp.maximum(jnp.max(jnp.diagonal(h)), jnp.finfo(h.dtype).tiny)
    reg = h + (_rtol(h.dtype, SOLVE_RTOL) * scale) * jnp.eye(h.shape[0], dtype=h.dtype)
    factor = jax.scipy.linalg.cho_factor(reg, lower=True)
    c = jax.scipy.linalg.cho_solve(factor, g)
    return c, jnp.sum(g * c)


def _top_eigh(m: Array) -> tuple[Array, Array]:
    """Largest eigenvalue and its eigenvector of a Hermitian matrix.

    Solved as the real symmetric embedding [[Re, -Im], [Im, Re]] (each eigenvalue twice):
    XLA's real eigensolver is several times faster on CPU than its complex one.
    """
    if not jnp.iscomplexobj(m):
        lam, vec = jnp.linalg.eigh(m)
        return lam[-1], vec[:, -1]
    re, im = jnp.real(m), jnp.imag(m)
    big = jnp.block([[re, -im], [im, re]])
    lam, vec = jnp.linalg.eigh(big)
    n = m.shape[0]
    top = vec[:, -1]
    return lam[-1], (top[:n] + 1j * top[n:]).astype(m.dtype)


def _psd_whitener(nm: Array) -> tuple[Array, Array]:
    """W (d, d) with W^dag N W = projector on N's support (relative cutoff NORM_RTOL), and mask."""
    nm = (nm + jnp.conj(nm.T)) / 2
    s, u = jnp.linalg.eigh(nm)
    keep = s > _rtol(s.dtype, NORM_RTOL) * jnp.maximum(jnp.max(s), jnp.finfo(s.dtype).tiny)
    w = u * jnp.where(keep, 1 / jnp.sqrt(jnp.where(keep, s, 1)), 0).astype(u.dtype)[None, :]
    return w, keep


def _sld_site(gl: Envs, gr: Envs, a: Array, s4: Array, ds4: Array) -> tuple[Array, Array, Array]:
    """Optimal Pauli coefficients (D, 4, D) of one L site, the objective and its log scale.

    Returns ``(c, value, log_scale)`` with F = value * exp(log_scale) after the solve (the true
    optimal c is c * exp(lg - lq); only its direction is kept).
    """
    dt = a.dtype
    rt = real_dtype(dt)
    dim = gl.g.shape[-1]
    p = paulis(dt)
    kb_s = jnp.einsum("sptu,kps->ktu", s4, p)
    kb_d = jnp.einsum("sptu,kps->ktu", ds4, p)
    pp = jnp.einsum("kpq,mqs->kmps", p, p)
    kbb = jnp.einsum("sptu,kmps->kmtu", s4, pp)
    ca = jnp.conj(a)
    y = contract("flma,ltr,mus,grsb->fgabtu", gl.g, a, ca, gr.g)
    gv = jnp.real(
        jnp.einsum("abtu,ktu->akb", y[1, 0] + y[0, 1], kb_s) + jnp.einsum("abtu,ktu->akb", y[0, 0], kb_d)
    )
    z = contract("lmac,ltr,mus,rsbd->acbdtu", gl.q, a, ca, gr.q)
    h = jnp.real(jnp.einsum("acbdtu,kmtu->akbcmd", z, kbb)).reshape(4 * dim * dim, 4 * dim * dim)
    nrm = jnp.real(contract("lm,ltr,mts,rs->", gl.nv, a, ca, gr.nv))
    c, val = _pinv_solve(h.astype(rt), gv.reshape(-1).astype(rt))
    log_scale = 2 * (gl.lg + gr.lg) - (gl.lq + gr.lq) - (gl.ln + gr.ln)
    return c.reshape(dim, 4, dim), val / nrm, log_scale


def _probe_site(gl: Envs, gr: Envs, c: Array, s4: Array, ds4: Array) -> tuple[Array, Array]:
    """Top generalised eigenvector of (O_eff, N_eff) at one probe site, and its eigenvalue.

    O_eff = 2 Lambda'^dag(L) - Lambda^dag(L^2) restricted to the site, with ``c`` the L site
    solution in the environments' scale (so that L's scale is the optimal one); N_eff the norm
    form. The eigenvalue is F * exp(-log_scale) of :func:`_sld_site`.
    """
    dt = s4.dtype
    chi = gl.nv.shape[0]
    lop = local_operator(c, dt)
    ks, kd = _dual(s4, lop), _dual(ds4, lop)
    lin = contract("lma,abtu,rsb->ltrmus", gl.g[1], ks, gr.g[0])
    lin = lin + contract("lma,abtu,rsb->ltrmus", gl.g[0], kd, gr.g[0])
    lin = lin + contract("lma,abtu,rsb->ltrmus", gl.g[0], ks, gr.g[1])
    quad = contract("lmac,acbdtu,rsbd->ltrmus", gl.q, _dual2(s4, lop), gr.q)
    size = 2 * chi * chi
    # objective = sum_{i, i'} A_i conj(A_i') E[i, i'] = x^dag E^T x, with i = (l, t, r)
    o = (2 * lin - quad).reshape(size, size).T
    # N_eff = NL^T (x) I_2 (x) NR^T: whiten the two small (chi, chi) factors separately
    wl, kl = _psd_whitener(gl.nv.T)
    wr, kr = _psd_whitener(gr.nv.T)
    w = jnp.kron(jnp.kron(wl, jnp.eye(2, dtype=dt)), wr)
    keep = (kl[:, None, None] & jnp.ones((1, 2, 1), bool) & kr[None, None, :]).reshape(-1)
    ow = jnp.conj(w.T) @ o @ w
    ow = (ow + jnp.conj(ow.T)) / 2
    # directions outside the support of N_eff carry no state: push them to the bottom
    big = 10 * (jnp.max(jnp.abs(ow)) + 1)
    ow = ow - jnp.diag(jnp.where(keep, 0, big).astype(dt))
    lam, top = _top_eigh(ow)
    x = w @ top
    return x.reshape(chi, 2, chi), lam


def _qr_left(x: Array) -> tuple[Array, Array]:
    """x (l, p, r) = Q (l, p, r') R (r', r) with Q a left isometry (reduced QR, square bonds)."""
    dl, dp, dr = x.shape
    q, r = jnp.linalg.qr(x.reshape(dl * dp, dr))
    return q.reshape(dl, dp, dr), r


# ---------------------------------------------------------------------------------------------
# Sweeps.
# ---------------------------------------------------------------------------------------------


def sweep_right(chain: SLDChain, renvs: Envs, *, update_probe: bool) -> tuple[SLDChain, Array, Array]:
    """One left-to-right sweep: exact L site solves (and probe eigen-updates if ``update_probe``).

    Each site: L_j <- argmax (concave quadratic); then, if ``update_probe``, A_j <- top
    generalised eigenvector of (O_eff, N_eff) at the just-optimised L. Both site tensors are
    QR-gauged to left isometries with R pushed into the next site (the final R goes into the
    right boundary vectors), so the represented operator and state are unchanged by gauging.

    Args:
        chain: ``SLDChain`` (N sites). renvs: right environments from :func:`right_envs`.
        update_probe: static.
    Returns:
        ``(chain, values, log_scales)``: values/log scales (N,) of the objective after each
        site step (value * exp(log_scale) = F at that point; monotone non-decreasing).
    """
    init = boundary_envs(chain.left, chain.lleft)
    chi = chain.tensors.shape[1]
    dim = chain.coeffs.shape[1]
    dt = chain.tensors.dtype
    rt = chain.coeffs.dtype

    def step(carry, xs):
        env, rprobe, rop = carry
        a, _, s4, ds4, gr = xs  # the old L site is re-solved, never read
        a = jnp.einsum("lm,mtr->ltr", rprobe, a)
        c_new, val, log_scale = _sld_site(env, gr, a, s4, ds4)
        if update_probe:
            a, lam = _probe_site(env, gr, c_new, s4, ds4)
            val = lam  # Rayleigh quotient of the N_eff-normalised eigenvector, same scales
            a, rprobe = _qr_left(a)
        cq, rop = _qr_left(c_new)
        new_env = _step_envs(env, a, cq, s4, ds4)
        return (new_env, rprobe, rop), (a, cq, val, log_scale)

    carry0 = (init, jnp.eye(chi, dtype=dt), jnp.eye(dim, dtype=rt))
    xs = (chain.tensors, chain.coeffs, chain.sops, chain.dsops, renvs)
    (_, rprobe, rop), (tensors, coeffs, vals, logs) = jax.lax.scan(step, carry0, xs)
    out = chain._replace(
        tensors=tensors, right=rprobe @ chain.right, coeffs=coeffs, lright=rop @ chain.lright
    )
    return out, vals, logs


def full_sweep(chain: SLDChain, *, update_probe: bool) -> tuple[SLDChain, Array, Array]:
    """A left-to-right then a right-to-left sweep; returns the chain and the final objective.

    Returns:
        ``(chain, value, log_scale)``: F = value * exp(log_scale) after the last site step.
    """
    chain, _, _ = sweep_right(chain, right_envs(chain), update_probe=update_probe)
    m = mirror(chain)
    m, vals, logs = sweep_right(m, right_envs(m), update_probe=update_probe)
    return mirror(m), vals[-1], logs[-1]


def normalise_chain(chain: SLDChain) -> SLDChain:
    """Rescale the probe and L boundary vectors to unit norm (the objective is scale-free)."""
    return chain._replace(
        left=chain.left / jnp.linalg.norm(chain.left),
        lleft=chain.lleft / jnp.linalg.norm(chain.lleft),
        right=chain.right / jnp.linalg.norm(chain.right),
        lright=chain.lright / jnp.linalg.norm(chain.lright),
    )
