"""Mixed-state numerics: local channels as superoperators (``channels``), the density MPO, its
renormalised sweeps and samplers (``density``), and Fisher-information moments (``fisher``)."""
