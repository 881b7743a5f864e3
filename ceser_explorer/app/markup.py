"""Safe HTML for the explorer: document text is escaped first, markup is added after."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping, Sequence

REVIEW = "à vérifier"

STYLE = """
<style>
.ce-hit { font-size: 1rem; line-height: 1.55; margin: 0.1rem 0 0.3rem 0; }
.ce-hit mark { background: #ffe066; color: inherit; padding: 0 0.1em; border-radius: 2px; }
.ce-rank { display: inline-block; min-width: 1.9em; height: 1.9em; line-height: 1.9em;
  margin-right: 0.5em; border-radius: 50%; background: #1f4e79; color: white;
  text-align: center; font-weight: 600; font-size: 0.85rem; }
.ce-kind { display: inline-block; font-size: 0.75rem; padding: 0.05em 0.5em; margin-right: 0.4em;
  border-radius: 0.6em; background: #fde2c4; color: #8a4b00; font-weight: 600; }
.ce-badges { margin: 0.15rem 0 0.2rem 0; }
.ce-badge { display: inline-block; font-size: 0.78rem; padding: 0.1em 0.6em;
  margin: 0 0.3em 0.2em 0; border-radius: 0.8em; background: #e3edf7; color: #1f4e79;
  border: 1px solid #b9cfe6; }
.ce-badge.ce-review { background: #fff4e0; color: #8a5300; border: 1px dashed #e0a040; }
.ce-badge.ce-none { background: #f0f0f0; color: #666; border: 1px solid #ddd; }
.ce-section { color: #666; font-size: 0.85rem; }
[data-testid="stMainBlockContainer"] { padding-top: 3.5rem; }
/* st.code carries the citations (for its copy button): set them in the text font */
[data-testid="stCode"] code { font-family: "Source Sans", sans-serif !important;
  font-size: 0.92rem !important; }
/* Streamlit's uploader speaks English: its two strings are replaced in French */
[data-testid="stFileUploaderDropzoneInstructions"] span { display: none; }
[data-testid="stFileUploaderDropzoneInstructions"] > div::after {
  content: "ou glissez-déposez vos PDF ici"; color: #666; font-size: 0.9rem; }
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p {
  display: none; }
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"]::after {
  content: "Parcourir"; }
</style>
"""


# Streamlit's page is declared English (<html lang="en">) and some of its own strings cannot be
# set from Python: the page is declared French, and those strings are put in French as they
# appear (a screen reader reads the lang attribute and the aria-labels).
FRENCH = r"""
<script>
(() => {
  const doc = window.parent ? window.parent.document : document;
  const words = {
    "Choose an option": "Choisir…",
    "No results": "Aucun résultat",
    "Clear all": "Tout effacer",
    "Clear value": "Effacer",
    "Open": "Ouvrir",
    "Close": "Fermer",
    "Main menu": "Menu principal",
    "Show password text": "Afficher le texte",
    "Download as CSV": "Télécharger en CSV",
    "Search": "Rechercher",
    "Fullscreen": "Plein écran",
    "Close fullscreen": "Quitter le plein écran",
    "Copy to clipboard": "Copier",
    "Running...": "En cours…",
    "Stop": "Arrêter",
    "Rerun": "Relancer",
    "Skip to content": "Aller au contenu",
    "App pages": "Pages de l'explorateur",
    "Link to heading": "Lien vers ce titre",
    "Show/hide columns": "Afficher ou masquer des colonnes",
    "Copy Vega-Lite spec": "Copier la définition du graphique",
    "Download as PNG": "Télécharger en PNG",
    "Download as SVG": "Télécharger en SVG",
    "Show data": "Voir les données",
    "Vega visualization": "Graphique",
    "file upload": "Dépôt de fichiers",
    "Upload": "Déposer",
    "Delete": "Supprimer",
  };
  const prefixes = [["Help for ", "Aide : "]];
  const sentences = [
    [/^(?:Error: )?File must be (.+) or smaller\.$/, "Le fichier doit faire au plus $1."],
    [/^(?:Error: )?(.+) files are not allowed\.$/, "Fichiers de type $1 refusés."],
  ];
  const french = (v) => {
    if (words[v]) return words[v];
    for (const [en, fr] of prefixes) if (v.startsWith(en)) return fr + v.slice(en.length);
    // the chart library describes each bar and axis in English: the chart is named instead
    if (/streamlit-generated|^(X|Y)-axis |^Symbol legend /.test(v)) return "";
    return null;
  };
  const fix = () => {
    if (doc.documentElement.lang !== "fr") doc.documentElement.lang = "fr";
    for (const el of doc.querySelectorAll("[aria-label],[title],[placeholder]")) {
      for (const a of ["aria-label", "title", "placeholder"]) {
        const v = el.getAttribute(a);
        const t = v ? french(v) : null;
        if (t === "") { el.removeAttribute(a); el.setAttribute("aria-hidden", "true"); }
        else if (t) el.setAttribute(a, t);
      }
    }
    const walker = doc.createTreeWalker(doc.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const t = n.nodeValue.trim();
      if (!t) continue;
      if (words[t]) { n.nodeValue = n.nodeValue.replace(t, words[t]); continue; }
      for (const [re, fr] of sentences) {
        if (re.test(t)) { n.nodeValue = t.replace(re, fr); break; }
      }
    }
  };
  fix();
  if (!doc.__ceserFrench) {
    doc.__ceserFrench = true;
    let queued = false;
    const later = () => {
      if (!queued) { queued = true; setTimeout(() => { queued = false; fix(); }, 50); }
    };
    new MutationObserver(later).observe(doc.body, {subtree: true, childList: true,
      attributes: true, attributeFilter: ["aria-label", "title", "placeholder"]});
  }
})();
</script>
"""

_MD = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$])")


def md(text: str) -> str:
    """Return text with Markdown's special characters escaped (for st.error, st.caption…)."""
    return _MD.sub(r"\\\1", text)


def merge_spans(spans: Iterable[Sequence[int]], length: int) -> list[tuple[int, int]]:
    """Return the spans clamped to [0, length], sorted, with overlapping ones merged."""
    clean = sorted(
        (max(0, int(s[0])), min(length, int(s[1])))
        for s in spans
        if len(s) >= 2 and int(s[1]) > int(s[0])
    )
    out: list[tuple[int, int]] = []
    for start, end in clean:
        if start >= end:
            continue
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def _escape(text: str) -> str:
    return html.escape(text, quote=True).replace("\n", "<br>")


def highlight(text: str, spans: Iterable[Sequence[int]] = ()) -> str:
    """Return text as HTML: every piece escaped, the given [start, end) ranges in <mark>."""
    parts: list[str] = []
    pos = 0
    for start, end in merge_spans(spans, len(text)):
        parts.append(_escape(text[pos:start]))
        parts.append(f"<mark>{_escape(text[start:end])}</mark>")
        pos = end
    parts.append(_escape(text[pos:]))
    return "".join(parts)


def score_fr(score: float) -> str:
    """Return a score in French notation with two decimals: 0,87."""
    return f"{score:.2f}".replace(".", ",")


def theme_badges(
    themes: Mapping[str, float],
    labels: Sequence[str],
    review: Sequence[str],
    names: Mapping[str, str],
) -> str:
    """Return badges for the retained themes and the doubtful ones (marked « à vérifier »)."""
    shown = [t for t in themes if t in labels or t in review]
    shown += [t for t in labels if t not in shown]
    badges = []
    for key in shown:
        name = html.escape(names.get(key, key))
        score = themes.get(key)
        text = name if score is None else f"{name} {score_fr(score)}"
        if key in review:
            badges.append(f'<span class="ce-badge ce-review">{text} · {REVIEW}</span>')
        else:
            badges.append(f'<span class="ce-badge">{text}</span>')
    if not badges:
        badges.append('<span class="ce-badge ce-none">aucun thème</span>')
    return f'<div class="ce-badges">{"".join(badges)}</div>'


def hit_html(
    rank: int | None,
    text: str,
    spans: Iterable[Sequence[int]],
    tag: str = "",
    section: str = "",
) -> str:
    """Return the HTML of one result: rank, optional tag, highlighted text and section."""
    head = f'<span class="ce-rank">{rank}</span>' if rank is not None else ""
    if tag:
        head += f'<span class="ce-kind">{html.escape(tag)}</span>'
    body = f'<div class="ce-hit">{head}{highlight(text, spans)}</div>'
    if section:
        body += f'<div class="ce-section">Section : {html.escape(section)}</div>'
    return body


def themes_text(labels: Sequence[str], review: Sequence[str], names: Mapping[str, str]) -> str:
    """Return the retained themes as plain text, doubtful ones followed by (à vérifier)."""
    keys = list(labels) + [t for t in review if t not in labels]
    return ", ".join(
        f"{names.get(k, k)} ({REVIEW})" if k in review else names.get(k, k) for k in keys
    )
