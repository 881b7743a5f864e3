"""What every command shares: the settings and catalog, the consoles, the common options."""

from __future__ import annotations

import dataclasses

import click
from rich.console import Console

from ..config import ENV_CHROMA_URL, Settings
from ..workspace import Workspace

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
console = Console(stderr=True)  # progress, warnings
stdout = Console()  # tables and text results


class Env:
    """What every command gets: the settings and, on demand, the workspace (the façade)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._workspace: Workspace | None = None

    @property
    def workspace(self) -> Workspace:
        if self._workspace is None:
            self._workspace = Workspace(self.settings)
        return self._workspace

    def use_chroma(self, chroma_url: str | None) -> None:
        """Search and index through the Chroma server at chroma_url when one is given."""
        if chroma_url:
            self.settings = dataclasses.replace(self.settings, chroma_url=chroma_url)
            self._workspace = None


pass_env = click.make_pass_decorator(Env)

chroma_option = click.option(
    "--chroma-url",
    envvar=ENV_CHROMA_URL,
    help="Serveur Chroma (http://hôte:port) au lieu de l'index local "
    f"(défaut : ${ENV_CHROMA_URL}).",
)
json_option = click.option("--json", "as_json", is_flag=True, help="Sortie JSON.")
