"""Pure-state MPS numerics: the state container and probes (``state``), exact Pauli-string
sweeps, right environments, the sequential conditional sampler and the GHZ closed forms
(``readout``)."""
