"""The ``sim`` command: parsing and printing only; the work is done by the floors below.

``app`` holds the group and what its commands share; each other module adds its commands.
"""

from sim.cli import analysis, inspect, run  # noqa: F401 - importing them registers the commands
from sim.cli.app import cli, main

__all__ = ["cli", "main"]
