"""Noise given as a string (CLI and configs): ``"dephasing:0.01+readout:0.02"`` or ``"werner:0.9"``.

Channel names map to the package's noise-model constructors through one explicit table.
"""

from __future__ import annotations

import math

from .._noise import NoiseModel, amplitude_damping, bit_flip, compose, dephasing, depolarizing, readout_error
from ..allreduce._superdense import EPRModel, werner

# name -> constructor of a GHZ-qubit noise model (scalar parameter)
GHZ_CHANNELS = {
    "dephasing": dephasing,
    "depolarizing": depolarizing,
    "amplitude_damping": amplitude_damping,
    "bit_flip": bit_flip,
    "readout_error": readout_error,
}
EPR_CHANNELS = ("werner",)
CHANNEL_NAMES = tuple(GHZ_CHANNELS) + EPR_CHANNELS


def parse_noise(spec: str | None, aggregator: str) -> tuple[NoiseModel | None, EPRModel | None]:
    """Parse a noise spec string into ``(noise_model, epr)`` for ``aggregator``.

    Returns:
        (NoiseModel or None, EPR noise or None). GHZ channels need a ghz_* aggregator and
        ``werner`` needs ``superdense``; anything else raises ValueError naming ``noise``.
    """
    if spec is None:
        return None, None
    terms = [t.strip() for t in str(spec).split("+") if t.strip()]
    if not terms:
        return None, None
    ghz_terms, epr_terms = [], []
    for term in terms:
        name, sep, value = term.partition(":")
        name = name.strip().lower().replace("-", "_")
        if name == "readout":
            name = "readout_error"
        if name == "depolarising":
            name = "depolarizing"
        if not sep or name not in CHANNEL_NAMES:
            raise ValueError(
                "Argument `noise` must be terms 'name:value' joined by '+', with name in "
                f"{CHANNEL_NAMES}, got {spec!r}."
            )
        try:
            v = float(value)
        except ValueError:
            raise ValueError(f"Argument `noise` has a non-numeric value in {term!r}.") from None
        if not (math.isfinite(v) and 0.0 <= v <= 1.0):
            raise ValueError(f"Argument `noise` values must lie in [0, 1], got {term!r}.")
        (epr_terms if name in EPR_CHANNELS else ghz_terms).append((name, v))
    if ghz_terms and aggregator not in ("ghz_majority", "ghz_count"):
        raise ValueError(
            f"Argument `noise` channels {[t[0] for t in ghz_terms]} act on GHZ qubits and need "
            f"aggregator ghz_majority or ghz_count, got aggregator {aggregator!r}."
        )
    if epr_terms and aggregator != "superdense":
        raise ValueError(
            f"Argument `noise` 'werner' acts on EPR pairs and needs aggregator 'superdense', got {aggregator!r}."
        )
    if len(epr_terms) > 1:
        raise ValueError(f"Argument `noise` may hold one werner term, got {spec!r}.")
    noise = epr = None
    try:
        if ghz_terms:
            models = [GHZ_CHANNELS[name](v) for name, v in ghz_terms]
            noise = models[0] if len(models) == 1 else compose(*models)
        if epr_terms:
            epr = werner(epr_terms[0][1])
    except ValueError as err:
        raise ValueError(f"Argument `noise` {spec!r} is invalid: {err}") from None
    return noise, epr
