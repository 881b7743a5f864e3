"""What is pending, what is damaged, and the repair: ``ceser status``, ``ceser check [--repair]``.

The catalog is the source of truth; everything else is derived from it and can be rebuilt:
the full-text index, the BM25 postings file, the vectors (Chroma), the embedding cache, the
theme scores and the stored coverage. ``check`` looks at each piece and names what is wrong
in one line; with ``repair`` it rebuilds the piece, looks again, and says what it could not
fix (a damaged catalog page, a PDF missing or changed on disk: those need the user).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from .errors import CeserError, EmbedderMismatchError
from .files import sha256_file
from .lock import holder
from .pace import Progress

if TYPE_CHECKING:
    from .catalog import Catalog
    from .config import Settings


class Workspace(Protocol):
    """What the checks need of a workspace (``workspace.Workspace`` is one; this module does
    not import it, the workspace calls the checks)."""

    settings: Settings

    @property
    def catalog(self) -> Catalog: ...  # read-only: the workspace opens it on first use

    def embedder_id(self) -> str: ...

    def stale_coverage(self) -> list[str]: ...

    def refresh_coverage(self) -> int: ...


@dataclass(frozen=True)
class Pending:
    """Derived work still to do: what an interrupted ingest left, or what nothing ran yet."""

    theme_documents: int = 0  # documents without scores of the current theme model
    theme_passages: int = 0
    vectors_missing: int | None = 0  # None: the vector index could not be read
    vectors_extra: int | None = 0
    postings: bool = False  # the BM25 postings file is missing, stale or unreadable
    coverage_avis: int = 0  # avis whose stored coverage is missing or stale
    writer: int | None = None  # pid of the ingest running now, if any

    @property
    def any(self) -> bool:
        return bool(
            self.theme_documents
            or self.vectors_missing
            or self.vectors_extra
            or self.postings
            or self.coverage_avis
        )

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "any": self.any}

    def line(self) -> str:
        """Return one French line saying what is pending and what finishes it ("" if none)."""
        if not self.any:
            return ""
        parts = []
        if self.theme_documents:
            parts.append(
                f"thèmes de {self.theme_passages} passages ({self.theme_documents} documents)"
            )
        if self.vectors_missing or self.vectors_extra:
            parts.append(
                f"vecteurs ({self.vectors_missing} manquants, {self.vectors_extra} en trop)"
            )
        if self.postings:
            parts.append("index BM25")
        if self.coverage_avis:
            parts.append(f"couverture de {self.coverage_avis} avis")
        what = (
            f"l'indexation en cours (pid {self.writer}) s'en charge"
            if self.writer
            else "relancez « ceser ingest » (même sans fichier changé) ou « ceser check --repair »"
        )
        return f"En attente : {', '.join(parts)} — {what}."


def pending(ws: Workspace, vectors: dict[str, Any] | None = None) -> Pending:
    """Return what derived data the catalog says is still to compute (no model loaded);
    vectors: a ``vector_status`` result already at hand."""
    from .catalog import themes
    from .classify.apply import SKIPPED_KINDS
    from .classify.apply import pending as themes_pending
    from .index.embedders import original_id
    from .index.sync import vector_status
    from .search.postings import generation, index_path, saved_generation

    catalog = ws.catalog
    docs = themes_pending(ws.settings, catalog, original_id(ws.embedder_id()))
    missing: int | None
    extra: int | None
    try:
        vectors = vectors if vectors is not None else vector_status(ws.settings, catalog)
        missing, extra = int(vectors["missing"]), int(vectors["extra"])
    except Exception:  # unreachable server, damaged store: ceser check says which
        missing = extra = None
    gen = saved_generation(index_path(catalog.path))
    return Pending(
        theme_documents=len(docs),
        theme_passages=themes.count_passages(catalog, docs, sorted(SKIPPED_KINDS)),
        vectors_missing=missing,
        vectors_extra=extra,
        postings=gen != generation(catalog.db),
        coverage_avis=len(ws.stale_coverage()),
        writer=holder(ws.settings.home),
    )


# -- check and repair ------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """One problem: the piece (area), what is wrong (naming the file), whether --repair fixed
    it, and what to do when it did not."""

    area: str
    problem: str
    repaired: bool = False
    fix: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class CheckReport:
    """Every finding of a check, and whether a repair was asked."""

    repair: bool = False
    findings: list[Finding] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)
    writer: int | None = None  # pid of an ingest running during the check (not with repair)

    @property
    def remaining(self) -> list[Finding]:
        return [f for f in self.findings if not f.repaired]

    @property
    def ok(self) -> bool:
        return not self.remaining

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "repair": self.repair,
            "checked": self.checked,
            "problems": [f.to_dict() for f in self.findings],
            "remaining": len(self.remaining),
            "writer": self.writer,
        }


Area = tuple[str, Callable[["Workspace"], list[Finding]], Callable[["Workspace"], None] | None]

REPAIR_HINT = "lancez « ceser check --repair »"


def _catalog(ws: Workspace) -> list[Finding]:
    from .catalog import upkeep

    path = ws.catalog.path
    bad = upkeep.integrity(ws.catalog)
    if bad:
        return [
            Finding(
                "catalogue",
                f"{path} endommagé : {'; '.join(bad[:3])}",
                fix="restaurez la dernière copie (« ceser backup ») à sa place, puis relancez "
                "« ceser ingest » pour les PDF ajoutés depuis",
            )
        ]
    out = [
        Finding("catalogue", f"{path} : {len(rows)} lignes de {table} sans parent", fix=REPAIR_HINT)
        for table, rows in sorted(upkeep.foreign_key_orphans(ws.catalog).items())
    ]
    out += [
        Finding(
            "catalogue",
            f"{path} : {problem}",
            fix="relancez « ceser ingest » sur les fichiers concernés après les avoir retirés "
            "(« ceser ingest DOSSIER --prune »)",
        )
        for problem in ws.catalog.integrity_problems()
        if "full-text" not in problem
    ]
    return out


def _repair_catalog(ws: Workspace) -> None:
    from .catalog import upkeep

    upkeep.delete_orphans(ws.catalog, upkeep.foreign_key_orphans(ws.catalog))


def _full_text(ws: Workspace) -> list[Finding]:
    from .catalog import upkeep

    problem = upkeep.full_text_problem(ws.catalog)
    if problem is None:
        return []
    return [Finding("plein texte", f"{ws.catalog.path} : {problem}", fix=REPAIR_HINT)]


def _repair_full_text(ws: Workspace) -> None:
    from .catalog import upkeep

    upkeep.rebuild_full_text(ws.catalog)


def _postings(ws: Workspace) -> list[Finding]:
    from .search.postings import generation, index_path, saved_generation

    path = index_path(ws.catalog.path)
    gen = generation(ws.catalog.db)
    if not path.exists():
        problem = "absent"
    else:
        saved = saved_generation(path)
        if saved == gen:
            return []
        problem = "illisible (tronqué ou endommagé)" if saved is None else "périmé"
    return [Finding("bm25", f"index BM25 {path} {problem}", fix=REPAIR_HINT)]


def _repair_postings(ws: Workspace) -> None:
    from .search.postings import refresh

    refresh(ws.catalog)


def _embedding_cache(ws: Workspace) -> list[Finding]:
    from .index.cache import check_file

    path = ws.settings.embedding_cache
    problem = check_file(path)
    if problem is None:
        return []
    return [Finding("cache", f"cache d'embeddings {path} endommagé ({problem})", fix=REPAIR_HINT)]


def _repair_embedding_cache(ws: Workspace) -> None:
    from .index.cache import EmbeddingCache, check_file

    with EmbeddingCache(ws.settings.embedding_cache) as cache:  # sets a foreign file aside
        if check_file(ws.settings.embedding_cache) is not None:
            cache.reset()


def _vectors(ws: Workspace) -> list[Finding]:
    from .index.store import VectorStoreDamagedError
    from .index.sync import vector_diff

    where = ws.settings.chroma_url or ws.settings.chroma_path
    try:
        diff = vector_diff(ws.settings, ws.catalog)
    except (VectorStoreDamagedError, EmbedderMismatchError) as e:
        return [Finding("vecteurs", str(e), fix=REPAIR_HINT)]
    except Exception as e:  # a Chroma server that does not answer
        return [
            Finding(
                "vecteurs",
                f"index de vecteurs {where} illisible ({type(e).__name__}: {e})",
                fix="vérifiez le serveur Chroma (CESER_CHROMA_URL), puis relancez « ceser check »",
            )
        ]
    labels = {
        "missing": "passages sans vecteur",
        "extra": "vecteurs de passages disparus",
        "stale": "vecteurs d'un texte qui a changé",
        "metadata": "vecteurs aux métadonnées périmées",
    }
    return [
        Finding(
            "vecteurs",
            f"index de vecteurs {where} ({diff['embedder']}) : {n} {label}",
            fix=REPAIR_HINT,
        )
        for key, label in labels.items()
        if (n := len(diff[key]))
    ]


def _repair_vectors(ws: Workspace, progress: Progress | None = None) -> None:
    from .index.store import VectorStoreDamagedError, reset_local
    from .index.sync import rebuild_vectors, sync_vectors

    try:
        sync_vectors(ws.settings, ws.catalog, progress=progress)
    except EmbedderMismatchError:
        rebuild_vectors(ws.settings, ws.catalog, progress=progress)
    except VectorStoreDamagedError:
        if ws.settings.chroma_url:
            raise
        reset_local(ws.settings)
        sync_vectors(ws.settings, ws.catalog, progress=progress)


def _themes(ws: Workspace) -> list[Finding]:
    from .catalog import themes
    from .classify.apply import SKIPPED_KINDS
    from .classify.apply import pending as themes_pending
    from .index.embedders import original_id

    docs = themes_pending(ws.settings, ws.catalog, original_id(ws.embedder_id()))
    if not docs:
        return []
    n = themes.count_passages(ws.catalog, docs, sorted(SKIPPED_KINDS))
    return [
        Finding(
            "thèmes",
            f"{ws.catalog.path} : {len(docs)} documents ({n} passages) sans les scores du modèle "
            "de thèmes courant",
            fix=REPAIR_HINT,
        )
    ]


def _repair_themes(ws: Workspace) -> None:
    from .classify.apply import apply_pending

    apply_pending(ws.settings, ws.catalog)


def _coverage(ws: Workspace) -> list[Finding]:
    stale = ws.stale_coverage()
    if not stale:
        return []
    return [
        Finding(
            "couverture",
            f"{ws.catalog.path} : couverture absente ou périmée pour {len(stale)} avis "
            f"({', '.join(stale[:3])}{' …' if len(stale) > 3 else ''})",
            fix=REPAIR_HINT,
        )
    ]


def _repair_coverage(ws: Workspace) -> None:
    ws.refresh_coverage()


def _files(ws: Workspace) -> list[Finding]:
    out = []
    for doc in ws.catalog.documents():
        path = Path(doc.path)
        try:
            st = path.stat()
        except OSError:
            out.append(
                Finding(
                    "fichiers",
                    f"{doc.path} absent du disque",
                    fix="remettez le fichier, ou retirez le document avec « ceser ingest "
                    "DOSSIER --prune »",
                )
            )
            continue
        if st.st_size == doc.size and st.st_mtime == doc.mtime:
            continue
        try:
            same = sha256_file(path) == doc.sha256
        except OSError:
            same = False
        if not same:
            out.append(
                Finding(
                    "fichiers",
                    f"{doc.path} modifié depuis son indexation",
                    fix=f"relancez « ceser ingest {doc.path} »",
                )
            )
    return out


def check(ws: Workspace, repair: bool = False, progress: Progress | None = None) -> CheckReport:
    """Check every piece; with repair, rebuild each piece found wrong and check it again."""
    areas: list[Area] = [
        ("catalogue", _catalog, _repair_catalog),
        ("plein texte", _full_text, _repair_full_text),
        ("bm25", _postings, _repair_postings),
        ("cache", _embedding_cache, _repair_embedding_cache),
        ("vecteurs", _vectors, lambda w: _repair_vectors(w, progress)),
        ("thèmes", _themes, _repair_themes),
        ("couverture", _coverage, _repair_coverage),
        ("fichiers", _files, None),
    ]
    report = CheckReport(repair=repair, writer=None if repair else holder(ws.settings.home))
    for name, look, mend in areas:
        report.checked.append(name)
        try:
            found = look(ws)
        except (sqlite3.DatabaseError, CeserError) as e:
            found = [Finding(name, f"vérification impossible ({e})", fix=_damaged_fix(ws))]
        if not found:
            continue
        if name == "catalogue" and any("endommagé" in f.problem for f in found):
            report.findings.extend(found)  # nothing derived can be trusted from a bad page
            break
        if not repair or mend is None:
            report.findings.extend(found)
            continue
        try:
            mend(ws)
            after = look(ws)
        except (sqlite3.DatabaseError, CeserError) as e:
            report.findings.extend(found)
            report.findings.append(
                Finding(name, f"réparation impossible ({e})", fix=_damaged_fix(ws))
            )
            continue
        still = {f.problem for f in after}
        report.findings.extend(
            Finding(f.area, f.problem, repaired=f.problem not in still, fix=f.fix) for f in found
        )
        report.findings.extend(f for f in after if f.problem not in {g.problem for g in found})
    return report


def _damaged_fix(ws: Workspace) -> str:
    return (
        f"lancez « ceser check » ; si le catalogue {ws.settings.catalog_path} est endommagé, "
        "restaurez sa dernière copie (« ceser backup »)"
    )
