"""Page « Recherche »: a query in plain French, filters, and each hit traced to its page."""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import streamlit as st

from ..errors import CeserError
from ..models import Document, Hit
from ..search import REGIONS, Filters, meaningful_words
from ..vocabulary import DocKind
from ..workspace import Workspace
from . import markup, state, widgets

MODES = {"hybrid": "Hybride", "dense": "Sémantique", "lexical": "Lexicale"}
KINDS = {k.value: k.plural for k in DocKind}
# suggested when the catalog holds their words; then the subjects of its documents' titles
EXAMPLES = (
    "que propose le CESER pour former les enseignants à l'IA ?",
    "apprentissage",
    "soutien aux start-up",
    "transfert de technologie vers les PME",
)
N_EXAMPLES = 4
TOPIC_MAX_CHARS = 50
# a title's subject ends at « : », « – » or « (»: « L'eau en Occitanie : partager… »
_TOPIC_END = re.compile(r"\s+[:–—]\s+|\s+-\s+|\s*\(|\s*:\s+")
# titles that name the kind of document, not its subject
_NOT_A_TOPIC = re.compile(
    r"^(avis|contribution|rapport|projet|plan|schéma|budget|vœu|voeu|motion|délibération)\b",
    re.IGNORECASE,
)
CONFIDENCES = tuple(round(i * 0.05, 2) for i in range(21))
DEFAULTS: dict[str, Any] = {
    "f_themes": [],
    "f_conf": 0.5,
    "f_kind": "",
    "f_body": "",
    "f_doc": "",
    "f_since": "",
    "f_until": "",
    "f_recs": False,
    "f_mode": "hybrid",
    "f_k": 10,
}


@dataclass(frozen=True)
class Choice:
    """The filters chosen on the page."""

    themes: tuple[str, ...]
    min_confidence: float
    kind: str | None
    body: str | None
    doc: str | None
    since: dt.date | None
    until: dt.date | None
    recommendations_only: bool
    mode: str
    k: int

    def active(self, names: Mapping[str, str]) -> list[tuple[str, str]]:
        """Return (description, widget key) of each filter that narrows the results."""
        out = [(f"thème {names.get(t, t)}", "f_themes") for t in self.themes]
        if self.kind:
            out.append((f"type {KINDS.get(self.kind, self.kind)}", "f_kind"))
        if self.body:
            out.append((f"instance {self.body}", "f_body"))
        if self.doc:
            out.append((f"document {self.doc}", "f_doc"))
        if self.since:
            out.append((f"depuis {self.since:%Y}", "f_since"))
        if self.until:
            out.append((f"jusqu'à {self.until:%Y}", "f_until"))
        if self.recommendations_only:
            out.append(("préconisations seulement", "f_recs"))
        return out


def _reset(*keys: str) -> None:
    for key in keys:
        st.session_state[key] = DEFAULTS[key]


def _set_mode(mode: str) -> None:
    st.session_state["f_mode"] = mode


def _set_query(text: str) -> None:
    st.session_state["q"] = text


def _filters(ctx: state.Context, names: Mapping[str, str]) -> Choice:
    docs = state.documents(*ctx.key)
    for key, value in DEFAULTS.items():
        st.session_state.setdefault(key, value)
    scored = state.scored_themes(*ctx.key)
    options = [k for k in names if k in scored] + [k for k in scored if k not in names]
    # a value that the catalog no longer offers (document removed, themes recomputed) is dropped
    st.session_state["f_themes"] = [t for t in st.session_state["f_themes"] if t in options]
    if st.session_state["f_doc"] not in {d.file for d in docs}:
        st.session_state["f_doc"] = ""
    if st.session_state["f_body"] not in {d.body for d in docs}:
        st.session_state["f_body"] = ""
    years = sorted({d.date[:4] for d in docs if d.date and d.date[:4].isdigit()})
    for key in ("f_since", "f_until"):
        if st.session_state[key] not in years:
            st.session_state[key] = ""
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    themes: list[str] = []
    conf = DEFAULTS["f_conf"]
    if options:
        themes = (
            left.pills(
                "Thèmes",
                options,
                selection_mode="multi",
                key="f_themes",
                persist_state="session",
                format_func=lambda k: names.get(k, k),
            )
            or []
        )
        conf = right.select_slider(
            "Confiance minimale",
            CONFIDENCES,
            format_func=markup.score_fr,  # « 0,50 »: Streamlit's slider prints « 0.50 »
            key="f_conf",
            persist_state="session",
            help="Score minimal du thème pour qu'un passage soit retenu par le filtre.",
        )
    elif docs:  # an empty catalog is said once, below: nothing to classify yet
        left.caption(
            "Filtre par thème indisponible : les passages n'ont pas encore de thèmes "
            "(lancez « ceser classify apply »)."
        )
    left, right = st.columns([1, 2], vertical_alignment="center")
    recs = left.toggle("Préconisations seulement", key="f_recs", persist_state="session")
    mode = right.segmented_control(
        "Mode",
        list(MODES),
        key="f_mode",
        persist_state="session",
        format_func=MODES.__getitem__,
        label_visibility="collapsed",
        required=True,
        help="Hybride : sens et mots exacts réunis. Sémantique : le sens. Lexicale : les mots.",
    )
    n_more = sum(
        bool(st.session_state[k]) for k in ("f_kind", "f_body", "f_doc", "f_since", "f_until")
    )
    label = "Plus de filtres" + (f" ({n_more} actifs)" if n_more else "")
    with st.expander(label, expanded=bool(n_more)):
        a, b, c = st.columns(3)
        kind = _pick(a, "Type de document", KINDS, "f_kind", "Tous", KINDS)
        bodies = sorted({d.body for d in docs if d.body})
        body = _pick(b, "Instance", bodies, "f_body", "Toutes")
        titles = {d.file: d.title or d.file for d in docs}
        doc = _pick(c, "Document", titles, "f_doc", "Tous", titles)
        a, b, c = st.columns(3)
        since = _pick(a, "Depuis", years, "f_since", "Toutes les années")
        until = _pick(b, "Jusqu'à", years, "f_until", "Toutes les années")
        k = c.selectbox("Nombre de résultats", [5, 10, 20, 50], key="f_k", persist_state="session")
    return Choice(
        tuple(themes),
        float(conf),
        kind or None,
        body or None,
        doc or None,
        dt.date(int(since), 1, 1) if since else None,
        dt.date(int(until), 12, 31) if until else None,
        bool(recs),
        str(mode or "hybrid"),
        int(k),
    )


def _pick(
    col: Any,
    label: str,
    options: Iterable[str],
    key: str,
    blank: str,
    names: Mapping[str, str] | None = None,
) -> str:
    """Return the option chosen in a select box whose first, empty, choice means « all »."""
    shown = names or {}
    return str(
        col.selectbox(
            label,
            ["", *options],
            key=key,
            persist_state="session",
            format_func=lambda v: shown.get(v, v) or blank,
        )
    )


def title_topics(docs: Sequence[Document]) -> list[str]:
    """Return the subjects of the documents' titles, newest document first: the title up to
    its first « : » or « – », when that is a short phrase and not the kind of document."""
    topics: list[str] = []
    for d in sorted(docs, key=lambda d: d.date or "", reverse=True):
        title = " ".join((d.title or "").split())
        if not title or title == d.file:
            continue
        head = _TOPIC_END.split(title, maxsplit=1)[0].strip(" .,;")
        if head.isupper():  # « APPRENTISSAGE EN BRETAGNE » : « Apprentissage en Bretagne »
            head = head[0] + head[1:].lower()
            for region in REGIONS:
                head = re.sub(re.escape(region), region, head, flags=re.IGNORECASE)
        words = head.split()
        if (
            len(head) <= TOPIC_MAX_CHARS
            and len(words) >= 2
            and meaningful_words(words[-1])  # not a title cut short: « Décarbonation et »
            and not _NOT_A_TOPIC.match(head)
            and head.casefold() not in {x.casefold() for x in topics}
        ):
            topics.append(head)
    return topics


@st.cache_data(show_spinner=False, max_entries=8)
def suggestions(home: str, version: str, _ws: Workspace) -> list[str]:
    """Return up to N_EXAMPLES queries this catalog answers in its own words: ours (written
    for the sample documents) when it holds their words, then its documents' subjects."""
    searcher = _ws.searcher()
    topics = title_topics(state.documents(home, version))
    found: list[str] = []
    for text in (*EXAMPLES, *topics):
        if len(found) == N_EXAMPLES:
            break
        if searcher.holds_words(text):
            found.append(text)
    return found


def _examples(examples: Sequence[str]) -> None:
    if not examples:
        st.caption("Posez une question en français courant.")
        return
    st.caption("Posez une question en français courant, ou essayez :")
    cols = st.columns(len(examples))
    for col, text in zip(cols, examples, strict=True):
        col.button(
            text,
            on_click=_set_query,
            args=(text,),
            key=f"ex-{text}",
            type="tertiary",
            icon=":material/search:",
        )


def _empty(query: str, choice: Choice, names: Mapping[str, str]) -> None:
    asked = markup.md(query)
    active = choice.active(names)
    if active:
        listed = markup.md(", ".join(d for d, _ in active))
        st.warning(
            f"Aucun passage ne correspond à « {asked} » avec ces filtres : {listed}. "
            "Retirez un filtre pour élargir la recherche."
        )
        cols = st.columns(min(len(active) + 1, 4))
        for i, (desc, key) in enumerate(active):
            cols[i % len(cols)].button(
                f"Retirer : {desc}",
                key=f"rm-{i}",
                on_click=_reset,
                args=(key,),
                icon=":material/filter_alt_off:",
            )
        cols[-1].button(
            "Retirer tous les filtres",
            key="rm-all",
            on_click=_reset,
            args=tuple(k for k in DEFAULTS if k not in ("f_mode", "f_k")),
        )
    elif choice.mode == "lexical":
        st.warning(
            f"Aucun passage ne contient les mots de « {asked} ». Le mode lexical ne cherche "
            "que les mots exacts : passez en mode hybride pour chercher aussi par le sens."
        )
        st.button("Passer en mode hybride", on_click=_reset, args=("f_mode",))
    else:
        st.warning(f"Aucun passage ne correspond à « {asked} » : reformulez la question.")


def _hit(ctx: state.Context, hit: Hit, names: Mapping[str, str]) -> None:
    p = hit.passage
    tag = ""
    if hit.is_recommendation or p.kind == "recommendation":
        num = hit.recommendation_number
        tag = f"Préconisation n°{num}" if num is not None else "Préconisation"
    with st.container(border=True):
        st.html(markup.hit_html(hit.rank, p.text, hit.highlights, tag))
        widgets.badges(p.themes, p.labels, p.review, names)
        widgets.citation(widgets.citation_line(p.document, p.page, p.provenance.boxes, p.section))
        if hit.duplicates:
            st.caption(f"Même texte dans {len(hit.duplicates)} autre(s) passage(s), regroupés ici.")
        if st.toggle("Voir dans le document", key=f"src-{p.passage_id}"):
            widgets.source_view(ctx, p.doc_id, p.provenance.boxes, p.page, p.passage_id)


def render() -> None:
    """Draw the search page."""
    ctx = state.context()
    names = state.theme_names(ctx)
    st.title("Recherche")
    query = st.text_input(
        "Rechercher dans les avis et les plans",
        key="q",
        persist_state="session",
        placeholder="ex. : que propose le CESER pour former les enseignants à l'IA ?",
        help="Entrée lance la recherche.",
        icon=":material/search:",
    )
    choice = _filters(ctx, names)
    stats = ctx.catalog.stats()
    if not stats["documents"]:
        st.info("Le catalogue est vide : ajoutez des PDF depuis la page « Import ».")
        return
    try:
        searcher = state.searcher(ctx)  # loaded once, before the first query
    except CeserError as e:
        st.error(markup.md(str(e)))
        return
    query = (query or "").strip()
    if not query:
        _examples(suggestions(*ctx.key, searcher))
        st.caption(
            "Dans le catalogue : "
            + ", ".join(
                f"{stats[key]} {word}{'s' if stats[key] > 1 else ''}"
                for key, word in (
                    ("documents", "document"),
                    ("passages", "passage"),
                    ("recommendations", "préconisation"),
                )
            )
            + "."
        )
        return
    try:
        filters = Filters(
            themes=tuple(choice.themes),
            min_confidence=choice.min_confidence,
            kind=choice.kind,
            body=choice.body,
            doc=choice.doc,
            since=choice.since.isoformat() if choice.since else None,
            until=choice.until.isoformat() if choice.until else None,
            recommendations_only=choice.recommendations_only,
        )
        start = time.perf_counter()
        hits = searcher.search(query, k=choice.k, mode=choice.mode, filters=filters)
        elapsed = time.perf_counter() - start
    except CeserError as e:
        st.error(markup.md(str(e)))
        if choice.mode != "lexical":
            st.button("Chercher en mode lexical", on_click=_set_mode, args=("lexical",))
        return
    if not hits:
        _empty(query, choice, names)
        return
    added = searcher.synonyms(query) if choice.mode != "dense" else []
    widened = ""
    if added:
        shown = ", ".join(f"« {a} »" for a in added[:6]) + (" …" if len(added) > 6 else "")
        widened = f" · recherche élargie à {shown}"
    read = searcher.intent(query).notes
    if read:
        widened += " · question lue : " + " ; ".join(read)
    st.caption(
        f"{len(hits)} résultats en {elapsed * 1000:.0f} ms · mode {MODES[choice.mode].lower()}"
        + markup.md(widened)
    )
    limited = searcher.restriction(query, filters).note()
    if limited:
        st.caption(markup.md(f"Recherche limitée : {limited}"))
    for hit in hits:
        _hit(ctx, hit, names)
    _exports(hits, names)


EXPORT_COLUMNS = (
    "Rang",
    "Passage",
    "Préconisation n°",
    "Thèmes",
    "Document",
    "Instance",
    "Date",
    "Page",
    "Section",
    "Citation",
    "Score",
)


def export_rows(hits: Iterable[Hit], names: Mapping[str, str]) -> list[dict[str, Any]]:
    """Return one row per hit with its text, provenance and citation (the exports' rows)."""
    rows = []
    for hit in hits:
        p, info = hit.passage, hit.passage.document
        rows.append(
            {
                "Rang": hit.rank,
                "Passage": p.text,
                "Préconisation n°": hit.recommendation_number,
                "Thèmes": ", ".join(names.get(t, t) for t in p.labels),
                "Document": info.title if info else "",
                "Instance": info.body if info else "",
                "Date": widgets.date_fr(info.date) if info else "",
                "Page": p.page,
                "Section": p.section,
                "Citation": widgets.citation_line(info, p.page, p.provenance.boxes, p.section),
                "Score": round(hit.score, 4),
            }
        )
    return rows


def _exports(hits: list[Hit], names: Mapping[str, str]) -> None:
    rows = export_rows(hits, names)
    widgets.export_buttons(rows, EXPORT_COLUMNS, "recherche", "Recherche", "s")
