"""The script that ``ceser explore`` serves: absolute imports, as Streamlit runs it as a file."""

from ceser_explorer.app.main import main

main()
