"""What every command shares: the settings and catalog, the consoles, the common options."""

from __future__ import annotations

import dataclasses

import click
from rich.console import Console

from ..catalog import Catalog
from ..config import ENV_CHROMA_URL, Settings
from ..errors import CeserError

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
console = Console(stderr=True)  # progress, warnings
stdout = Console()  # tables and text results


class Env:
    """What every command gets: the settings and, on demand, the catalog."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._catalog: Catalog | None = None

    @property
    def catalog(self) -> Catalog:
        if self._catalog is None:
            self._catalog = Catalog(self.settings.ensure().catalog_path)
        return self._catalog

    def doc_id(self, doc: str | None) -> int | None:
        """Return the id of the document named by file name or path (None for None)."""
        if doc is None:
            return None
        found = self.catalog.find_document(doc)
        if found is None:
            raise CeserError(f"document « {doc} » absent du catalogue. Voir « ceser status ».")
        return found.doc_id

    def use_chroma(self, chroma_url: str | None) -> None:
        """Search and index through the Chroma server at chroma_url when one is given."""
        if chroma_url:
            self.settings = dataclasses.replace(self.settings, chroma_url=chroma_url)


pass_env = click.make_pass_decorator(Env)

chroma_option = click.option(
    "--chroma-url",
    envvar=ENV_CHROMA_URL,
    help="Serveur Chroma (http://hôte:port) au lieu de l'index local "
    f"(défaut : ${ENV_CHROMA_URL}).",
)
json_option = click.option("--json", "as_json", is_flag=True, help="Sortie JSON.")
