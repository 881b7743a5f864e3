"""Settings: the data folder and everything derived from it."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from .errors import CeserError

ENV_HOME = "CESER_HOME"
ENV_CHROMA_URL = "CESER_CHROMA_URL"
ENV_EMBEDDER = "CESER_EMBEDDER"
ENV_EMBEDDING_CACHE = "CESER_EMBEDDING_CACHE"
ENV_WORKERS = "CESER_WORKERS"
ENV_FILE_SECONDS = "CESER_FILE_SECONDS"
ENV_WORKER_MEMORY_MB = "CESER_WORKER_MEMORY_MB"
ENV_PRUNE_MAX_SHARE = "CESER_PRUNE_MAX_SHARE"


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


def _env_number(name: str, default: float, low: float) -> float:
    """Return the number in $name (default when unset); refuse one that is not a number."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise CeserError(f"${name} = « {raw} » : un nombre est attendu.") from None
    if value < low:
        raise CeserError(f"${name} = « {raw} » : au moins {low:g} est attendu.")
    return value


def default_workers() -> int:
    """Return the extraction workers to start: one per core but one (the catalog and the
    embedder's), at least one."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max((cores or 1) - 1, 1)


@dataclass(frozen=True)
class IngestLimits:
    """How a batch reads its files: worker processes, and what each file may cost.

    workers: extraction processes ($CESER_WORKERS; default one per core but one, at least 1).
    file_seconds: wall time one file may take to be read ($CESER_FILE_SECONDS; 0: no limit);
    past it its worker is killed and the file reported. memory_mb: address space of each
    worker ($CESER_WORKER_MEMORY_MB; 0: no limit). prune_max_share: the share of the documents
    under the paths given that ``--prune`` may remove without ``--yes`` ($CESER_PRUNE_MAX_SHARE).
    """

    workers: int = 1
    file_seconds: float = 900.0
    memory_mb: int = 4096
    prune_max_share: float = 0.5

    @classmethod
    def load(cls) -> IngestLimits:
        """Return the limits of the environment variables, else the defaults."""
        return cls(
            workers=int(_env_number(ENV_WORKERS, default_workers(), 1)),
            file_seconds=_env_number(ENV_FILE_SECONDS, cls.file_seconds, 0),
            memory_mb=int(_env_number(ENV_WORKER_MEMORY_MB, cls.memory_mb, 0)),
            prune_max_share=min(_env_number(ENV_PRUNE_MAX_SHARE, cls.prune_max_share, 0), 1.0),
        )


@dataclass(frozen=True)
class Settings:
    """Where the tool keeps its data, and which external services it talks to."""

    home: Path
    chroma_url: str | None = None
    embedder: str | None = None
    embedding_cache_file: Path | None = None
    limits: IngestLimits = field(default_factory=IngestLimits)

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
            limits=IngestLimits.load(),
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
