"""ceser-explorer: local document intelligence for CESER avis and Région plans.

The library's entry point is ``Workspace`` (``from ceser_explorer import Workspace``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["Workspace"]

if TYPE_CHECKING:
    from .workspace import Workspace


def __getattr__(name: str) -> Any:
    # imported on first use: ``import ceser_explorer.config`` stays light
    if name == "Workspace":
        from .workspace import Workspace

        return Workspace
    raise AttributeError(f"module 'ceser_explorer' has no attribute {name!r}")
