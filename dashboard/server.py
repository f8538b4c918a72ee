"""Start the dashboard: `solara run` on the app, on loopback by default, without outbound calls.

Offline-capable settings: `--production` (no "solara check" request to solara.dev),
`--no-check-version` (no PyPI version check) and SOLARA_TELEMETRY_MIXPANEL_ENABLE=false (no
telemetry). JS/CSS come from the solara-assets package through Solara's local asset proxy
(SOLARA_ASSETS_PROXY keeps its default; set to false the page would load them from a CDN).
SOLARA_THEME_SHOW_BANNER=false drops the "This website runs on Solara" footer, which overlaps
the page's content.

The page has no authentication and runs the model on request, so it listens on loopback unless
the caller explicitly allows remote access (`check_host`).
"""

from __future__ import annotations

import ipaddress
import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

APP = Path(__file__).resolve().with_name("app.py")
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
OFFLINE_ENV = {"SOLARA_TELEMETRY_MIXPANEL_ENABLE": "false", "SOLARA_THEME_SHOW_BANNER": "false"}
REMOTE_WARNING = (
    "werklandschap dashboard: warning: listening on {host}, reachable from other machines; "
    "the page has no authentication and runs the model for anyone who opens it"
)


class HostError(ValueError):
    """A non-loopback host was asked for without allowing remote access."""


def is_loopback(host: str) -> bool:
    """True for 'localhost' and loopback addresses (127.0.0.0/8, ::1); False otherwise."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip().strip("[]")).is_loopback
    except ValueError:  # a host name other than localhost may resolve anywhere
        return False


def check_host(host: str, allow_remote: bool) -> str | None:
    """None for a loopback host; the warning to print for an allowed remote one.

    Raises HostError (one line) for a remote host without `allow_remote`.
    """
    if is_loopback(host):
        return None
    if not allow_remote:
        raise HostError(
            f"--host {host} would make the dashboard reachable from other machines, and the "
            "page has no authentication; add --allow-remote to do so anyway"
        )
    return REMOTE_WARNING.format(host=host)


def solara_command(
    host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, open_browser: bool = False
) -> list[str]:
    """The `solara run` command line for the dashboard."""
    command = [sys.executable, "-m", "solara", "run", str(APP), "--host", host,
               "--port", str(port), "--production", "--no-check-version"]  # fmt: skip
    if not open_browser:
        command.append("--no-open")
    return command


def solara_env(base: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment for the server: `base` (default: this process's) plus the offline flags."""
    return {**(os.environ if base is None else base), **OFFLINE_ENV}


def serve(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, open_browser: bool = False) -> int:
    """Run the dashboard server in the foreground until it stops (Ctrl-C); its exit status.

    On POSIX the server replaces this process (exec), so Ctrl-C and SIGTERM reach it directly
    and no parent is left behind; elsewhere it runs as a child process.
    """
    command, env = solara_command(host, port, open_browser), solara_env()
    print(f"werklandschap dashboard: http://{host}:{port} (Ctrl-C to stop)", flush=True)
    if os.name == "posix":
        os.execve(command[0], command, env)  # does not return
    try:
        return subprocess.call(command, env=env)
    except KeyboardInterrupt:
        return 130
