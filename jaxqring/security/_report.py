"""The security table: per attack F, detection (exact, sampled, law), acceptance, leakage; JSON + figure."""

from __future__ import annotations

import json
import math
import os
import pathlib
from typing import NamedTuple

import jax
import numpy as np

from .._checks import check_int, check_key
from ..kernels import stabilizer as SK
from ._attacks import (
    Adaptive,
    adaptive,
    depolarize_copies,
    entangling_probe,
    honest,
    intercept_resend,
    phase_flip,
    substitute,
)
from ._engine import check_nodes, detection_probability, fidelity, sample_tests
from ._privacy import MAX_EXACT_NODES, leakage
from ._protocol import (
    acceptance_probability,
    iid_acceptance_probability,
    soundness_curve,
    verification_cost,
)


def default_attacks() -> dict:
    """The attacks of the standard table (name -> attack), each on the first link or node."""
    return {
        "honest": honest(),
        "intercept-resend Z": intercept_resend("z", 1),
        "intercept-resend X": intercept_resend("x", 1),
        "intercept-resend random": intercept_resend("random", 1),
        "entangling probe theta=pi/2": entangling_probe(math.pi / 2, 1),
        "entangling probe theta=pi": entangling_probe(math.pi, 1),
        "phase flip Z_0": phase_flip(0),
        "substitute |0...0>": substitute("zeros"),
        "substitute |+>^N": substitute("plus"),
        "substitute W": substitute("w"),
        "substitute GHZ phase pi/3": substitute("ghz", phase=math.pi / 3),
        "depolarize 10% of copies": depolarize_copies(0.1, 1.0),
        "adaptive c=2 (phase flip)": adaptive(2, phase_flip(0)),
    }


class Row(NamedTuple):
    attack: str
    fidelity: float
    detection_exact: float
    detection_law: float  # (1 - F) d0 (no readout); equals detection_exact without readout errors
    detection_sampled: float
    sampled_in_interval: bool
    acceptance: float
    leakage_before: float
    leakage_after: float


class SecurityReport(NamedTuple):
    num_nodes: int
    num_tested: int
    num_samples: int
    rows: list
    ks: list
    epsilon_any: list  # worst-case P(accept and >= 1 corrupted copy used), per K
    epsilon_fraction: list  # worst case with > 5% of the used copies corrupted, per K
    cost: dict

    def table(self) -> str:
        head = (
            f"{'attack':<30} {'F':>7} {'P_det exact':>11} {'(1-F)d0':>8} {'sampled':>8} {'ok':>3} "
            f"{'P_acc(K)':>10} {'leak/copy':>10} {'leak after':>10}"
        )
        lines = [head, "-" * len(head)]
        for r in self.rows:
            lines.append(
                f"{r.attack:<30} {r.fidelity:7.4f} {r.detection_exact:11.4f} {r.detection_law:8.4f} "
                f"{r.detection_sampled:8.4f} {'yes' if r.sampled_in_interval else 'NO':>3} "
                f"{r.acceptance:10.3e} {r.leakage_before:10.4f} {r.leakage_after:10.3e}"
            )
        return "\n".join(lines)


def _interval(num: int, p: float, alpha: float = 1e-6) -> tuple[float, float]:
    from scipy import stats

    return float(stats.binom.ppf(alpha / 2, num, p)), float(stats.binom.isf(alpha / 2, num, p))


def security_report(
    n: int, k: int, *, key, noise=None, attacks=None, num_samples: int = 2000, max_k: int = 5000
) -> SecurityReport:
    """Measure every attack of ``attacks`` (default :func:`default_attacks`) on N nodes.

    Args:
        n: nodes N >= 2. k: tested copies K >= 1 (2K distributed). key: PRNG key (sampling).
        noise: optional honest ``NoiseModel``. attacks: dict name -> attack.
        num_samples: sampled tests per attack (detection measured) and score samples (N > 12).
        max_k: largest K of the epsilon-vs-K curves (a 1-2-5 grid from 1).
    Returns:
        ``SecurityReport`` (``.table()`` prints it).
    """
    n = check_nodes(n)
    k = check_int("k", k, minimum=1)
    check_key("key", key)
    num_samples = check_int("num_samples", num_samples, minimum=10)
    max_k = check_int("max_k", max_k, minimum=1)
    attacks = default_attacks() if attacks is None else attacks
    d0 = float(np.exp(SK.log_d0(n)))
    rows = []
    keys = jax.random.split(key, 2 * len(attacks))
    for idx, (name, attack) in enumerate(attacks.items()):
        if isinstance(attack, Adaptive) and attack.corrupted > 2 * k:
            raise ValueError(f"Argument `attacks[{name!r}]` corrupts {attack.corrupted} > 2K = {2 * k} copies.")
        f = float(fidelity(attack, n, noise=noise))
        d = float(detection_probability(attack, n, noise=noise))
        rec = sample_tests(keys[2 * idx], attack, n, num_samples, noise=noise)
        fails = int(num_samples - np.sum(np.asarray(rec.passed)))
        lo, hi = _interval(num_samples, min(max(d, 0.0), 1.0))
        if isinstance(attack, Adaptive):
            acc = float(acceptance_probability(k, attack.corrupted, n, detection=min(max(d, 0.0), 1.0)))
        else:
            acc = float(iid_acceptance_probability(k, min(max(d, 0.0), 1.0)))
        method = "exact" if n <= MAX_EXACT_NODES else "score"
        leak = leakage(attack, n, noise=noise, method=method, key=keys[2 * idx + 1], num_samples=num_samples).fisher
        rows.append(Row(name, f, d, (1 - f) * d0, fails / num_samples, lo <= fails <= hi, acc, leak, leak * acc))
    ks = [m * 10**e for e in range(8) for m in (1, 2, 5) if m * 10**e <= max_k]
    eps_any, _ = soundness_curve(ks, n)
    eps_frac, _ = soundness_curve(ks, n, used_fraction=0.05)
    return SecurityReport(
        n, k, num_samples, rows, ks, [float(x) for x in eps_any], [float(x) for x in eps_frac],
        verification_cost(k, n).cost.as_dict(),
    )


def write_report(report: SecurityReport, out_dir) -> tuple[str, str]:
    """Write ``security.json`` and ``security.png`` into ``out_dir``; returns their paths."""
    out = pathlib.Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    doc = report._asdict()
    doc["rows"] = [r._asdict() for r in report.rows]
    json_path = out / "security.json"
    tmp = json_path.with_name(json_path.name + ".tmp")
    tmp.write_text(json.dumps(doc, indent=1))
    os.replace(tmp, json_path)

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(1, 3, figsize=(15, 4.2))
    n = report.num_nodes
    d0 = 2 ** (n - 1) / (2**n - 1)
    fs = np.linspace(0, 1, 50)
    ax[0].plot(fs, (1 - fs) * d0, "k-", label="law (1-F) d0")
    for r in report.rows:
        ax[0].plot(r.fidelity, r.detection_sampled, "o", label=r.attack)
    ax[0].set(xlabel="fidelity F", ylabel="detection per tested copy", title=f"detection vs F (N={n})")
    ax[0].legend(fontsize=6)
    ax[1].loglog(report.ks, np.maximum(report.epsilon_any, 1e-300), "o-", label="P(acc, >=1 bad copy used)")
    ax[1].loglog(report.ks, np.maximum(report.epsilon_fraction, 1e-300), "s-", label="P(acc, >5% of used copies bad)")
    ax[1].set(xlabel="K (tested copies)", ylabel="epsilon (worst case over c)", title="epsilon vs K", ylim=(1e-30, 2))
    ax[1].legend(fontsize=8)
    names = [r.attack for r in report.rows]
    x = np.arange(len(names))
    ax[2].bar(x - 0.2, [r.leakage_before for r in report.rows], 0.4, label="per copy")
    ax[2].bar(x + 0.2, [r.leakage_after for r in report.rows], 0.4, label=f"x acceptance (K={report.num_tested})")
    ax[2].set_xticks(x, names, rotation=75, fontsize=6)
    ax[2].set(ylabel="Fisher info on phi_a - phi_b (1/rad^2)", title="leakage")
    ax[2].legend(fontsize=8)
    fig.tight_layout()
    png = out / "security.png"
    fig.savefig(png, dpi=110)
    plt.close(fig)
    return str(json_path), str(png)
