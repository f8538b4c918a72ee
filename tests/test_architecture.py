"""docs/ARCHITECTURE.md stays true: every module and file it names (outside code examples)
exists, and the names it uses for the registries exist."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEXT = (ROOT / "docs" / "ARCHITECTURE.md").read_text(encoding="utf-8")
PROSE = re.sub(r"```.*?```", "", TEXT, flags=re.S)  # worked examples name files to be made
PATHS = sorted(set(re.findall(r"`([\w./]+\.(?:py|yaml|md|toml))`", PROSE)))


def test_it_names_modules():
    assert len(PATHS) > 30


def test_every_named_module_exists():
    missing = [p for p in PATHS if not (ROOT / p).is_file()]
    assert missing == []


def test_every_layout_folder_exists():
    folders = re.findall(r"^\| `(\w+)/` \|", TEXT, flags=re.M)
    assert set(folders) >= {"model", "agents", "runs", "experiments", "verification", "dashboard"}
    assert all((ROOT / f).is_dir() for f in folders)


def test_the_registries_it_points_to_exist():
    from werklandschap.experiments import outcomes, types

    assert "REGISTRY" in TEXT and set(types.REGISTRY) >= {"compare", "sobol", "morris"}
    assert "USED_BY" in TEXT and "morris" in outcomes.USED_BY


def test_the_dashboard_does_not_import_the_experiment_layer():
    offenders = [
        str(p.relative_to(ROOT))
        for p in (ROOT / "dashboard").rglob("*.py")
        if "werklandschap.experiments" in p.read_text(encoding="utf-8")
    ]
    assert offenders == []
