"""Page « Documents »: what the catalog holds, per document, with theme charts and failures."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from ..models import Document, Passage, Recommendation
from ..vocabulary import FIELD_LABELS, DocKind, date_fr, shorten
from . import markup, state


def document_rows(
    docs: Sequence[Document],
    passages: Sequence[Passage],
    recs: Sequence[Recommendation],
    n_measures: Mapping[int, int],
) -> list[dict[str, Any]]:
    """Return one row of figures per document."""
    n_pass = Counter(p.doc_id for p in passages)
    n_recs = Counter(r.doc_id for r in recs)
    n_numbered = Counter(r.doc_id for r in recs if r.number is not None)
    return [
        {
            "Titre": d.title or d.file,
            "Fichier": d.file,
            "Type": DocKind.of(d.kind).label,
            "Instance": d.body,
            "Date": date_fr(d.date),
            "Pages": d.page_count,
            "Passages": n_pass[d.doc_id],
            "Préconisations": n_recs[d.doc_id],
            "dont numérotées": n_numbered[d.doc_id],
            "Mesures": n_measures.get(d.doc_id, 0),
            "Pages OCR": ", ".join(map(str, d.ocr_pages)),
            "Pages sans texte": ", ".join(map(str, d.textless_pages)),
        }
        for d in docs
    ]


def theme_shares(
    docs: Sequence[Document], passages: Sequence[Passage], names: Mapping[str, str]
) -> pd.DataFrame:
    """Return per document (rows) the % of its passages that carry each theme (columns)."""
    total = Counter(p.doc_id for p in passages)
    counts: dict[int, Counter[str]] = {d.doc_id: Counter() for d in docs}
    for p in passages:
        counts.setdefault(p.doc_id, Counter()).update(p.labels)
    labels = [shorten(d.title or d.file, 38) for d in docs]
    twice = {label for label in labels if labels.count(label) > 1}
    data = {
        # two documents whose titles start alike keep a row each: the file names them apart
        (f"{shorten(d.title or d.file, 30)} ({d.file})" if label in twice else label): {
            names.get(k, k): round(100 * counts[d.doc_id][k] / max(total[d.doc_id], 1), 1)
            for k in names
        }
        for d, label in zip(docs, labels, strict=True)
    }
    return pd.DataFrame.from_dict(data, orient="index")


def shares_chart(shares: pd.DataFrame) -> alt.Chart:
    """Return the bars of theme_shares: one group per document, its label whole (Streamlit's
    bar chart cut labels to some twenty characters, « L'intelligence arti… »)."""
    long = shares.rename_axis("Document").reset_index()
    long = long.melt("Document", var_name="Thème", value_name="Part")
    return (
        alt.Chart(long)
        .mark_bar()
        .encode(
            y=alt.Y("Document:N", sort=list(shares.index), title=None, axis=alt.Axis(labelLimit=0)),
            yOffset=alt.YOffset("Thème:N"),
            x=alt.X("Part:Q", title="% des passages"),
            color=alt.Color("Thème:N", legend=alt.Legend(orient="bottom", title=None)),
            tooltip=[
                alt.Tooltip("Document:N"),
                alt.Tooltip("Thème:N"),
                alt.Tooltip("Part:Q", title="% des passages"),
            ],
        )
        .properties(height=60 + 55 * len(shares))
    )


def theme_distribution(
    doc: Document, passages: Sequence[Passage], names: Mapping[str, str]
) -> pd.DataFrame:
    """Return, for one document, the passages per theme: sure ones and those to review."""
    mine = [p for p in passages if p.doc_id == doc.doc_id]
    sure = Counter(t for p in mine for t in p.labels if t not in p.review)
    review = Counter(t for p in mine for t in p.review)
    return pd.DataFrame(
        {"sûrs": [sure[k] for k in names], "à vérifier": [review[k] for k in names]},
        index=[names.get(k, k) for k in names],
    )


def _detail(
    ctx: state.Context,
    doc: Document,
    passages: Sequence[Passage],
    recs: Sequence[Recommendation],
    names: Mapping[str, str],
) -> None:
    left, right = st.columns([1, 1])
    with left:
        st.markdown(f"**{markup.md(doc.title or doc.file)}**")  # a PDF title is not markup
        facts = [
            ("Instance", doc.body or "—"),
            ("Type", DocKind.of(doc.kind).label),
            ("Date", date_fr(doc.date) or "—"),
            ("Pages", str(doc.page_count)),
            ("Passages", str(sum(p.doc_id == doc.doc_id for p in passages))),
            ("Préconisations", str(sum(r.doc_id == doc.doc_id for r in recs))),
            ("Pages lues par OCR", ", ".join(map(str, doc.ocr_pages)) or "aucune"),
            ("Pages sans texte", ", ".join(map(str, doc.textless_pages)) or "aucune"),
            ("Fichier", doc.path),
        ]
        st.table(pd.DataFrame(facts, columns=["", "Valeur"]).set_index(""))
        if doc.guessed:
            fields = ", ".join(FIELD_LABELS.get(f, f) for f in doc.guessed)
            st.caption(
                f"Devinés faute de mieux : {fields}. Pour les corriger, écrivez-les dans un "
                "fichier metadata.toml à côté du PDF, une table par fichier : "
                f'« ["{markup.md(doc.file)}"] » puis par exemple « date = "2025-11-12" » ou '
                '« title = "…" », et indexez de nouveau.'
            )
        path = Path(doc.path)
        if path.is_file():
            st.download_button(
                "Télécharger le PDF",
                path.read_bytes(),
                doc.file,
                "application/pdf",
                key=f"doc-pdf-{doc.doc_id}",
                icon=":material/download:",
                on_click="ignore",
            )
    with right:
        st.markdown("**Répartition des passages par thème**")
        if names:
            st.bar_chart(
                theme_distribution(doc, passages, names),
                stack=True,
                horizontal=True,
                y_label="passages",
                height=260,
                sort=False,
                color=["#1f4e79", "#e0a040"],
            )
        else:
            st.caption("Thèmes non calculés : lancez « ceser classify apply ».")


def render() -> None:
    """Draw the documents page."""
    ctx = state.context()
    names = state.theme_names(ctx)
    st.title("Documents")
    docs = state.documents(*ctx.key)
    stats = ctx.catalog.stats()
    cols = st.columns(6)
    for col, (label, key) in zip(
        cols,
        (
            ("Documents", "documents"),
            ("Pages", "pages"),
            ("Passages", "passages"),
            ("Préconisations", "recommendations"),
            ("Mesures", "measures"),
            ("Échecs", "failures"),
        ),
        strict=True,
    ):
        col.metric(label, stats[key])
    if stats["ocr_pages"]:
        st.caption(f"{stats['ocr_pages']} pages lues par OCR.")
    failures = ctx.catalog.failures()
    if not docs and not failures:
        st.info("Le catalogue est vide : ajoutez des PDF depuis la page « Import ».")
        return
    passages = state.passages(*ctx.key)
    recs = state.recommendations(*ctx.key)
    n_measures = Counter(m.doc_id for m in state.measures(*ctx.key))
    st.dataframe(
        pd.DataFrame(document_rows(docs, passages, recs, n_measures)),
        hide_index=True,
        width="stretch",
    )
    if docs and names:
        st.subheader("Thèmes par document", divider="gray")
        st.caption("Part des passages de chaque document qui relèvent de chaque thème (%).")
        st.altair_chart(shares_chart(theme_shares(docs, passages, names)), width="stretch")
    if docs:
        st.subheader("Détail d'un document", divider="gray")
        titles = {d.doc_id: f"{d.title or d.file} ({d.file})" for d in docs}
        chosen = st.selectbox(
            "Document", list(titles), key="d_doc", format_func=lambda i: titles.get(i, str(i))
        )
        doc = next((d for d in docs if d.doc_id == chosen), docs[0])
        _detail(ctx, doc, passages, recs, names)
    st.subheader("Échecs d'import", divider="gray")
    if failures:
        st.dataframe(
            pd.DataFrame(failures, columns=["Fichier", "Erreur"]), hide_index=True, width="stretch"
        )
    else:
        st.caption("Aucun échec : tous les fichiers du dossier ont été lus.")
