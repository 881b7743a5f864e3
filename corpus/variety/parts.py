"""Generated parts of a document: cover, sidebars, tables, closing, glossary, summary list."""

from __future__ import annotations

import random
import re
from datetime import date

from . import ir
from . import phrasing as ph
from .phrasing import typo

SUMMARY_TITLES = ["L'essentiel", "Les préconisations en bref", "Synthèse des propositions"]


def figures_of(bank: dict) -> list[str]:
    """Sentences of the bank with a figure (for sidebars)."""
    out = []
    for sec in bank.get("sections", []):
        for p in sec.get("paragraphs", []):
            for s in re.split(r"(?<=[.!?])\s+", p["text"]):
                if re.search(r"\d[\d  ,]*\s?(%|M€|€|millions?|milliards?|\w+)", s) and len(s) < 180:
                    out.append(s)
    return out


def summary(bank: dict, st: ir.Style) -> ir.BulletList:
    """« L'essentiel »: the recommendations in short form."""
    items, numbers = [], []
    for n, r in enumerate(bank.get("recommendations", []), 1):
        words = r["action"].split()
        cut = next((i + 1 for i, w in enumerate(words) if i >= 5 and w.endswith(",")), 16)
        items.append(typo(ph.cap(" ".join(words[:cut]).rstrip(",")), st))
        numbers.append(None if st.rec_style == "inline_prose" else n)
    return ir.BulletList(items, ordered=numbers[0] is not None if numbers else False,
                         role="summary", title=SUMMARY_TITLES[len(items) % 3], numbers=numbers,
                         boxed=True)


def cover(bank: dict, st: ir.Style, meta: ir.Meta, rng: random.Random) -> ir.Cover:
    """The cover: the type named or not, body short or long, date line written one way."""
    label = None
    if st.cover_names_type:
        label = rng.choice([meta.doc_label, meta.doc_label.upper(),
                            f"{meta.doc_label} du {meta.body}" if meta.kind == "avis"
                            else meta.doc_label])
    body = rng.choice([meta.body, meta.body_long])
    if meta.kind == "avis":
        heads = ["Adopté en séance plénière du {d}", "Séance du {d}", "Séance plénière du {d}",
                 "{d}", "Avis adopté le {d}"]
    else:
        heads = ["Délibération du Conseil régional du {d}", "Assemblée plénière du {d}", "{d}",
                 "Adopté le {d}"]
    head = rng.choice(heads)
    if meta.date_text[:1].isalpha() or len(meta.date_text) == 4:  # « novembre 2025 », « 2025 »
        head = "{d}"
    lines = []
    if meta.saisine:
        lines.append(ph.cap(meta.saisine))
    if meta.commission:
        lines.append(meta.commission)
    if meta.rapporteurs:
        lines.append(("Rapporteurs : " if len(meta.rapporteurs) > 1 else "Rapporteur : ")
                     + " et ".join(meta.rapporteurs))
    return ir.Cover(label, typo(meta.title, st), body, head.format(d=meta.date_text),
                    [typo(x, st) for x in lines])


def section_extras(bank: dict, st: ir.Style, rng: random.Random, si: int,
                   paras: list[ir.Paragraph]) -> list[ir.Block]:
    """A sidebar of key figures or a pull quote after some sections."""
    if si == 1 and rng.random() < 0.6:
        figs = figures_of(bank)
        if len(figs) >= 2:
            return [ir.Sidebar(rng.choice(["Chiffres clés", "En bref", "Repères"]),
                               [typo(f, st) for f in rng.sample(figs, min(3, len(figs)))])]
    if si == 2 and paras and rng.random() < 0.5:
        sents = [s for s in re.split(r"(?<=[.!?])\s+", paras[0].text) if 40 < len(s) < 160]
        if sents:
            return [ir.PullQuote(rng.choice(sents))]
    return []


def budget_table(bank: dict, st: ir.Style, rng: random.Random) -> ir.Table | None:
    """Budget per measure with « dont » rows (illustrative split of the bank amounts)."""
    rows, subs, total = [], [], 0.0
    for m in bank.get("measures", []):
        b = m.get("budget")
        v = re.match(r"([\d ,.]+)\s*M€", b or "")
        if not v:
            continue
        amount = float(v.group(1).replace(" ", "").replace(",", "."))
        total += amount
        rows.append([typo(m["title"], st), b])
        if rng.random() < 0.5:
            inv = round(amount * rng.choice([0.4, 0.5, 0.6, 0.7]), 1)
            for name, part in (("dont investissement", inv), ("dont fonctionnement", amount - inv)):
                subs.append(len(rows))
                rows.append([name, f"{part:.1f}".replace(".", ",") + " M€"])
    if len(rows) < 3:
        return None
    rows.append(["Total", f"{total:.1f}".replace(".", ",") + " M€"])
    return ir.Table(["Mesure", "Montant"], rows, "Répartition indicative des crédits", subs,
                    [("Programmation " + bank["date"][:4], 2)] if rng.random() < 0.5 else [],
                    total_row=True, landscape=st.landscape_table)


def calendar_table(meta: ir.Meta, hearings: list[date], st: ir.Style) -> ir.Table:
    """The work calendar of an avis (dates that are not the adoption date)."""
    rows = [[ph.day_text(d), "Audition d'acteurs régionaux"] for d in hearings]
    rows.append([ph.day_text(date.fromisoformat(meta.date)), "Adoption en séance plénière"])
    return ir.Table(["Date", "Étape"], rows, "Calendrier des travaux",
                    group_header=[("Déroulement de l'avis", 2)], landscape=st.landscape_table)


def closing(doc: ir.Document, rng: random.Random, dv: dict[str, str]) -> None:
    """Vote table, full-date closing line and group declarations (avis); a closing line (plans)."""
    B, meta, st = doc.blocks, doc.meta, doc.style
    if meta.kind == "avis":
        pour, contre, abst = rng.randint(40, 110), rng.randint(0, 12), rng.randint(0, 20)
        B.append(ir.Heading("Résultat du vote", 1, ""))
        B.append(ir.VoteTable([("Pour", pour), ("Contre", contre), ("Abstentions", abst)]))
        B.append(ir.Paragraph(typo(f"Avis adopté en séance plénière le {dv['long']} par {pour} "
                                   f"voix pour, {contre} contre et {abst} abstentions.", st),
                              [], "body"))
        B.append(ir.Heading("Déclarations des groupes", 1, ""))
        for group, text in ph.declarations(rng, rng.randint(2, 4)):
            B.append(ir.Heading(group, 2, "", span=False))
            B.append(ir.Paragraph(typo(text, st), [], "declaration"))
    else:
        B.append(ir.Paragraph(typo(f"Document adopté par délibération de l'assemblée régionale "
                                   f"le {dv['long']}.", st), [], "body"))


def glossary(doc: ir.Document, rng: random.Random) -> None:
    """Sometimes an annex table of the acronyms the document uses."""
    if rng.random() >= 0.4:
        return
    texts = " ".join(getattr(b, "text", "") for b in doc.blocks) + " " + doc.meta.title
    rows = [[k, v] for k, v in ph.GLOSSARY.items() if re.search(rf"\b{k}\b", texts)]
    if len(rows) >= 3:
        doc.blocks.append(ir.Heading(rng.choice(["Annexe – Glossaire des sigles", "Glossaire",
                                                 "Annexe : sigles utilisés"]), 1, ""))
        doc.blocks.append(ir.Table(["Sigle", "Signification"], rows, span=True))
