"""Bit-identity check for refactors: run `make run`'s command and every shipped experiment at a
small size, save their tables, and compare two such snapshots value by value.

    python tests/bitcheck.py snapshot OUT_DIR     # run everything, write tables under OUT_DIR
    python tests/bitcheck.py compare OLD NEW      # exit 1 if any table differs

Not collected by pytest (no test_ prefix): it takes about a minute on one core. Sizes: run
baseline -r 3; compare -r 2; sobol n 8 with a 2x2 noise check; morris 2 trajectories; sweep
2x2 cells -r 2; discovery 40 samples; every experiment with --workers 1.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import pandas as pd
import yaml

ROOT = Path(__file__).resolve().parent.parent
EXE = [sys.executable, "-m", "werklandschap.cli"]
#: Experiment file -> keys replaced to make it small.
SMALL = {
    "compare_levers": {"replications": 2},
    "sobol": {"n": 8, "noise_check": {"points": 2, "replications": 2}, "bootstrap": 20},
    "morris": {"trajectories": 2, "bootstrap": 20},
    "tipping_phase": {
        "replications": 2,
        "x": {"parameter": "peer_weight", "from": 0.0, "to": 1.0, "steps": 2},
        "y": {"parameter": "n_stimulated", "values": [0, 300]},
    },
    "discovery": {"samples": 40},
}
TABLES = ("*.parquet", "*.csv")


def snapshot(out: Path) -> None:
    """Run everything small into `out` (tables are what is compared)."""
    out.mkdir(parents=True, exist_ok=False)
    cmd = [*EXE, "run", "baseline", "-r", "3", "--no-figures", "--out", str(out / "run")]
    subprocess.run(cmd, check=True, cwd=ROOT)
    with tempfile.TemporaryDirectory() as tmp:
        for name, small in SMALL.items():
            source = yaml.safe_load((ROOT / "experiments" / f"{name}.yaml").read_text())
            source.update(small)
            path = Path(tmp) / f"{name}.yaml"
            path.write_text(yaml.safe_dump(source))
            cmd = [*EXE, "experiment", str(path), "--out", str(out / "exp"), "--workers", "1"]
            subprocess.run([*cmd, "-q"], check=True, cwd=ROOT)


def _tables(root: Path) -> set[Path]:
    """Every table under `root`, except journal parts (named by session; runs.parquet holds
    their rows)."""
    found = {p.relative_to(root) for pat in TABLES for p in root.rglob(pat)}
    return {p for p in found if "journal" not in p.parts}


def _read(path: Path) -> pd.DataFrame:
    return pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path)


def compare(old: Path, new: Path) -> int:
    """Compare every table of two snapshots; return the number of differing tables."""
    files = sorted(_tables(old))
    files += sorted(_tables(new) - set(files))
    bad = 0
    for rel in files:
        a, b = old / rel, new / rel
        if not (a.exists() and b.exists()):
            print(f"MISSING {rel}: old {a.exists()}, new {b.exists()}")
            bad += 1
            continue
        x, y = _read(a), _read(b)
        same = list(x.columns) == list(y.columns) and x.shape == y.shape
        same = same and x.astype(str).equals(y.astype(str))
        print(("same    " if same else "DIFFERS ") + str(rel))
        if not same:
            bad += 1
            cols = sorted(set(x.columns) ^ set(y.columns))
            if cols:
                print(f"   columns only in one: {cols}")
    print(f"{len(files)} tables, {bad} differ")
    return bad


if __name__ == "__main__":
    if sys.argv[1:2] == ["snapshot"]:
        snapshot(Path(sys.argv[2]))
    elif sys.argv[1:2] == ["compare"]:
        sys.exit(1 if compare(Path(sys.argv[2]), Path(sys.argv[3])) else 0)
    else:
        sys.exit(__doc__)
