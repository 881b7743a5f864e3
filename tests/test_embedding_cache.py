"""Nothing embedded twice: a re-ingested file whose passages did not change costs no model call.

The embedding cache is keyed by the embedder's id and the embedded text: a file saved again
(new bytes, new hash, new passage ids) but with the same text gets its vectors from the cache.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from ceser_explorer import Workspace
from ceser_explorer.config import Settings

# classify.apply is also the name of a function: reach the module itself
APPLY = importlib.import_module("ceser_explorer.classify.apply")


@pytest.fixture
def fake_everywhere(fake_cls, monkeypatch):
    """One counting fake embedder, given to the workspace (which hands it to the vector
    sync); no theme model (training one for the fake embedder would take most of the test's
    time, and themes are not what it checks)."""
    fake = fake_cls()
    monkeypatch.setattr(APPLY, "has_model", lambda settings: False)
    return fake


def test_reingest_of_unchanged_passages_makes_no_model_call(
    tmp_path: Path, sample_pdf, fake_everywhere
):
    fake = fake_everywhere
    pdf = sample_pdf("two_columns.pdf", tmp_path / "in")
    with Workspace(Settings(home=tmp_path / "home"), embedder=fake) as ws:
        first = ws.ingest([pdf.parent])
        assert first.summary.added and first.derived.vectors["embedded"] > 0
        assert not first.derived.problems
        calls, texts = fake.calls, fake.texts
        passages = first.derived.vectors["passages"]

        # saved again: new bytes, so the file is read again and its passages stored anew
        with pdf.open("ab") as f:
            f.write(b"\n% saved again\n")
        again = ws.ingest([pdf.parent])
        assert again.summary.updated == [str(pdf.parent / pdf.name)]
        vectors = again.derived.vectors
        assert vectors["added"] == passages and vectors["deleted"] == passages
        assert vectors["embedded"] == 0 and vectors["from_cache"] == passages
        assert (fake.calls, fake.texts) == (calls, texts), "an unchanged text was embedded"
        assert not again.derived.problems
