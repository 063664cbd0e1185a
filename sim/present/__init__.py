"""Presentation of results.

Terminal tables (``tables``), runs told as prose (``story``), figures (``figures``, the only module
here that loads matplotlib) and actor labels (``labels``).
"""
