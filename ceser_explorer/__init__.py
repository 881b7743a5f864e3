"""ceser-explorer: local document intelligence for CESER avis and Région plans."""

__version__ = "0.1.0"
