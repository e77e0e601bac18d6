"""Random sketches generated on the fly from a counter-based key (``jl``): JL projections of
long vectors without ever holding the d x P matrix."""
