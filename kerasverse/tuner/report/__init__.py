"""Seeing results: the HTML report and study loading."""

from kerasverse.tuner.report.html_report import hyperparameter_importance
from kerasverse.tuner.report.html_report import write_report
from kerasverse.tuner.report.study import load_study

__all__ = ["hyperparameter_importance", "load_study", "write_report"]
