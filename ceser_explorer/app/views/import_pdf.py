"""Streamlit page script: see ceser_explorer/app/import_page.py."""

from ceser_explorer.app.import_page import render

render()
