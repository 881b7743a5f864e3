"""The Streamlit explorer, page by page, through Streamlit's AppTest and the real pipeline."""

from __future__ import annotations

import csv
import html
import io
import os
import re
import socket
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import streamlit as st
from click.testing import CliRunner
from helpers import ROOT, store_doc
from PIL import Image
from streamlit.testing.v1 import AppTest

from ceser_explorer.app import markup, pdfview, state, uploads
from ceser_explorer.catalog import Catalog
from ceser_explorer.catalog import themes as theme_store
from ceser_explorer.cli import cli
from ceser_explorer.cli.explore import streamlit_command
from ceser_explorer.config import Settings
from ceser_explorer.workspace import Workspace

APP = ROOT / "app.py"
VIEWS = "ceser_explorer/app/views/"
TIMEOUT = 300  # first runs load the model; later ones take well under a second
TEACHERS = "que propose le CESER pour former les enseignants à l'IA ?"
TEACHERS_ANCHORS = (  # corpus/queries.jsonl, q001
    "dans la formation initiale et continue des enseignants et des formateurs",
    "Le CESER recommande que les compétences liées à l'IA générative soient intégrées",
)


# -- helpers -------------------------------------------------------------------------------


def use_home(monkeypatch: pytest.MonkeyPatch, home: Path, tmp_path: Path) -> None:
    """Point the app at the data folder home (uploads to an empty corpus folder, no server)."""
    monkeypatch.setenv("CESER_HOME", str(home))
    monkeypatch.setenv("CESER_CORPUS", str(tmp_path / "corpus"))
    monkeypatch.delenv("CESER_CHROMA_URL", raising=False)


def open_app(page: str | None = None) -> AppTest:
    """Return the app after its first run, on the given page script (Recherche by default)."""
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT).run()
    if page:
        at.switch_page(VIEWS + page).run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def search(at: AppTest, query: str) -> AppTest:
    at.text_input(key="q").input(query).run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def hit_ids(at: AppTest) -> list[str]:
    """Return the passage ids of the results, in rank order (from their source toggles)."""
    return [t.key[4:] for t in at.toggle if t.key and t.key.startswith("src-")]


def hit_texts(at: AppTest) -> list[str]:
    """Return the plain text of each result as displayed."""
    bodies = [h.value for h in at.html if 'class="ce-hit"' in h.value]
    return [html.unescape(re.sub(r"<[^>]+>", "", b)) for b in bodies]


@pytest.fixture
def shown(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[Any]]:
    """Record what the pages hand to st.image and st.download_button."""
    calls: dict[str, list[Any]] = {"image": [], "download": []}
    real_image, real_download = st.image, st.download_button

    def image(img: Any, caption: Any = None, *args: Any, **kwargs: Any) -> Any:
        calls["image"].append((img, caption))
        return real_image(img, caption, *args, **kwargs)

    def download(label: str, data: Any, *args: Any, **kwargs: Any) -> Any:
        calls["download"].append((label, data, kwargs.get("file_name") or args[0]))
        return real_download(label, data, *args, **kwargs)

    monkeypatch.setattr(st, "image", image)
    monkeypatch.setattr(st, "download_button", download)
    return calls


@pytest.fixture
def catalog_of(app_env: Settings) -> Iterator[Catalog]:
    with Catalog(app_env.catalog_path) as cat:
        yield cat


# -- helpers without Streamlit -------------------------------------------------------------


def test_plan_answer_says_when_no_plan_deals_with_the_subject() -> None:
    from ceser_explorer.app.recs_page import plan_answer

    assert plan_answer(("", None, False, "no_plan")) == "pas de plan sur ce sujet dans le catalogue"
    assert plan_answer(("Mesure 1.1 — Plan", 0.4, False, "not_answered")) == "aucune"
    assert plan_answer(("Mesure 1.1 — Plan", 0.6, True, "answered")) == "Mesure 1.1 — Plan"
    assert plan_answer(None) == ""


def test_highlight_escapes_text_before_marking() -> None:
    text = "<script>alert(1)</script> & former les enseignants"
    start = text.index("enseignants")
    out = markup.highlight(text, [(start, start + len("enseignants")), (0, 0), (999, 1005)])
    assert "<script>" not in out
    assert out.startswith("&lt;script&gt;alert(1)&lt;/script&gt; &amp; former les ")
    assert out.endswith("<mark>enseignants</mark>")


def test_highlight_merges_overlapping_spans() -> None:
    assert markup.highlight("abcdef", [(3, 5), (1, 4)]) == "a<mark>bcde</mark>f"


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("C:\\Users\\x\\Avis éco 2025.PDF", "Avis_eco_2025.pdf"),
        ("..", "document.pdf"),
        (".hidden.pdf", "hidden.pdf"),
    ],
)
def test_sanitize_filename(name: str, safe: str) -> None:
    assert uploads.sanitize_filename(name) == safe


def test_save_upload_never_leaves_the_folder_nor_overwrites(tmp_path: Path) -> None:
    pdf = (ROOT / "corpus" / "plan_ia_occitanie.pdf").read_bytes()
    other_pdf = (ROOT / "corpus" / "avis_budget.pdf").read_bytes()
    folder = tmp_path / "corpus"
    first = uploads.save_upload(folder, "../../plan.pdf", pdf)
    assert first.path == folder / "plan.pdf" and first.status == "nouveau"
    again = uploads.save_upload(folder, "plan.pdf", pdf)
    assert again.status == "identique" and again.path == first.path
    other = uploads.save_upload(folder, "plan.pdf", other_pdf)
    assert other.path == folder / "plan-2.pdf" and other.status == "renommé"
    assert sorted(p.name for p in tmp_path.rglob("*.pdf")) == ["plan-2.pdf", "plan.pdf"]
    assert first.path.read_bytes() == pdf


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("notes.txt", b"%PDF-1.7 whatever", "seuls les fichiers PDF"),
        ("vide.pdf", b"", "vide"),
        ("faux.pdf", b"Bonjour, ceci n'est pas un PDF", "ce n'est pas un PDF"),
        ("tronque.pdf", b"%PDF-1.7\n1 0 obj\n<<", "illisible"),
    ],
)
def test_save_upload_refuses_bad_files(
    tmp_path: Path, name: str, data: bytes, message: str
) -> None:
    with pytest.raises(uploads.UploadError, match=message):
        uploads.save_upload(tmp_path, name, data)
    assert list(tmp_path.iterdir()) == []


def test_save_upload_size_limit(tmp_path: Path) -> None:
    pdf = (ROOT / "corpus" / "plan_ia_occitanie.pdf").read_bytes()
    with pytest.raises(uploads.UploadError, match="limite"):
        uploads.save_upload(tmp_path, "plan.pdf", pdf, max_bytes=len(pdf) - 1)
    assert list(tmp_path.iterdir()) == []


def test_explore_listens_on_localhost_by_default() -> None:
    result = CliRunner().invoke(cli, ["explore", "--help"])
    assert result.exit_code == 0 and "127.0.0.1" in result.output
    cmd = streamlit_command(Path("app.py"), "127.0.0.1", 8600)
    assert cmd[cmd.index("--server.headless") + 1] == "true"  # no first-run e-mail prompt
    assert cmd[cmd.index("--server.address") + 1] == "127.0.0.1"
    assert cmd[cmd.index("--server.port") + 1] == "8600"


def test_explore_passes_every_setting_of_the_repository_config() -> None:
    # Streamlit reads .streamlit/config.toml from the working directory only: run from another
    # folder, ``ceser explore`` showed Streamlit's English « Deploy » button and its red theme
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text("utf-8"))
    cmd = streamlit_command(Path("app.py"), "127.0.0.1", 8600)
    for section, values in config.items():
        for key, value in values.items():
            flag = f"--{section}.{key}"
            assert flag in cmd, flag
            given = cmd[cmd.index(flag) + 1]
            assert given == (str(value).lower() if isinstance(value, bool) else str(value)), flag


# -- Recherche -----------------------------------------------------------------------------


def test_search_returns_the_expected_paragraph(app_env: Settings) -> None:
    at = open_app()
    assert at.text_input[0].key == "q", "the query box must be the first text box"
    search(at, TEACHERS)
    texts = hit_texts(at)
    assert len(texts) == 10
    assert any(a in t for t in texts[:5] for a in TEACHERS_ANCHORS), texts[:5]
    marked = next(h.value for h in at.html if 'class="ce-hit"' in h.value)
    assert "<mark>" in marked
    citations = [c.value for c in at.code]
    assert any(c.startswith("CESER Occitanie, avis du 12/11/2025") for c in citations)


def test_the_demo_question_is_read_as_advice_and_its_results_export_with_citations(
    app_env: Settings, shown: dict[str, list[Any]]
) -> None:
    at = search(open_app(), TEACHERS)
    texts = hit_texts(at)
    # what the CESER proposes comes first: its own words (« Le CESER recommande que les
    # compétences… ») or its numbered préconisations, n°1 among the first five
    assert texts[0].startswith(("1Le CESER recommande", "1Préconisation n°")), texts[0]
    assert any("Préconisation n°1Intégrer les compétences" in t for t in texts[:5]), texts[:5]
    assert any("préconisations d'abord" in c.value for c in at.caption)
    files = {name: data for _, data, name in shown["download"]}
    text = files["recherche.csv"].decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    assert len(rows) == 10
    assert rows[0]["Citation"].startswith("CESER Occitanie, avis du 12/11/2025")
    assert "1" in [r["Préconisation n°"] for r in rows[:5]]
    sheet = openpyxl.load_workbook(io.BytesIO(files["recherche.xlsx"])).active
    assert sheet is not None and sheet.max_row == 11


def test_search_says_which_synonyms_widened_the_query(app_env: Settings) -> None:
    at = search(open_app(), "chômeurs")
    assert hit_ids(at)
    assert any("recherche élargie à" in c.value and "demandeurs" in c.value for c in at.caption)


def test_search_engine_is_built_once_for_all_searches_and_sessions(
    app_env: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    built: list[Settings] = []
    real = Workspace.prepare_search

    def prepare(ws: Workspace, **options: Any) -> Any:
        built.append(ws.settings)
        return real(ws, **options)

    monkeypatch.setattr(Workspace, "prepare_search", prepare)
    state.refresh()
    at = search(open_app(), "apprentissage")
    search(at, "soutien aux start-up")
    search(open_app(), "transfert de technologie")  # another browser session
    assert len(built) == 1 and hit_ids(at)


def test_theme_filter_narrows_the_results(app_env: Settings, catalog_of: Catalog) -> None:
    at = search(open_app(), "intelligence artificielle dans la région")
    unfiltered = hit_ids(at)
    scores = theme_store.themes_for_passages(catalog_of, unfiltered)

    def score(pid: str, theme: str) -> float:
        return scores.get(pid, theme_store.EMPTY)[0].get(theme, 0.0)

    themes = theme_store.known_themes(catalog_of)
    theme = next(
        t
        for t in themes  # a theme some results have and others lack
        if any(score(p, t) >= 0.5 for p in unfiltered)
        and any(score(p, t) < 0.5 for p in unfiltered)
    )
    at.pills(key="f_themes").set_value([theme]).run()
    filtered = hit_ids(at)
    assert filtered, "the filter must keep the passages of that theme"
    kept = theme_store.themes_for_passages(catalog_of, filtered)
    assert all(kept[p][0][theme] >= 0.5 for p in filtered)
    dropped = [p for p in unfiltered if score(p, theme) < 0.5]
    assert dropped and not set(dropped) & set(filtered)


def test_year_filters_keep_the_documents_of_those_years(app_env: Settings) -> None:
    at = search(open_app(), "formation")
    years = at.selectbox(key="f_since").options
    assert "2024" in years and "2025" in years
    at.selectbox(key="f_since").set_value("2025").run()
    at.selectbox(key="f_until").set_value("2025").run()
    assert hit_ids(at)
    assert all("/2025" in c.value for c in at.code)  # every citation is dated 2025
    at.selectbox(key="f_until").set_value("2024").run()  # 2025 to 2024: nothing
    assert hit_ids(at) == []
    assert "depuis 2025, jusqu'à 2024" in at.warning[0].value


def test_filters_that_match_nothing_say_why(app_env: Settings) -> None:
    at = search(open_app(), "apprentissage")
    at.toggle(key="f_recs").set_value(True).run()
    at.selectbox(key="f_kind").set_value("plan").run()
    assert hit_ids(at) == []
    warning = at.warning[0].value
    assert "Aucun passage" in warning and "Retirez un filtre" in warning
    at.button(key="rm-all").click().run()
    assert hit_ids(at), "removing the filters brings the results back"


def test_source_view_draws_the_passage_on_its_page(
    app_env: Settings, catalog_of: Catalog, shown: dict[str, list[Any]]
) -> None:
    at = search(open_app(), TEACHERS)
    pid = hit_ids(at)[0]
    at.toggle(key=f"src-{pid}").set_value(True).run()
    passage = catalog_of.passage(pid)
    assert passage is not None
    box = passage.provenance.boxes[0]
    png, caption = shown["image"][0]
    assert f"page {box.page} sur" in caption
    img = Image.open(io.BytesIO(png)).convert("RGB")
    x0, top, x1, bottom = pdfview.to_pixels(box)
    inside = img.crop((x0 + 4, top + 4, x1 - 4, bottom - 4))
    above = img.crop((x0 + 4, max(0, top - 40), x1 - 4, max(1, top - 8)))

    def pixels(region: Image.Image) -> list[tuple[int, int, int]]:
        raw = region.tobytes()
        return [(raw[i], raw[i + 1], raw[i + 2]) for i in range(0, len(raw), 3)]

    def tinted(region: Image.Image) -> float:  # white paper under the yellow highlight
        px = pixels(region)
        return sum(r > 235 and 225 < g < 250 and 140 < b < 190 for r, g, b in px) / len(px)

    assert tinted(inside) > 0.5
    assert tinted(above) < 0.05
    edge = pixels(img.crop((x0 + 2, top + 1, x1 - 2, top + 2)))  # the frame's top line
    assert sum(r > 200 and 60 < g < 120 and b < 40 for r, g, b in edge) > 0.8 * len(edge)
    pdfs = {name: data for _, data, name in shown["download"] if name.endswith(".pdf")}
    assert passage.document is not None
    assert pdfs[passage.document.file][:5] == b"%PDF-"  # the original
    page = f"{passage.document.file[:-4]}-page-{box.page}.pdf"
    assert pdfs[page][:5] == b"%PDF-" and len(pdfs[page]) < len(pdfs[passage.document.file])


def test_source_view_shows_both_pages_of_a_passage_across_a_page_break(
    app_env: Settings, catalog_of: Catalog, shown: dict[str, list[Any]]
) -> None:
    at = search(open_app(), "polarisation du marché du travail régional")
    spanning = [p for p in catalog_of.passages(ids=hit_ids(at)) if len(p.provenance.pages) == 2]
    assert spanning, "the corpus has a paragraph running over a page break"
    passage = spanning[0]
    at.toggle(key=f"src-{passage.passage_id}").set_value(True).run()
    captions = [c for _, c in shown["image"]]
    first, second = passage.provenance.pages
    assert [f"page {first} sur" in captions[0], f"page {second} sur" in captions[1]] == [True, True]


# -- Préconisations ------------------------------------------------------------------------


def test_recommendations_table_lists_the_13_and_exports_them(
    app_env: Settings, shown: dict[str, list[Any]]
) -> None:
    at = open_app("preconisations.py")
    at.selectbox(key="r_doc").set_value("avis_ia_generative.pdf").run()
    at.toggle(key="r_numbered").set_value(True).run()
    table = at.dataframe[0].value
    assert sorted(table["N°"].astype(int)) == list(range(1, 14))
    exports = {name: data for _, data, name in shown["download"][-2:]}
    text = exports["preconisations.csv"].decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))  # Excel in French
    assert sorted(int(r["N°"]) for r in rows) == list(range(1, 14))
    assert any(r["Préconisation"].startswith("Créer un bloc de compétences") for r in rows)
    sheet = openpyxl.load_workbook(io.BytesIO(exports["preconisations.xlsx"])).active
    assert sheet is not None
    assert sorted(int(r[0]) for r in sheet.iter_rows(min_row=2, values_only=True)) == list(
        range(1, 14)
    )


def test_recommendation_numbers_are_whole_numbers_or_blank(app_env: Settings) -> None:
    # unnumbered préconisations beside numbered ones once turned the column into floats
    at = open_app("preconisations.py")
    at.selectbox(key="r_doc").set_value("avis_ia_generative.pdf").run()
    column = list(at.dataframe[0].value["N°"])
    assert sorted(int(n) for n in column if n) == list(range(1, 14))
    assert all(n == "" or n.isdigit() for n in column), column


def test_selecting_a_recommendation_shows_its_source_and_plan_measures(
    app_env: Settings, shown: dict[str, list[Any]]
) -> None:
    at = open_app("preconisations.py")
    at.selectbox(key="r_doc").set_value("avis_ia_generative.pdf").run()
    at.toggle(key="r_numbered").set_value(True).run()
    ids = list(at.dataframe[0].value["Identifiant"])
    numbers = list(at.dataframe[0].value["N°"].astype(int))
    first = ids[numbers.index(1)]
    at.toggle(key="r_cover").set_value(True).run()
    answers = list(at.dataframe[0].value["Réponse du plan"])
    assert any(
        a.endswith("— Plan régional pour l'intelligence artificielle 2024-2028") for a in answers
    )
    assert "aucune" in answers  # not every préconisation is answered
    at.selectbox(key="r_pick").set_value(first).run()
    assert not at.exception
    assert any("page 10 sur" in c for _, c in shown["image"])
    measures = at.dataframe[1].value
    # corpus/links.toml: préconisation n°1 is answered by measure 2.3 of the plan
    assert measures["Mesure"].str.contains("2.3").any()
    assert (measures["Score"] >= 0).all()
    # each measure named with its plan, opened at its page with its box
    assert measures["Mesure"].str.contains("— Plan régional pour l'intelligence").all()
    images = len(shown["image"])
    with Catalog(app_env.catalog_path) as cat:
        measure = next(m for m in cat.measures() if m.code == "2.3" and m.level != "action")
    at.selectbox(key="r_measure").set_value(measure.measure_id).run()
    assert not at.exception
    assert len(shown["image"]) > images
    assert f"page {measure.page} sur" in shown["image"][-1][1]


# -- Documents -----------------------------------------------------------------------------


def test_documents_page_shows_figures_and_theme_charts(app_env: Settings) -> None:
    at = open_app("documents.py")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Documents"] == "2" and int(metrics["Préconisations"]) >= 13
    table = at.dataframe[0].value
    assert set(table["Fichier"]) == {"avis_ia_generative.pdf", "plan_ia_occitanie.pdf"}
    assert len(at.get("vega_lite_chart")) == 2  # documents compared, one in detail


def test_a_pdf_title_is_shown_as_text_not_as_a_link_or_an_image(writable_env: Settings) -> None:
    title = "Avis [lien](http://example.invalid/x) ![logo](http://example.invalid/i.png)"
    with Catalog(writable_env.catalog_path) as cat, cat.transaction() as db:
        db.execute("UPDATE documents SET title = ?", (title,))
    at = open_app("documents.py")
    shown = [m.value for m in at.markdown if "lien" in m.value]
    assert shown, "the document's title is on the page"
    assert all("](http" not in v for v in shown), shown  # escaped: no link, no remote image


# -- Import --------------------------------------------------------------------------------


def test_upload_makes_a_new_pdf_searchable(
    writable_env: Settings, tmp_path: Path, new_avis_pdf: bytes
) -> None:
    corpus = tmp_path / "corpus"
    data = new_avis_pdf
    at = open_app("import_pdf.py")
    at.file_uploader[0].set_value(("Avis semences (2025).pdf", data, "application/pdf")).run()
    at.button[0].click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert "1 ajouté" in at.success[0].value
    # read in a process of its own, never in Streamlit's (a hostile PDF could hang it)
    assert at.session_state["i_pid"] not in (None, os.getpid())
    assert [p.name for p in corpus.iterdir()] == ["Avis_semences_2025.pdf"]
    at.switch_page(VIEWS + "recherche.py").run()
    search(at, "conservatoire des semences paysannes")
    assert "conservatoire régional des semences paysannes" in hit_texts(at)[0].replace("\n", " "), [
        t[:60] for t in hit_texts(at)
    ]
    with Catalog(writable_env.catalog_path) as cat:
        top = cat.passage(hit_ids(at)[0])
        assert top is not None and top.document is not None
        assert top.document.file == "Avis_semences_2025.pdf"


def test_an_upload_already_indexed_under_another_name_is_a_duplicate(
    writable_env: Settings, tmp_path: Path
) -> None:
    with Catalog(writable_env.catalog_path) as cat:
        before = cat.stats()["documents"]
        original = cat.find_document("avis_ia_generative.pdf")
        assert original is not None and Path(original.path).exists()
    data = Path(original.path).read_bytes()
    at = open_app("import_pdf.py")
    at.file_uploader[0].set_value(("copie de l'avis.pdf", data, "application/pdf")).run()
    at.button[0].click().run()
    assert not at.exception, [e.message for e in at.exception]
    shown = [re.sub(r"\\(.)", r"\1", i.value) for i in at.info]  # as displayed
    assert "copie de l'avis.pdf est un doublon de avis_ia_generative.pdf (déjà indexé)." in shown
    assert "1 doublon" in at.success[0].value
    assert list((tmp_path / "corpus").iterdir()) == []  # the copy is not kept
    with Catalog(writable_env.catalog_path) as cat:
        assert cat.stats()["documents"] == before


def test_bad_upload_shows_an_error_and_changes_nothing(
    writable_env: Settings, tmp_path: Path
) -> None:
    with Catalog(writable_env.catalog_path) as cat:
        before = (cat.stats(), cat.failures())
    at = open_app("import_pdf.py")
    at.file_uploader[0].set_value(
        [
            ("rapport.pdf", b"Ceci est un texte, pas un PDF.", "application/pdf"),
            ("../../../evil.pdf", b"%PDF-1.4\n%broken", "application/pdf"),
        ]
    ).run()
    at.button[0].click().run()
    errors = [re.sub(r"\\(.)", r"\1", e.value) for e in at.error]  # as displayed
    assert len(errors) == 2
    assert "rapport.pdf" in errors[0] and "pas un PDF" in errors[0]
    assert "evil.pdf" in errors[1]
    assert not at.success
    assert list((tmp_path / "corpus").iterdir()) == []
    assert not list(tmp_path.parent.glob("evil.pdf"))
    with Catalog(writable_env.catalog_path) as cat:
        assert (cat.stats(), cat.failures()) == before


def test_search_says_it_kept_to_the_region_named(app_env: Settings) -> None:
    at = search(open_app(), "que propose le CESER Occitanie pour former les enseignants à l'IA ?")
    assert hit_ids(at)
    assert any(
        "Recherche limitée : documents d'Occitanie seulement (2 documents)"
        in c.value.replace("\\", "")  # Markdown escapes
        for c in at.caption
    )
    at = search(open_app(), "apprentissage")
    assert not any("Recherche limitée" in c.value for c in at.caption)


def test_an_empty_catalog_says_so_and_asks_for_nothing_else(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A new user's first visit, before any import: the page says the catalog is empty and
    points to the Import page, not to « ceser classify apply » (there is nothing to classify)."""
    use_home(monkeypatch, tmp_path / "home", tmp_path)
    at = open_app()
    said = [i.value for i in at.info] + [c.value for c in at.caption]
    assert any("catalogue est vide" in s for s in said), said
    assert not any("classify apply" in s for s in said), said


def test_explore_on_a_port_already_taken_says_so_in_one_line(tmp_path: Path) -> None:
    """Streamlit would print « Port 8501 is not available » in English and stop; the command
    says it in French, before starting anything, with a free port to use instead."""
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        port = held.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "ceser_explorer.cli", "explore", "--port", str(port),
             "--no-browser"],
            capture_output=True, text=True, timeout=120,
            env={**os.environ, "CESER_HOME": str(tmp_path / "home")},
        )  # fmt: skip
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and f"le port {port} est déjà pris" in lines[0], result.stderr
    assert "--port " in lines[0]


def test_title_topics_are_the_short_subjects_of_the_titles() -> None:
    from dataclasses import replace

    from ceser_explorer.app.search_page import title_topics
    from ceser_explorer.models import Document

    base = Document(0, "", "x.pdf", "", 0, 0.0, "", "", "avis", None, 1, "ok")
    docs = [
        replace(base, title="L'eau en Occitanie : partager une ressource", date="2024-01-01"),
        replace(base, title="APPRENTISSAGE EN BRETAGNE : CONSOLIDER L'ESSOR", date="2025-01-01"),
        replace(base, title="Décarbonation et", date="2023-01-01"),  # a title read short
        replace(base, title="Avis sur le budget primitif 2025"),  # the kind, not a subject
        replace(base, title="x.pdf"),  # no title but the file's name
        replace(base, title="Hydrogène vert – une filière à bâtir sur des usages réels"),
        replace(base, title="Une phrase de titre bien trop longue pour tenir sur un bouton"),
    ]
    assert title_topics(docs) == [
        "Apprentissage en Bretagne",
        "L'eau en Occitanie",
        "Hydrogène vert",
    ]


def test_the_examples_offered_are_answered_by_the_catalog(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Examples written for our six PDFs are offered only where the catalog holds their words;
    a user's own documents get the subjects of their titles instead."""
    from helpers import variety_batch

    from ceser_explorer import batch

    home = tmp_path / "home"
    (tmp_path / "pdf").mkdir()
    pdfs = variety_batch(tmp_path / "pdf", ("occitanie-eau.pdf", "corse-tourisme.pdf"))
    with Catalog(Settings.load(home=home).catalog_path) as cat:
        assert batch.ingest_paths(cat, [str(p) for p in sorted(pdfs.iterdir())]).ok
    use_home(monkeypatch, home, tmp_path)
    at = open_app()
    offered = [b.label for b in at.button if (b.key or "").startswith("ex-")]
    assert "L'eau en Occitanie" in offered, offered
    assert "transfert de technologie vers les PME" not in offered, offered
    assert "soutien aux start-up" not in offered, offered
    assert offered and len(offered) <= 4


def test_documents_whose_titles_start_alike_keep_a_bar_each() -> None:
    from dataclasses import replace

    from ceser_explorer.app.docs_page import shares_chart, theme_shares
    from ceser_explorer.models import Document

    base = Document(0, "", "", "", 0, 0.0, "", "", "plan", None, 1, "ok")
    long = "Schéma régional de l'enseignement supérieur, de la recherche et de l'innovation"
    docs = [
        replace(base, doc_id=1, file="ara.pdf", title=f"{long} 2022-2028"),
        replace(base, doc_id=2, file="occ.pdf", title=f"{long} 2023-2028"),
        replace(base, doc_id=3, file="eau.pdf", title="L'eau en Occitanie"),
    ]
    shares = theme_shares(docs, [], {"formation": "Formation"})
    assert len(shares) == 3, list(shares.index)  # the second schéma overwrote the first
    assert [i.endswith(("(ara.pdf)", "(occ.pdf)")) for i in shares.index] == [True, True, False]
    spec = shares_chart(shares).to_dict()
    assert spec["encoding"]["y"]["axis"]["labelLimit"] == 0  # labels whole, not « Schéma ré… »


def test_the_documents_page_says_which_metadata_were_guessed_and_how_to_correct_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    guessed = (("title", "cover"), ("body", "cover"), ("kind", "cover"), ("date", "guessed"))
    with Catalog(Settings.load(home=home).catalog_path) as cat:
        store_doc(
            cat, "avis_x.pdf", ["Le CESER propose de former les apprentis."], meta_sources=guessed
        )
    use_home(monkeypatch, home, tmp_path)
    at = open_app("documents.py")
    said = " ".join(c.value for c in at.caption)
    assert "Devinés faute de mieux : date." in said, said
    assert '« ["avis_x.pdf"] »' in said.replace("\\", "")  # Markdown escapes shown bare
