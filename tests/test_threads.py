"""The explorer's sessions are threads that share one searcher: what they share is thread-safe."""

from __future__ import annotations

import threading
import time

import snowballstemmer

from ceser_explorer import analysis
from ceser_explorer.catalog import Catalog
from ceser_explorer.config import Settings
from ceser_explorer.search import postings as bm25

ROOTS = ("apprentissage", "formation", "régional", "mobilité", "essayer", "université", "yeux")


def _in_threads(target, n: int = 8) -> None:  # type: ignore[no-untyped-def]
    threads = [threading.Thread(target=target) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def test_stemming_from_many_threads_gives_the_stems_of_one():
    # a shared Snowball stemmer raised IndexError and cut words under another thread's cursor
    words = [f"{root}{suffix}" for root in ROOTS for suffix in ("", "s", "ment", "aient", "ions")]
    words = [f"{w}{i}" if i else w for i in range(300) for w in words]
    reference = snowballstemmer.stemmer("french")
    expected = {w: analysis.fold(reference.stemWord(w)) for w in words}
    analysis.stem.cache_clear()  # every word goes to the stemmer, none to the cache
    errors: list[BaseException] = []
    wrong: list[str] = []

    def work() -> None:
        for w in words:
            try:
                if analysis.stem(w) != expected[w]:
                    wrong.append(w)
            except Exception as e:
                errors.append(e)

    _in_threads(work)
    analysis.stem.cache_clear()
    assert errors == [] and wrong == []


def test_sessions_wait_for_one_postings_rebuild(tmp_path, store_doc, monkeypatch):
    settings = Settings(home=tmp_path)
    with Catalog(settings.ensure().catalog_path) as cat:
        store_doc(cat, "a.pdf", ["La formation des apprentis.", "Les mobilités du quotidien."])
        bm25.postings(cat)
        store_doc(cat, "b.pdf", ["Un autre avis sur la formation."])  # a new generation
        builds = []
        build = bm25.Bm25Index.build.__func__  # type: ignore[attr-defined]

        def counted(cls, db):  # type: ignore[no-untyped-def]
            builds.append(1)
            time.sleep(0.3)  # a build of 100,000 passages takes seconds: the others arrive
            return build(cls, db)

        monkeypatch.setattr(bm25.Bm25Index, "build", classmethod(counted))
        bm25.index_path(settings.catalog_path).unlink(missing_ok=True)
        seen: list[int] = []
        _in_threads(lambda: seen.append(bm25.postings(cat).generation))
    assert len(builds) == 1 and len(set(seen)) == 1 and len(seen) == 8
