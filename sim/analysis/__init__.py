"""Analysis over ensembles.

Sweeps, sensitivity (SALib), paired comparisons, backtests and calibration against observed records.
"""
