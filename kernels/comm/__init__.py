"""Communication numerics: superdense coding over noisy EPR pairs (``superdense``) and the ring
all-reduce engine (``ring``)."""
