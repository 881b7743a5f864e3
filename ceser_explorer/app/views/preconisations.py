"""Streamlit page script: see ceser_explorer/app/recs_page.py."""

from ceser_explorer.app.recs_page import render

render()
