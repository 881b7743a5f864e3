"""Bank TOML -> ir.Document: seeded house style and phrasing of one document."""

from __future__ import annotations

import random
import re
import tomllib
import zlib
from datetime import date
from pathlib import Path

from . import ir, parts
from . import phrasing as ph
from .phrasing import typo

# what each producer can render, when it restricts the choice
HYPHENS = {"reportlab": ["-"], "chromium": ["\u2010"],  # chromium: soft hyphens, printed ‐
           "fpdf2": ["-", "\u00ad", "\u2010", "\u2011", "\u2212"]}
HEAD_MODES = {"chromium": ["all", "all_but_cover", "odd_even"]}
FOOTNOTES = {"reportlab": ["none", "foot", "foot", "end"], "libreoffice": ["none", "foot", "end"],
             "typst": ["none", "foot", "end"]}
HEADERS = ["{title}", "{body} – {label}", "{label} – {title}", "{body}", "{label} · {date}", None]
FOOTERS = ["{n}", "{n}/{N}", "page {n} sur {N}", "– {n} –", "{body} – {date} · {n}",
           "{date} · page {n}", None]
LABELS = ["Préconisation n°{n}", "Préconisation n° {n}", "PRÉCONISATION N° {n}",
          "Préconisation {n} :", "Recommandation {n} –", "Proposition n°{n}", "Piste {n}",
          "Action {n}", "R{n}", "Préconisation nº{n}", "Proposition {roman}"]
LIST_LABELS = ["{n}.", "{n})", "{roman}.", "{letter})"]
REC_STYLES = ["heading_numbered", "box_numbered", "runin_bold", "inline_prose", "list_numbered"]
REC_HEADINGS = ["Préconisations", "Les préconisations du {acr}", "Nos propositions",
                "Recommandations", "Ce que propose le {acr}"]
FINDING = re.compile(r"\b(constate|relève|regrette|se félicite|déplore|observe|note)\b")
PLAN_SENT = re.compile(r"\bLa Région (propose|prévoit|soutient|engage|finance|accompagne)")
MEASURE_CODES = ["Mesure {a}.{m}", "Action {k}", "Fiche-action n°{k}", "M{k}", "Mesure {k}"]


def seed_of(doc_id: str) -> int:
    """Stable seed of a document id."""
    return zlib.crc32(doc_id.encode("utf-8"))


def load_bank(path: Path) -> dict:
    """Read one bank TOML file."""
    with path.open("rb") as f:
        return tomllib.load(f)


def choose_style(bank: dict, producer: str, rng: random.Random,
                 slot: tuple[int, int] | None = None) -> ir.Style:
    """Seeded house style within what the producer can draw.

    slot = (position of the document among all, position among those of its recommendation
    style): when given, recommendation styles and labels go round-robin so every one is used."""
    st = ir.Style(producer=producer)
    st.columns = rng.choices([1, 2, 3], [5, 4, 1])[0]
    glyphs = HYPHENS.get(producer, ["-"])
    st.hyphen_char = rng.choice(glyphs) if slot is None else glyphs[slot[0] // 5 % len(glyphs)]
    st.hyphenate = rng.random() < 0.85
    st.justify = rng.random() < 0.75
    st.ligatures = rng.random() < 0.5
    st.title_letterspaced = rng.random() < 0.3
    st.title_smallcaps = not st.title_letterspaced and rng.random() < 0.3
    st.cover_names_type = rng.random() < 0.7
    st.header = rng.choice(HEADERS)
    if not st.cover_names_type and (st.header is None or "{label}" not in st.header):
        st.header = rng.choice(["{label} – {title}", "{body} – {label}", "{label} · {date}"])
    st.footer = rng.choice(FOOTERS)
    st.header_pages = rng.choice(HEAD_MODES.get(
        producer, ["all", "all_but_cover", "all_but_cover", "odd_even", "some", "last_only"]))
    if st.header_pages == "odd_even":
        st.header_even = "{body}" if st.header != "{body}" else "{title}"
        st.footer_even = st.footer
    st.logo = rng.random() < 0.3
    st.rec_style = rng.choice(REC_STYLES) if slot is None else rec_style_of(slot[0])
    labels = LIST_LABELS if st.rec_style == "list_numbered" else LABELS
    label = rng.choice(labels) if slot is None else labels[slot[1] % len(labels)]
    st.rec_label = None if st.rec_style in ("inline_prose", "runin_bold") else label
    st.summary_list = bank["kind"] != "plan" and rng.random() < 0.35
    st.summary_at = rng.choice(["start", "end"])
    st.footnotes = rng.choice(FOOTNOTES.get(producer, ["none", "end", "end"]))
    st.heading_numbering = rng.choice(["1.", "I.", "A.", "1.1", ""])
    st.toc = rng.random() < 0.5
    st.toc_leaders = rng.random() < 0.7
    st.font = rng.choice(["serif", "sans"])
    st.base_size = rng.choice([9.5, 10.0, 10.5, 11.0])
    st.accent, st.box_fill = rng.choice([("#1f4e79", "#e6eef7"), ("#7a1f3d", "#f6e9ee"),
                                         ("#2e6b30", "#e9f3e6"), ("#8a5a00", "#fbf1dc"),
                                         ("#333333", "#eeeeee")])
    st.bullet = rng.choice(["•", "–", "▪", "►"])
    st.apostrophe = rng.choice(["'", "’"])
    st.nbsp_guillemets = rng.choice(["\u00a0", "\u202f"])
    st.landscape_table = rng.random() < 0.25
    st.balanced = st.columns > 1 and rng.random() < 0.5
    st.chapter_pages = rng.random() < 0.3
    if producer in ("reportlab", "fpdf2") and rng.random() < 0.35:
        st.margin_text = rng.choice(["{body} · {label}", "{label} – {date}", "{title}"])
    return st


def rec_style_of(position: int) -> str:
    """Round-robin recommendation style, shifted so each producer gets each style."""
    return REC_STYLES[(position + position // 5) % len(REC_STYLES)]


def heading_number(style: ir.Style, i: int) -> str:
    """Printed number of the i-th (1-based) top-level heading."""
    fmt = style.heading_numbering
    return {"1.": f"{i}.", "I.": f"{ir.roman(i)}.", "A.": f"{ir.letter(i).upper()}.",
            "1.1": f"{i}", "": ""}[fmt]


def role_of(text: str, kind: str) -> str:
    """body | finding | plan_sentence from the wording of a bank paragraph."""
    if kind != "avis" and PLAN_SENT.search(text):
        return "plan_sentence"
    return "finding" if FINDING.search(text) else "body"


def note_call(text: str, rng: random.Random) -> int:
    """Offset after a word (or after punctuation) where a footnote call goes."""
    ends = [m.end() for m in re.finditer(r"\w{5,}[.,;]?", text)]
    ends = [e for e in ends if len(text) * 0.2 < e < len(text) - 2] or [len(text)]
    return rng.choice(ends)


def build_recs(bank: dict, st: ir.Style, rng: random.Random,
               slot: tuple[int, int] | None = None) -> list[ir.Block]:
    """The recommendations as blocks in the document's style (prose verbs go round-robin over
    the documents when slot is given)."""
    recs = bank.get("recommendations", [])
    blocks: list[ir.Block] = []
    if st.rec_style == "inline_prose":
        subj = rng.choice(ph.subjects(bank["body"], bank["region"]))
        i = 0
        while i < len(recs):
            k = 2 if i + 1 < len(recs) and rng.random() < 0.3 else 1
            items = []
            for j in range(i, i + k):
                r = recs[j]
                use = subj[0] if j == i or subj[0] in ("Nous", "impersonal") else subj[1]
                if rng.random() < 0.3:
                    subj = rng.choice(ph.subjects(bank["body"], bank["region"]))
                    use = subj[0]
                verb = None if slot is None else slot[1] * 5 + j
                text = ph.prose_sentence(r["action"], use, rng, verb) + " " + r["detail"]
                text = typo(text, st)
                items.append(ir.Recommendation(None, None, text, st.rec_style, r["themes"]))
            blocks.append(ir.Paragraph(" ".join(x.text for x in items),
                                       sorted({t for x in items for t in x.themes}),
                                       role="recommendation", recs=items))
            i += k
        return blocks
    for n, r in enumerate(recs, 1):
        action = typo(ph.cap(r["action"]) + ".", st)
        text = action + " " + typo(r["detail"], st)
        label = ph.label_for(st.rec_label, n) if st.rec_label else None
        emph = action if st.rec_style == "runin_bold" else ""
        blocks.append(ir.Recommendation(n, label, text, st.rec_style, r["themes"], emph))
    return blocks


def make_document(bank: dict, producer: str, slot: tuple[int, int] | None = None) -> ir.Document:
    """The whole ir.Document of a bank entry, rendered by producer."""
    seed = seed_of(bank["id"])
    rng = random.Random(seed)
    st = choose_style(bank, producer, rng, slot)
    d = date.fromisoformat(bank["date"])
    dv = ph.date_variants(d)
    form = rng.choice(["long", "long", "numeric", "abbr", "month", "year"])
    meta = ir.Meta(bank["kind"], bank["doc_label"], bank["title"], bank["body"], bank["body_long"],
                   bank["region"], bank["date"], dv[form], bank.get("commission"),
                   list(bank.get("rapporteurs", [])), bank.get("saisine"))
    doc = ir.Document(bank["id"], seed, meta, st, [])
    acr = ph.acronym(meta.body)
    B = doc.blocks
    B.append(parts.cover(bank, st, meta, rng))
    B.append(ir.PageBreak())
    toc = ir.Toc([], leaders=st.toc_leaders, title=rng.choice(["Sommaire", "SOMMAIRE"]))
    if st.toc:
        B.append(toc)
    recs = build_recs(bank, st, rng, slot)
    nrec = len(bank.get("recommendations", []))
    hearings = ph.hearing_dates(d, rng)
    if st.summary_list and st.summary_at == "start" and nrec:
        B.append(parts.summary(bank, st))
    if meta.kind == "avis":
        words = ["quatre", "cinq", "six", "sept", "huit", "neuf"]
        count = words[nrec - 4] if 4 <= nrec <= 9 else str(nrec)
        com = meta.commission or "Commission de l'assemblée"
        intro = (f"Le présent avis a été préparé par la {com[:1].lower()}{com[1:]}, "
                 f"qui a conduit ses auditions du "
                 f"{ph.day_text(hearings[0])} au {ph.day_text(hearings[-1])}. Il s'appuie sur les "
                 f"données disponibles et sur les contributions des membres. Le {acr} y formule "
                 f"{count} préconisations, présentées dans la dernière partie.")
        B.append(ir.Heading(rng.choice(["Introduction", "Préambule", "Avant-propos"]), 1, ""))
        B.append(ir.Paragraph(typo(intro, st), [], "body"))
    n_notes = 0
    sections = bank.get("sections", [])
    split_recs = meta.kind != "plan" and rng.random() < 0.3 and len(sections) >= 3
    for si, sec in enumerate(sections, 1):
        B.append(ir.Heading(typo(sec["heading"], st), 1, heading_number(st, si), chapter=True))
        paras = []
        for p in sec.get("paragraphs", []):
            text = typo(p["text"], st)
            para = ir.Paragraph(text, list(p.get("themes", [])), role_of(text, meta.kind))
            if st.footnotes != "none" and rng.random() < 0.22:
                note = rng.choice(ph.NOTES).format(hearing=ph.day_text(hearings[0]),
                                                   part=heading_number(st, 1) or "1")
                para.notes.append(typo(note, st))
                para.note_at.append(note_call(text, rng))
                doc.notes.append(para.notes[-1])
                n_notes += 1
            paras.append(para)
        B.extend(paras)
        B.extend(parts.section_extras(bank, st, rng, si, paras))
        if si == 2 and meta.kind == "avis" and rng.random() < 0.5:
            B.append(parts.calendar_table(meta, hearings, st))
        if split_recs and si == len(sections) - 1:
            half = len(recs) // 2
            B.append(ir.Heading(rng.choice(REC_HEADINGS).format(acr=acr), 2, ""))
            B.extend(recs[:half])
            recs = recs[half:]
    if recs:
        n = len(sections) + 1
        title = rng.choice(REC_HEADINGS).format(acr=acr)
        B.append(ir.Heading(title, 1, heading_number(st, n), chapter=True))
        if st.rec_style == "list_numbered":
            B.append(ir.Paragraph(typo(f"Au terme de ses travaux, le {acr} formule les "
                                       "préconisations suivantes.", st), [], "body"))
        B.extend(recs)
    measures = bank.get("measures", [])
    if measures:
        B.append(ir.Heading(rng.choice(["Les mesures", "Plan d'actions", "Axes et mesures"]), 1,
                            heading_number(st, len(sections) + 1)))
        code = rng.choice(MEASURE_CODES)
        for k, m in enumerate(measures, 1):
            B.append(ir.Measure(code.format(a=1 + (k - 1) // 3, m=1 + (k - 1) % 3, k=k),
                                typo(m["title"], st), typo(m["text"], st), m.get("budget"),
                                list(m.get("themes", []))))
        table = parts.budget_table(bank, st, rng)
        if table:
            B.append(table)
    if st.summary_list and st.summary_at == "end" and nrec:
        B.append(parts.summary(bank, st))
    parts.closing(doc, rng, dv)
    parts.glossary(doc, rng)
    if st.toc:
        toc.entries = [ir.TocEntry(b.printed, b.level) for b in B
                       if isinstance(b, ir.Heading) and b.level == 1]
    return doc


def plan_file(path: Path, producer: str, slot: tuple[int, int] | None = None) -> ir.Document:
    """Load a bank file and plan it for a producer."""
    return make_document(load_bank(path), producer, slot)
