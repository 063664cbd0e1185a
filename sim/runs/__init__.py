"""Many runs.

Ensembles cut into chunks, backends that run them, exact tallies, and the resumable result store
(``sim.runs.store``).
"""
