"""The ``sim`` command: parsing and printing only; the work is done by the floors below."""

from sim.cli.commands import cli, main

__all__ = ["cli", "main"]
