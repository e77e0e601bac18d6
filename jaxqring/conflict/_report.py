"""Tables and figures of the measured comparisons (used by ``jaxqring conflict``)."""

from __future__ import annotations

import math

from ._compare import Crossover


def _fmt(x) -> str:
    return "nan" if isinstance(x, float) and math.isnan(x) else f"{x:.4g}"


def crossover_table(crossover: Crossover, kind: str) -> str:
    """One text table of a :class:`Crossover` (``kind``: "gapip" or "tieaudit")."""
    if kind == "gapip":
        head = ("tau", "t,R rule", "qubits rule", "t,R meas.", "qubits meas.", "d rule", "bits rule", "d meas.", "bits meas.", "q/c meas.")
        rows = [
            (f"{p.tau:g}", f"{p.rule_rounds},{p.rule_runs}", p.rule_qubits, f"{p.empirical_rounds},{p.empirical_runs}",
             p.empirical_qubits, p.rule_dim, p.rule_bits, p.empirical_dim, p.empirical_bits,
             f"{p.empirical_qubits / p.empirical_bits:.3g}")
            for p in crossover.points
        ]
        label = "tau*"
    else:
        head = ("P", "K rule", "qubits rule", "K meas.", "qubits meas.", "m rule", "m meas.", "q/c meas.")
        rows = [
            (p.num_coords, p.rule_copies, p.rule_qubits, p.empirical_copies, p.empirical_qubits, p.rule_indices,
             p.empirical_indices, f"{p.empirical_qubits / p.empirical_bits:.3g}")
            for p in crossover.points
        ]
        label = "P*"
    widths = [max(len(str(h)), *(len(str(r[i])) for r in rows)) for i, h in enumerate(head)]
    line = lambda cells: "  ".join(str(c).rjust(w) for c, w in zip(cells, widths))
    out = [line(head)] + [line(r) for r in rows]
    out.append(f"{label}: worst-case rules {_fmt(crossover.rule)}, measured {_fmt(crossover.empirical)}")
    return "\n".join(out)


def plot_crossover(crossover: Crossover, kind: str, path) -> None:
    """Communication vs tau (GapIP) or P (TieAudit): rules dashed, measured solid; saved to ``path``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    pts = crossover.points
    fig, ax = plt.subplots(figsize=(6, 4))
    x = list(crossover.grid)
    quantum, classical = ("GapIP qubits", "JL bits") if kind == "gapip" else ("TieAudit qubits", "birthday bits")
    ax.loglog(x, [p.rule_qubits for p in pts], "b--", label=f"{quantum}, SPEC rule")
    ax.loglog(x, [p.empirical_qubits for p in pts], "b-o", label=f"{quantum}, measured")
    ax.loglog(x, [p.rule_bits for p in pts], "r--", label=f"{classical}, SPEC rule")
    ax.loglog(x, [p.empirical_bits for p in pts], "r-s", label=f"{classical}, measured")
    for value, style in ((crossover.rule, ":"), (crossover.empirical, "-")):
        if not math.isnan(value):
            ax.axvline(value, color="k", ls=style, lw=0.8)
    ax.set_xlabel("margin tau" if kind == "gapip" else "coordinates P")
    ax.set_ylabel("communication (qubits or bits)")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
