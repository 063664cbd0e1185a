"""Reviewers, one class per legal procedure (the scenario's ``reviewers.<id>.kind``)."""

from sim.model.agents.reviewers.base import Reviewer
from sim.model.agents.reviewers.export_licence import ExportLicenceReviewer
from sim.model.agents.reviewers.investment import CoveredTransactionReviewer, InvestmentReviewer, OrderReviewer
from sim.model.agents.reviewers.merger_control import MergerControlReviewer

REVIEWER_CLASSES: dict[str, type[Reviewer]] = {
    "order": OrderReviewer,
    "section_721": CoveredTransactionReviewer,
    "export_licence": ExportLicenceReviewer,
    "merger_control": MergerControlReviewer,
}
"""The class that plays each kind of reviewer."""

__all__ = [
    "REVIEWER_CLASSES",
    "CoveredTransactionReviewer",
    "ExportLicenceReviewer",
    "InvestmentReviewer",
    "MergerControlReviewer",
    "OrderReviewer",
    "Reviewer",
]
