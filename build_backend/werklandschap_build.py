"""PEP 517 build backend: setuptools, without one informational message on editable installs.

The package is the repository root (`package-dir = {"werklandschap" = "."}`), so setuptools makes
editable installs with an import hook and always ends them with an `InformationOnly` warning,
"Editable installation. Please be careful with folders in your working directory with the same
name as your package". It describes no problem of this project (no folder is named
`werklandschap` here), but pip prints it on every `pip install -e .`. This backend forwards every
hook to `setuptools.build_meta` and drops only that message; every other warning still shows.
"""

from __future__ import annotations

import warnings

from setuptools import build_meta
from setuptools.build_meta import *  # noqa: F403 (re-export every other hook unchanged)
from setuptools.warnings import InformationOnly


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    """setuptools' build_editable with the editable-install notice filtered out."""
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", message=r"Editable installation\.", category=InformationOnly
        )
        return build_meta.build_editable(wheel_directory, config_settings, metadata_directory)
