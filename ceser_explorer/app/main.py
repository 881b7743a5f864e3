"""The explorer's entry point: page setup and navigation (``streamlit run app.py``)."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from .markup import FRENCH, STYLE

VIEWS = Path(__file__).parent / "views"
# a file of the package: a Material icon as the tab icon is fetched from a font server
ICON = Path(__file__).parent / "icon.png"
PAGES = (
    ("recherche.py", "Recherche", ":material/search:", "recherche"),
    ("preconisations.py", "Préconisations", ":material/checklist:", "preconisations"),
    ("documents.py", "Documents", ":material/description:", "documents"),
    ("import_pdf.py", "Import", ":material/upload_file:", "import"),
)


def main() -> None:
    """Configure the page and run the selected one (Recherche by default)."""
    st.set_page_config(page_title="CESER Explorer", page_icon=str(ICON), layout="wide")
    pages = [
        st.Page(VIEWS / file, title=title, icon=icon, url_path=url, default=(i == 0))
        for i, (file, title, icon, url) in enumerate(PAGES)
    ]
    page = st.navigation(pages, position="top")
    st.html(STYLE)  # style only: takes no room on the page
    st.html(FRENCH, unsafe_allow_javascript=True)
    page.run()


if __name__ == "__main__":
    main()
