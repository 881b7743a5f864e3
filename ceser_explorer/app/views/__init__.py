"""Page scripts that Streamlit runs (one per page); the code lives in ceser_explorer.app."""
