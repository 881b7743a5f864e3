"""Settings: the data folder and everything derived from it."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from pathlib import Path

from .errors import CeserError

ENV_HOME = "CESER_HOME"
ENV_CHROMA_URL = "CESER_CHROMA_URL"
ENV_EMBEDDER = "CESER_EMBEDDER"
ENV_EMBEDDING_CACHE = "CESER_EMBEDDING_CACHE"
ENV_MAX_INFLATED_MB = "CESER_MAX_INFLATED_MB"
ENV_MAX_PAGES = "CESER_MAX_PAGES"
ENV_MAX_PIXELS = "CESER_MAX_PIXELS"
ENV_MAX_EMBED_CHARS = "CESER_MAX_EMBED_CHARS"
MB = 1024 * 1024
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
    """Return the number in $name (default when unset; « 1_000 » reads 1000); refuse one that
    is not a number or is below low, in one line that gives the default."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw.replace("_", ""))
    except ValueError:
        value = math.nan
    if not value >= low:  # also refuses nan
        raise CeserError(
            f"${name} = « {raw} » : un nombre d'au moins {low:g} est attendu"
            f" (par défaut {default:g})."
        )
    return value


def _env_int(name: str, default: int) -> int:
    """Return the positive whole number in $name (default when unset)."""
    value = _env_number(name, default, 1)
    if not math.isfinite(value) or value != int(value):
        raise CeserError(
            f"${name} = « {os.environ[name].strip()} » : un nombre entier est attendu"
            f" (par défaut {default})."
        )
    return int(value)


def default_workers() -> int:
    """Return the extraction workers to start: one per core but one (the catalog and the
    embedder's), at least one."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max((cores or 1) - 1, 1)


@dataclass(frozen=True)
class Limits:
    """What one input may cost: a document beyond a limit is refused in one line, never read.

    inflated_bytes: stream bytes a PDF may decompress to (a Flate bomb stops there);
    pages: pages per PDF; pixels: pixels of a rendered page (OCR at ingestion, the explorer's
    page view), the resolution is lowered to fit; embed_chars: characters of a passage given to
    the embedding model (the model reads 512 tokens at a time; the whole text stays in the
    catalog and in lexical search).

    How a batch reads its files: workers: extraction processes ($CESER_WORKERS; default one
    per core but one, at least 1); file_seconds: wall time one file may take to be read
    ($CESER_FILE_SECONDS; 0: no limit), past it its worker is killed and the file reported;
    memory_mb: address space of each worker ($CESER_WORKER_MEMORY_MB; 0: no limit);
    prune_max_share: the share of the documents under the paths given that ``--prune`` may
    remove without ``--yes`` ($CESER_PRUNE_MAX_SHARE).
    """

    inflated_bytes: int = 256 * MB
    pages: int = 2_000
    pixels: int = 24_000_000
    embed_chars: int = 4_000
    workers: int = 1
    file_seconds: float = 900.0
    memory_mb: int = 4096
    prune_max_share: float = 0.5

    @classmethod
    def from_env(cls) -> Limits:
        """Return the defaults, each replaced by its environment variable when set."""
        base = cls()
        return cls(
            inflated_bytes=_env_int(ENV_MAX_INFLATED_MB, base.inflated_bytes // MB) * MB,
            pages=_env_int(ENV_MAX_PAGES, base.pages),
            pixels=_env_int(ENV_MAX_PIXELS, base.pixels),
            embed_chars=_env_int(ENV_MAX_EMBED_CHARS, base.embed_chars),
            workers=_env_int(ENV_WORKERS, default_workers()),
            file_seconds=_env_number(ENV_FILE_SECONDS, base.file_seconds, 0),
            memory_mb=int(_env_number(ENV_WORKER_MEMORY_MB, base.memory_mb, 0)),
            prune_max_share=min(_env_number(ENV_PRUNE_MAX_SHARE, base.prune_max_share, 0), 1.0),
        )

    def scale_within(self, width: float, height: float, scale: float) -> float:
        """Return scale, lowered so that a width x height page renders within self.pixels."""
        pixels = max(width, 1.0) * max(height, 1.0) * scale * scale
        return scale if pixels <= self.pixels else scale * (self.pixels / pixels) ** 0.5


@dataclass(frozen=True)
class Settings:
    """Where the tool keeps its data, and which external services it talks to."""

    home: Path
    chroma_url: str | None = None
    embedder: str | None = None
    embedding_cache_file: Path | None = None
    limits: Limits = field(default_factory=Limits)

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
            limits=Limits.from_env(),
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
