"""Rendering helpers for ``corpus/build.py``: source parser, two PDF engines, scan effect."""
