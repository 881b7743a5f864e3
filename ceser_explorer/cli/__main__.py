"""``python -m ceser_explorer.cli``: the same as the ``ceser`` command."""

from . import main

main()
