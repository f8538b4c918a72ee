"""Packaging: every data file ships, declared the way setuptools expects (no warnings on install),
and the version has one source (pyproject.toml)."""

from __future__ import annotations

import fnmatch
import tomllib
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
SETUPTOOLS = PYPROJECT["tool"]["setuptools"]
#: Folders of the repository that are not part of the installed package.
NOT_SHIPPED = {"tests", "docs", "notebooks", "results", "build_backend", "build"}


def _package(folder: Path) -> str:
    parts = folder.relative_to(ROOT).parts
    return ".".join(("werklandschap", *parts))


def _package_files() -> list[Path]:
    """Every file below the package folders, except Python caches and unshipped folders."""
    folders = [
        d
        for d in ROOT.iterdir()
        if d.is_dir()
        and d.name not in NOT_SHIPPED
        and not d.name.startswith(".")
        and not d.name.endswith(".egg-info")
    ]
    return [
        path
        for folder in folders
        for path in folder.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    ]


def test_every_folder_with_package_files_is_a_declared_package():
    """setuptools warns ("Package would be ignored") for a data folder missing from `packages`."""
    assert SETUPTOOLS["package-dir"] == {"werklandschap": "."}
    declared = set(SETUPTOOLS["packages"])
    folders = {_package(path.parent) for path in _package_files()}
    assert folders - declared == set(), "add these folders to [tool.setuptools] packages"


def test_every_data_file_is_declared_package_data():
    patterns = SETUPTOOLS["package-data"]
    missing = [
        str(path.relative_to(ROOT))
        for path in _package_files()
        if path.suffix != ".py"
        and not any(fnmatch.fnmatch(path.name, p) for p in patterns.get(_package(path.parent), []))
    ]
    assert missing == [], "declare these files in [tool.setuptools.package-data]"


def test_the_data_the_model_reads_is_declared():
    names = {p.name for p in _package_files() if p.suffix != ".py"}
    for needed in ("calibrated.json", "ibis_bedrijventerreinen_2024.csv", "baseline.yaml"):
        assert needed in names


def test_the_installed_version_is_the_one_in_pyproject():
    """`werklandschap --version` and manifests read the metadata; a stale install shows here."""
    assert version("werklandschap") == PYPROJECT["project"]["version"]


def test_dev_extras_include_every_extra_make_run_installs():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    extras = next(line for line in makefile.splitlines() if line.startswith("EXTRAS"))
    wanted = set(extras.split(":=")[1].strip().split(","))
    assert wanted == {"viz", "ema", "dask", "notebooks"}
    assert wanted <= set(PYPROJECT["project"]["optional-dependencies"])
    dev = PYPROJECT["project"]["optional-dependencies"]["dev"]
    assert any(d.startswith("werklandschap[") and wanted <= set(d[14:-1].split(",")) for d in dev)
    assert any(d.startswith("pytest-xdist") for d in dev)


def test_citation_and_changelog_follow_the_version():
    import yaml

    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert citation["cff-version"] == "1.2.0"
    assert {"message", "title", "authors", "version"} <= set(citation)
    assert citation["version"] == PYPROJECT["project"]["version"]
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert f"## [{PYPROJECT['project']['version']}]" in changelog
    assert "## [0.1.0]" in changelog
