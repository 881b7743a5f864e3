"""Settings: the data folder and everything derived from it."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ENV_HOME = "CESER_HOME"
ENV_CHROMA_URL = "CESER_CHROMA_URL"
ENV_EMBEDDER = "CESER_EMBEDDER"
ENV_EMBEDDING_CACHE = "CESER_EMBEDDING_CACHE"


def default_home() -> Path:
    """Return the default data folder: $XDG_DATA_HOME/ceser-explorer or ~/.local/share/..."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "ceser-explorer"


def resolve_home(home: str | os.PathLike[str] | None = None) -> Path:
    """Return the data folder: the explicit argument, else $CESER_HOME, else the default."""
    if home:
        return Path(home).expanduser()
    env = os.environ.get(ENV_HOME)
    if env:
        return Path(env).expanduser()
    return default_home()


@dataclass(frozen=True)
class Settings:
    """Where the tool keeps its data, and which external services it talks to."""

    home: Path
    chroma_url: str | None = None
    embedder: str | None = None
    embedding_cache_file: Path | None = None

    @classmethod
    def load(
        cls,
        home: str | os.PathLike[str] | None = None,
        chroma_url: str | None = None,
        embedder: str | None = None,
    ) -> Settings:
        """Build settings from explicit values, then environment variables, then defaults."""
        return cls(
            home=resolve_home(home),
            chroma_url=chroma_url or os.environ.get(ENV_CHROMA_URL) or None,
            embedder=embedder or os.environ.get(ENV_EMBEDDER) or None,
            embedding_cache_file=Path(os.environ[ENV_EMBEDDING_CACHE]).expanduser()
            if os.environ.get(ENV_EMBEDDING_CACHE)
            else None,
        )

    @property
    def catalog_path(self) -> Path:
        return self.home / "catalog.sqlite"

    @property
    def chroma_path(self) -> Path:
        return self.home / "chroma"

    @property
    def embedding_cache(self) -> Path:
        """The embedding cache (SQLite): $CESER_EMBEDDING_CACHE, else in the data folder."""
        return self.embedding_cache_file or self.home / "embeddings.sqlite"

    @property
    def models_path(self) -> Path:
        return self.home / "models"

    def ensure(self) -> Settings:
        """Create the data folder if needed and return self."""
        self.home.mkdir(parents=True, exist_ok=True)
        return self
