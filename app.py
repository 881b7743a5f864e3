"""CESER Explorer: ``streamlit run app.py`` (or ``ceser explore``) opens the explorer."""

from ceser_explorer.app.main import main

main()
