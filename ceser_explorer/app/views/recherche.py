"""Streamlit page script: see ceser_explorer/app/search_page.py."""

from ceser_explorer.app.search_page import render

render()
