"""Page « Import »: upload PDFs or re-scan the corpus folder, then re-index incrementally."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from ..background import run_ingest
from ..errors import CeserError
from ..workspace import Pace
from . import markup, state, uploads

STATUS = {
    "added": "ajouté",
    "updated": "mis à jour",
    "unchanged": "inchangé",
    "moved": "déplacé",
    "duplicate": "doublon",
    "failed": "en échec",
}
STATES = (
    ("added", "ajouté"),
    ("updated", "mis à jour"),
    ("unchanged", "inchangé"),
    ("removed", "retiré"),
)


class ProgressReporter:
    """Draws the batch's progress on a st.progress bar: file i of n, pages done of the
    file's total, passages embedded, and the time left at the pace so far."""

    def __init__(self, bar: Any, clock: Callable[[], float] = time.monotonic) -> None:
        self.bar = bar
        self.pace = Pace(clock)
        self.index = 0
        self.total = 1
        self.name = ""
        self.path = ""

    def _label(self, detail: str) -> str:
        left = self.pace.text()
        embedded = (
            f"{self.pace.embedded}/{self.pace.to_embed} passages vectorisés"
            if self.pace.to_embed
            else ""
        )
        head = f"Fichier {self.index + 1}/{self.total} : {self.name}"
        return " — ".join(part for part in (head, detail, embedded, left) if part)

    def _share(self) -> float:
        page, pages = self.pace.read.get(self.path, (0, 0))
        return min((self.index + page / max(pages, 1)) / self.total, 1.0)

    def file_started(self, name: str, index: int, total: int) -> None:
        self.pace.file_started(name, index, total)
        self.index, self.total, self.name, self.path = index, max(total, 1), Path(name).name, name
        self.bar.progress(self._share(), text=self._label(self._page_detail()))

    def _page_detail(self) -> str:
        page, pages = self.pace.read.get(self.path, (0, 0))
        return f"page {page}/{pages}" if pages else ""

    def page_done(self, page: int, pages: int, name: str | None = None) -> None:
        self.pace.page_done(page, pages, name or self.path)
        self.bar.progress(self._share(), text=self._label(self._page_detail()))

    def file_done(self, name: str, status: str) -> None:
        self.pace.file_done(name, status)
        done = (self.index + 1) / self.total
        self.bar.progress(done, text=self._label(STATUS.get(status, status)))

    def vectors(self, done: int, total: int) -> None:
        self.pace.vectors(done, total)
        self.bar.progress(self._share(), text=self._label(""))


def corpus_folder(ctx: state.Context) -> Path:
    """Return the folder uploads are written to (see uploads.corpus_folder)."""
    return uploads.corpus_folder([d.path for d in state.documents(*ctx.key)], ctx.settings.home)


def run_batch(
    ctx: state.Context, paths: Sequence[Path], prune: bool = False, yes: bool = False
) -> dict[str, Any]:
    """Ingest paths in a process of its own (never in Streamlit's: a hostile PDF could hang or
    exhaust it) with a progress bar, vectors and themes after; return the summary."""
    bar = st.progress(0.0, text="Préparation…")
    reporter = ProgressReporter(bar)

    def waiting(message: str) -> None:  # another ingest holds the data folder: say so
        bar.progress(0.0, text=message[:1].upper() + message[1:])

    try:
        result = run_ingest(
            ctx.settings,
            paths,
            prune=prune,
            yes=yes,
            reporter=reporter,
            progress=reporter.vectors,
            waiting=waiting,
        )
    except CeserError as e:
        result = {"refused": [str(e)]}
    bar.progress(1.0, text="Terminé.")
    st.session_state["i_pid"] = result.pop("pid", None)
    state.refresh()
    return result


def _show(result: dict[str, Any]) -> None:
    for error in result.get("refused", []):
        st.error(markup.md(error))
    if "added" not in result:
        return
    counts = {label: len(result.get(key, [])) for key, label in STATES}
    if result.get("duplicates"):
        counts["doublon"] = len(result["duplicates"])
    line = ", ".join(f"{n} {label}{'s' if n > 1 else ''}" for label, n in counts.items())
    failed = result.get("failed", [])
    (st.warning if failed else st.success)(f"Indexation terminée : {line}, {len(failed)} en échec.")
    rows = [
        {"Fichier": Path(f).name, "État": label}
        for key, label in STATES
        for f in result.get(key, [])
    ]
    rows += [
        {"Fichier": Path(d["file"]).name, "État": f"doublon de {Path(d['of']).name}"}
        for d in result.get("duplicates", [])
    ]
    rows += [{"Fichier": Path(f["file"]).name, "État": f"échec : {f['error']}"} for f in failed]
    if rows:
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    for dup in result.get("duplicates", []):
        original = Path(dup["of"]).name
        st.info(markup.md(f"{Path(dup['file']).name} est un doublon de {original} (déjà indexé)."))
    for moved in result.get("moved", []):
        st.caption(markup.md(f"Déplacé : {moved['from']} → {moved['to']}"))
    textless = result.get("pages_without_text")
    if textless:
        st.warning(markup.md(f"Pages sans texte : {textless['files']}. {textless['hint']}"))
    refused = result.get("prune_refused")
    if refused:
        st.warning(
            markup.md(
                refused["error"].replace(
                    "relancez avec --yes pour confirmer",
                    "cochez « Confirmer un retrait important » et relancez",
                )
            )
        )
    for warning in result.get("warnings", []):
        st.warning(markup.md(warning))


def _drop_duplicate_copies(saved: Sequence[uploads.SavedUpload], dups: list[Any]) -> set[Path]:
    """Delete the files this upload wrote whose content was already indexed under another
    name (the corpus folder keeps one copy, as the catalog keeps one document); name them
    in dups as the user did. Return the paths deleted."""
    by_path = {str(s.path): s for s in saved if s.status != "identique"}
    dropped = set()
    for dup in dups:
        s = by_path.get(str(dup["file"]))
        if s is not None:
            s.path.unlink(missing_ok=True)
            dropped.add(s.path)
            dup["file"] = s.original
    return dropped


def _upload(ctx: state.Context, folder: Path) -> None:
    n = st.session_state.setdefault("i_round", 0)
    files = st.file_uploader(
        f"Déposez un ou plusieurs PDF (au plus {uploads.MAX_BYTES // 2**20} Mo chacun)",
        type=None,  # checked by uploads.check_pdf, in French (Streamlit's refusal is English)
        accept_multiple_files=True,
        key=f"i_files_{n}",
        max_upload_size=uploads.MAX_BYTES // 2**20,
    )
    if not st.button(
        "Importer et indexer", type="primary", disabled=not files, icon=":material/upload:"
    ):
        return
    saved, refused = [], []
    for f in files or []:
        try:
            saved.append(uploads.save_upload(folder, f.name, f.getvalue()))
        except CeserError as e:
            refused.append(str(e))
    result: dict[str, Any] = {"refused": refused}
    if saved:
        result.update(run_batch(ctx, [s.path for s in saved]))
        dropped = _drop_duplicate_copies(saved, result.get("duplicates", []))
        renamed = [
            f"{s.original} → {s.path.name}"
            for s in saved
            if s.path.name != s.original and s.path not in dropped
        ]
        if renamed:
            result.setdefault("warnings", []).insert(0, "Renommés : " + " ; ".join(renamed))
    st.session_state["i_result"] = result
    st.session_state["i_round"] = n + 1  # a fresh, empty uploader
    st.rerun()


def render() -> None:
    """Draw the import page."""
    ctx = state.context()
    st.title("Import")
    folder = corpus_folder(ctx)
    st.caption(
        f"Dossier du corpus : `{folder}` (variable CESER_CORPUS pour en choisir un autre). "
        f"Données : `{ctx.settings.home}`."
    )
    left, right = st.columns([3, 2], gap="large")
    with left:
        st.subheader("Ajouter des PDF", divider="gray")
        _upload(ctx, folder)
    with right:
        st.subheader("Relire le dossier", divider="gray")
        st.caption("Seuls les fichiers nouveaux ou modifiés sont relus.")
        prune = st.checkbox("Retirer les documents dont le fichier a disparu", key="i_prune")
        yes = st.checkbox(
            "Confirmer un retrait important",
            key="i_yes",
            disabled=not prune,
            help="Sans cette case, le retrait est refusé s'il toucherait plus de la moitié "
            "des documents du dossier (un dossier démonté, par exemple).",
        )
        if st.button("Relire le dossier du corpus", icon=":material/refresh:"):
            if folder.is_dir():
                st.session_state["i_result"] = run_batch(ctx, [folder], prune=prune, yes=yes)
            else:
                st.session_state["i_result"] = {"refused": [f"{folder} : dossier introuvable."]}
            st.rerun()
    result = st.session_state.get("i_result")
    if result:
        st.subheader("Bilan", divider="gray")
        _show(result)
