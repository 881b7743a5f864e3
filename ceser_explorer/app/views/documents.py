"""Streamlit page script: see ceser_explorer/app/docs_page.py."""

from ceser_explorer.app.docs_page import render

render()
