"""The script Streamlit runs for ``ceser explore`` (absolute imports: Streamlit runs it as a file)."""

from ceser_explorer.app.main import main

main()
