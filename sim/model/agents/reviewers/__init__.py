"""Reviewers, one class per legal procedure (the scenario's ``reviewers.<id>.kind``).

Importing this package registers the built-in kinds in :mod:`sim.model.kinds`; a new kind is a
module here (or anywhere) that defines its agent and calls ``register_reviewer`` with its entry.
"""

from sim.model.agents.reviewers.base import Reviewer
from sim.model.agents.reviewers.consent import ConsentReviewer
from sim.model.agents.reviewers.export_licence import ExportLicenceReviewer
from sim.model.agents.reviewers.investment import CoveredTransactionReviewer, InvestmentReviewer, OrderReviewer
from sim.model.agents.reviewers.merger_control import MergerControlReviewer

__all__ = [
    "ConsentReviewer",
    "CoveredTransactionReviewer",
    "ExportLicenceReviewer",
    "InvestmentReviewer",
    "MergerControlReviewer",
    "OrderReviewer",
    "Reviewer",
]
