"""Page « Préconisations »: every recommendation, its source and the plan measures answering it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
import streamlit as st

from ..errors import CeserError
from ..models import Recommendation
from ..tracing import FLOOR, NO_PLAN, NO_PLAN_TEXT
from ..vocabulary import date_fr, rec_choice
from . import markup, state, widgets

COLUMNS = (
    "N°",
    "Préconisation",
    "Thèmes",
    "Document",
    "Instance",
    "Date",
    "Page",
    "Réponse du plan",
    "Score",
    "Identifiant",
)


Cover = tuple[str, float | None, bool, str]  # best measure with its plan, score, covered, status


@st.cache_data(show_spinner="Rapprochement des préconisations et des plans…", max_entries=4)
def _coverage(home: str, version: str) -> dict[str, Cover]:
    """Return {rec id: (best measure with its plan, score, covered, status)} for every avis
    (stored in the catalog after ingest: read back, not recomputed)."""
    rows = state.workspace_at(home, version).coverage()
    return {
        r.recommendation.rec_id: (
            r.best.named if r.best else "",
            r.best.score if r.best else None,
            bool(r.covered),
            r.status,
        )
        for r in rows
    }


def plan_answer(cover: Cover | None) -> str:
    """The « Réponse du plan » cell: the measure with its plan, « aucune », or no plan."""
    if cover is None:
        return ""
    named, _, covered, status = cover
    if status == NO_PLAN:
        return NO_PLAN_TEXT
    return named if covered else "aucune"


@st.cache_data(show_spinner="Recherche des mesures qui y répondent…", max_entries=64)
def _trace(home: str, version: str, rec_id: str) -> dict[str, Any]:
    found = state.workspace_at(home, version).trace(rec_id, k=5)
    result: dict[str, Any] = found.to_dict()
    return result


def table_rows(
    recs: Sequence[Recommendation],
    names: Mapping[str, str],
    cover: Mapping[str, Cover],
) -> list[dict[str, Any]]:
    """Return one row per recommendation with the columns of the table and of the exports."""
    rows = []
    for r in recs:
        info = r.document
        best = cover.get(r.rec_id)
        rows.append(
            {
                "N°": r.number,
                "Préconisation": r.text,
                "Thèmes": markup.themes_text(r.labels, r.review, names),
                "Document": info.title if info else "",
                "Instance": info.body if info else "",
                "Date": date_fr(info.date) if info else "",
                "Page": r.page,
                "Réponse du plan": plan_answer(best),
                "Score": round(best[1], 2) if best and best[1] is not None else None,
                "Identifiant": r.rec_id,
            }
        )
    return rows


def _filtered(recs: list[Recommendation], names: Mapping[str, str]) -> list[Recommendation]:
    docs = sorted({(r.document.file, r.document.title) for r in recs if r.document})
    titles = dict(docs)
    if st.session_state.get("r_doc", "") not in titles:
        st.session_state["r_doc"] = ""
    a, b, c = st.columns([2, 2, 1], vertical_alignment="bottom")
    doc = a.selectbox(
        "Avis",
        ["", *titles],
        key="r_doc",
        persist_state="session",
        format_func=lambda v: titles.get(v, v) or "Tous les avis",
    )
    text = b.text_input(
        "Contient", key="r_text", persist_state="session", placeholder="ex. : apprentissage"
    )
    numbered = c.toggle(
        "Numérotées seulement",
        key="r_numbered",
        persist_state="session",
        help="Masquer les préconisations repérées dans le cours du texte.",
    )
    themes = st.pills(
        "Thèmes",
        list(names),
        selection_mode="multi",
        key="r_themes",
        persist_state="session",
        format_func=lambda k: names.get(k, k),
    )
    out = []
    needle = (text or "").strip().lower()
    for r in recs:
        if doc and (r.document is None or r.document.file != doc):
            continue
        if numbered and r.number is None:
            continue
        if needle and needle not in r.text.lower():
            continue
        if themes and not set(themes) & set(r.labels):
            continue
        out.append(r)
    return out


def _selected(recs: list[Recommendation], event: Any) -> Recommendation | None:
    ids = [r.rec_id for r in recs]
    rows = list(getattr(getattr(event, "selection", None), "rows", []) or [])
    picked = ids[rows[0]] if rows and rows[0] < len(ids) else None
    if picked is not None and picked != st.session_state.get("r_table_last"):
        st.session_state["r_pick"] = picked
    st.session_state["r_table_last"] = picked
    if st.session_state.get("r_pick") not in ids:
        st.session_state["r_pick"] = None
    labels = {r.rec_id: rec_choice(r) for r in recs}
    chosen = st.selectbox(
        "Examiner une préconisation",
        ids,
        key="r_pick",
        format_func=lambda v: labels.get(v, v),
        placeholder="Choisissez-en une, ou cliquez sur une ligne du tableau",
        help="Montre sa source dans la page et les mesures qui y répondent.",
    )
    return next((r for r in recs if r.rec_id == chosen), None)


def _matches(ctx: state.Context, r: Recommendation) -> None:
    try:
        trace = _trace(*ctx.key, r.rec_id)
    except CeserError as e:
        st.info(markup.md(f"Rapprochement indisponible : {e}"))
        return
    matches = [m for m in trace.get("matches", []) if m["score"] >= FLOOR]
    if not trace.get("answered"):
        st.warning(
            "Aucune mesure du plan ne répond clairement à cette préconisation "
            f"(aucun score au-dessus du seuil {markup.score_fr(trace.get('threshold', 0))})."
        )
    if not matches:
        st.caption(
            f"Aucune mesure n'atteint le plancher {markup.score_fr(FLOOR)} : "
            "les plans du catalogue ne traitent pas de ce sujet."
        )
        return
    df = pd.DataFrame(
        [
            {
                "Score": round(m["score"], 2),
                "Répond": "oui" if m["answers"] else "non",
                "Mesure": _named(m) + (f" · {m['part']}" if m.get("part") else ""),
                "Termes communs": ", ".join(m.get("terms", [])),
                "Plan": (m.get("document") or {}).get("title", ""),
                "Page": m["page"],
            }
            for m in matches
        ]
    )
    st.dataframe(
        df,
        hide_index=True,
        width="stretch",
        column_config={
            "Score": st.column_config.ProgressColumn(
                "Score", min_value=0.0, max_value=1.0, format="localized", width="small"
            ),
            "Répond": st.column_config.TextColumn("Répond", width="small"),
            "Mesure": st.column_config.TextColumn("Mesure", width="large"),
            "Page": st.column_config.NumberColumn("Page", width="small"),
        },
    )
    st.caption(
        "Score : proximité de sens et termes communs ; « oui » au-delà du seuil "
        f"{markup.score_fr(trace.get('threshold', 0))} ; rien n'est montré sous "
        f"{markup.score_fr(FLOOR)}."
    )
    _measure_source(ctx, matches)


def _named(m: Mapping[str, Any]) -> str:
    plan = m.get("plan") or (m.get("document") or {}).get("title", "")
    return f"{m['label']} — {plan}" if plan else str(m["label"])


def _measure_source(ctx: state.Context, matches: Sequence[Mapping[str, Any]]) -> None:
    """Let the user open a measure's page, its box framed."""
    ids = [m["id"] for m in matches if m.get("kind") == "measure"]
    if not ids:
        return
    names = {m["id"]: _named(m) for m in matches}
    chosen = st.selectbox(
        "Voir une mesure dans son plan",
        ids,
        index=None,
        key="r_measure",
        format_func=lambda v: names.get(v, v),
        placeholder="Choisissez une mesure pour ouvrir sa page",
    )
    if chosen is None:
        return
    measure = next((m for m in state.measures(*ctx.key) if m.measure_id == chosen), None)
    if measure is None:
        st.warning("Cette mesure n'est plus dans le catalogue : rouvrez la page.")
        return
    widgets.source_view(
        ctx, measure.doc_id, measure.boxes, measure.page, f"m-{measure.measure_id}", beside=False
    )


def _detail(ctx: state.Context, r: Recommendation, names: Mapping[str, str]) -> None:
    with st.container(border=True):
        tag = f"Préconisation n°{r.number}" if r.number is not None else "Préconisation"
        st.html(markup.hit_html(None, r.text, (), tag))
        widgets.badges(r.themes, r.labels, r.review, names)
        widgets.citation(widgets.citation_line(r.document, r.page, r.boxes))
        left, right = st.columns([1, 1])
        with left:
            st.subheader("Source", divider="gray")
            widgets.source_view(ctx, r.doc_id, r.boxes, r.page, r.rec_id, beside=False)
        with right:
            st.subheader("Mesures du plan qui y répondent", divider="gray")
            _matches(ctx, r)


def render() -> None:
    """Draw the recommendations page."""
    ctx = state.context()
    names = state.theme_names(ctx)
    st.title("Préconisations")
    recs = state.recommendations(*ctx.key)
    if not recs:
        st.info("Aucune préconisation dans le catalogue : importez un avis (page « Import »).")
        return
    shown = _filtered(recs, names)
    cover: dict[str, Cover] = {}
    if st.toggle(
        "Montrer la mesure du plan qui répond le mieux à chacune",
        key="r_cover",
        persist_state="session",
        help="Rapproche chaque préconisation des mesures des plans qui traitent du sujet de "
        "son avis (calculé à l'import et conservé dans le catalogue).",
    ):
        try:
            cover = _coverage(*ctx.key)
        except CeserError as e:
            st.caption(markup.md(f"Rapprochement avec les plans indisponible : {e}"))
    rows = table_rows(shown, names, cover)
    st.caption(f"{len(shown)} préconisations sur {len(recs)}.")
    table = pd.DataFrame(rows, columns=list(COLUMNS))
    # from the rows, not the frame: pandas turns [1, None] into floats (« 1.0 », « nan »), and
    # Streamlit shows a missing integer as « None »
    table["N°"] = ["" if row["N°"] is None else str(row["N°"]) for row in rows]
    event = st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        key="r_table",
        on_select="rerun",
        selection_mode="single-row",
        column_order=[c for c in COLUMNS if c != "Identifiant"],
        column_config={
            "N°": st.column_config.TextColumn("N°", width="small"),
            "Préconisation": st.column_config.TextColumn("Préconisation", width="large"),
            "Thèmes": st.column_config.TextColumn("Thèmes", width="medium"),
            "Document": st.column_config.TextColumn("Document", width="medium"),
            "Réponse du plan": st.column_config.TextColumn("Réponse du plan", width="medium"),
            "Page": st.column_config.NumberColumn("Page", width="small"),
            "Score": st.column_config.NumberColumn("Score", format="localized", width="small"),
        },
    )
    widgets.export_buttons(rows, COLUMNS, "preconisations", "Préconisations", "r")
    chosen = _selected(shown, event)
    if chosen is not None:
        _detail(ctx, chosen, names)
