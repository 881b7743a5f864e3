"""One vector per passage: the theme classifier reads the vector the index stores.

At ingest the vector index embeds each searchable passage with its section path in front,
and the theme model reads that same vector (``index.passage_text``): a passage is handed to
the model once, whichever step asks first (the cache aside, which makes the second free).
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from ceser_explorer import Workspace
from ceser_explorer.classify.apply import SKIPPED_KINDS, section_members
from ceser_explorer.classify.model import Params, fit, model_path
from ceser_explorer.classify.store import read_model, to_arrays, write_model
from ceser_explorer.classify.taxonomy import LabelledPassage, load_taxonomy
from ceser_explorer.config import Settings
from ceser_explorer.index.passage_text import context_text

WORDS = {
    "formation": "formation des apprentis lycées apprentissage orientation",
    "emploi": "emploi recrutement chômage demandeurs métiers",
    "recherche": "recherche laboratoires doctorants chercheurs université",
    "innovation": "innovation startups entreprises transfert technologique",
}


class Recording:
    """A fake embedder that keeps every text it is asked to encode."""

    def __init__(self, fake_cls) -> None:
        self.inner = fake_cls()
        self.id, self.dim = self.inner.id, self.inner.dim
        self.texts: list[str] = []

    def encode_passages(self, texts):
        self.texts.extend(texts)
        return self.inner.encode_passages(texts)

    def encode_queries(self, texts):
        return self.inner.encode_queries(texts)


def small_model(embedder, settings: Settings) -> None:
    """Train a tiny theme model for the fake embedder into the data folder (it wins)."""
    tax = load_taxonomy()
    passages = [
        LabelledPassage(f"{key}{i}", f"{words} {i} " * (i + 1), (key,), "train")
        for key, words in WORDS.items()
        for i in range(4)
    ] + [
        LabelledPassage(f"none{i}", f"budget transports routes {i} " * (i + 1), (), "train")
        for i in range(6)
    ]
    texts = [p.text for p in passages]
    model = fit(passages, embedder.encode_passages(texts), tax, embedder.id, Params(c_grid=(1.0,)))
    write_model(model, model_path(settings))


def test_ingest_hands_each_passage_to_the_model_once(tmp_path: Path, sample_pdf, fake_cls):
    embedder = Recording(fake_cls)
    settings = Settings(home=tmp_path / "home")
    small_model(embedder.inner, settings.ensure())
    pdf = sample_pdf("two_columns.pdf", tmp_path / "in")
    with Workspace(settings, embedder=embedder) as ws:
        report = ws.ingest([pdf.parent])
        assert report.summary.added and not report.derived.problems
        assert report.derived.themed > 0 and report.derived.vectors["embedded"] > 0
        catalog = ws.catalog
        passages = [p for p in catalog.passages() if p.kind not in SKIPPED_KINDS]
        section_of = {p.passage_id: p.section for p in catalog.passages()}
        recs = catalog.recommendations()
    limit = settings.limits.embed_chars
    assert any(p.section for p in passages)  # the two texts of a passage would differ
    # a heading with passages under it reads their vectors: it is not encoded
    under = section_members(passages)
    assert under, "the sample should have a heading with passages under it"
    expected = {
        context_text(p.text, p.section, max_chars=limit)
        for i, p in enumerate(passages)
        if i not in under
    } | {context_text(r.text, section_of[r.passage_id], max_chars=limit) for r in recs}
    twice = [t for t, n in Counter(embedder.texts).items() if n > 1]
    assert not twice, f"{len(twice)} texts encoded twice, e.g. {twice[0][:80]!r}"
    # the themes and the index asked for the same texts: one encoding per passage
    assert set(embedder.texts) == expected
    assert not {p.text for p in passages if p.section} & set(embedder.texts)


def test_a_model_of_an_earlier_version_reads_the_text_alone(tmp_path: Path, fake_cls):
    embedder = fake_cls()
    settings = Settings(home=tmp_path / "home").ensure()
    small_model(embedder, settings)
    path = model_path(settings)
    model = read_model(path)
    assert model.context == "section"
    # the file an earlier version wrote: the same arrays, no "context" in its metadata
    arrays = to_arrays(model)
    meta = json.loads(bytes(arrays["meta"]).decode())
    del meta["context"]
    arrays["meta"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    np.savez_compressed(tmp_path / "old.npz", **arrays)
    old = read_model(tmp_path / "old.npz")
    assert old.context == "none"
    texts, sections = ["Former les apprentis au lycée."], ["Formation professionnelle"]
    plain = old.vectors(texts, sections, embedder)
    with_section = read_model(path).vectors(texts, sections, embedder)
    np.testing.assert_allclose(plain, embedder.encode_passages(texts))
    np.testing.assert_allclose(
        with_section, embedder.encode_passages(["Formation professionnelle\n" + texts[0]])
    )
    with pytest.raises(ValueError, match="one section per text"):
        old.vectors(texts, [], embedder)


def test_a_heading_is_scored_on_the_vectors_of_its_section(tmp_path: Path, sample_pdf, fake_cls):
    from ceser_explorer.catalog.themes import themes_for_passages
    from ceser_explorer.classify.packaged import load_model

    embedder = fake_cls()
    settings = Settings(home=tmp_path / "home")
    small_model(embedder, settings.ensure())
    pdf = sample_pdf("two_columns.pdf", tmp_path / "in")
    with Workspace(settings, embedder=embedder) as ws:
        ws.ingest([pdf.parent])
        passages = [p for p in ws.catalog.passages() if p.kind not in SKIPPED_KINDS]
        stored = themes_for_passages(ws.catalog)
    model = load_model(settings, embedder.id)
    limit = settings.limits.embed_chars
    under = section_members(passages)
    assert under
    for i, members in under.items():
        heading = passages[i]
        path = f"{heading.section} > {heading.text}" if heading.section else heading.text
        assert all(
            passages[j].section == path or passages[j].section.startswith(path + " > ")
            for j in members
        )
        vectors = embedder.encode_passages(
            [context_text(passages[j].text, passages[j].section, max_chars=limit) for j in members]
        )
        mean = vectors.mean(axis=0)
        expected = model.scores([heading.text], (mean / np.linalg.norm(mean))[None, :])[0]
        got = stored[heading.passage_id][0]
        np.testing.assert_allclose([got[k] for k in model.keys], expected, rtol=1e-5, atol=1e-6)
