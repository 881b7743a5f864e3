"""Command ``ceser explore``: the Streamlit explorer on this machine."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import click

from ..config import ENV_CHROMA_URL, ENV_EMBEDDER, ENV_HOME
from ..errors import CeserError
from .env import CONTEXT, Env, pass_env

# a script with absolute imports: Streamlit runs it as a file, outside any package
APP = Path(__file__).parent.parent / "app" / "streamlit_app.py"


def streamlit_command(script: Path, host: str, port: int) -> list[str]:
    """Return the command line that serves script with Streamlit on host:port.

    Every setting is given on the command line: Streamlit reads .streamlit/config.toml from
    the working directory only, and ``ceser explore`` runs from anywhere (the repository's
    file serves ``streamlit run app.py`` and holds the same values)."""
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(script),
        "--server.address",
        host,
        "--server.port",
        str(port),
        "--server.headless",
        "true",  # never Streamlit's first-run e-mail prompt; the browser is opened by us
        "--server.maxUploadSize",
        "50",
        "--server.fileWatcherType",
        "none",
        "--browser.gatherUsageStats",
        "false",
        "--client.toolbarMode",
        "minimal",  # no English « Deploy » button
        "--logger.level",
        "warning",  # Streamlit's warnings and errors still show, not its English info lines
        "--logger.hideWelcomeMessage",
        "true",  # « You can now view your Streamlit app »: our French line says where it is
        "--theme.primaryColor",
        "#1f4e79",
    ]


def port_taken(host: str, port: int) -> bool:
    """Whether host:port cannot be listened on (another server holds it), tried as the server
    will (address reuse on, so a port left in TIME_WAIT counts as free)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except OSError:
        return False  # a name that does not resolve: the server says so itself
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as s:
        if os.name == "posix":
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(address)
        except OSError:
            return True
    return False


def open_later(url: str, delay: float = 4.0) -> None:
    """Open url in the user's browser once the server had time to start (no-op if none)."""
    code = f"import time, webbrowser; time.sleep({delay}); webbrowser.open({url!r})"
    subprocess.Popen(
        [sys.executable, "-c", code],
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


@click.command(context_settings=CONTEXT)
@click.option(
    "--port",
    type=click.IntRange(1, 65535),
    default=8501,
    show_default=True,
    help="Port du serveur.",
)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Adresse d'écoute ; 127.0.0.1 n'accepte que cette machine.",
)
@click.option(
    "--chroma-url",
    envvar=ENV_CHROMA_URL,
    help="Serveur Chroma (http://hôte:port) au lieu de l'index local.",
)
@click.option(
    "--browser/--no-browser",
    default=True,
    show_default=True,
    help="Ouvrir un onglet du navigateur.",
)
@click.option(
    "--smoke",
    is_flag=True,
    help="Vérifier puis arrêter : démarre le serveur, exécute chaque page, signale toute erreur.",
)
@pass_env
def explore(
    env: Env, port: int, host: str, chroma_url: str | None, browser: bool, smoke: bool
) -> None:
    """Ouvrir l'explorateur (recherche, préconisations, documents, import) dans le navigateur.

    Il lit le même dossier de données que les autres commandes ($CESER_HOME ou --home).

    \b
    Exemple :
      ceser explore --port 8502 --no-browser
      ceser explore --smoke          # démarre, vérifie chaque page, s'arrête (code 1 si erreur)
    """
    environ = dict(os.environ)
    environ[ENV_HOME] = str(env.settings.home)
    if chroma_url or env.settings.chroma_url:
        environ[ENV_CHROMA_URL] = chroma_url or env.settings.chroma_url or ""
    if env.settings.embedder:
        environ[ENV_EMBEDDER] = env.settings.embedder
    if port_taken(host, port):
        free = next(
            (p for p in range(port + 1, min(port + 50, 65536)) if not port_taken(host, p)), None
        )
        raise CeserError(
            f"le port {port} est déjà pris (un explorateur déjà ouvert sur "
            f"http://{host}:{port} ?) : ouvrez-le dans le navigateur, ou choisissez un autre port"
            + (f" : ceser explore --port {free}" if free else " avec --port")
            + "."
        )
    cmd = streamlit_command(APP, host, port)
    if smoke:
        from ..app.smoke import smoke as run_smoke

        say = lambda line: click.echo(line, err=True)  # noqa: E731
        sys.exit(run_smoke(cmd, environ, f"http://{host}:{port}", APP, say))
    click.echo(f"Explorateur sur http://{host}:{port} (Ctrl+C pour arrêter).", err=True)
    if browser:
        open_later(f"http://{host}:{port}")
    if os.name == "posix":
        # become the server: Ctrl+C and kill reach it directly and nothing is left behind
        os.execve(cmd[0], cmd, environ)
    try:
        code = subprocess.call(cmd, env=environ)
    except KeyboardInterrupt:
        code = 130
    sys.exit(code)
