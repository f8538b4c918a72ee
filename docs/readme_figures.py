"""The README's baseline caption, regenerated from the command that produces it (`make run`).

    .venv/bin/python docs/readme_figures.py            # print the figures and the caption
    .venv/bin/python docs/readme_figures.py --check    # exit 1 when the README quotes others
    .venv/bin/python docs/readme_figures.py --images   # also refresh docs/img/baseline_*.png

It runs exactly the command of the Makefile's `run` target (read from the Makefile) into a
temporary folder, takes the median and range it prints, and the other figures the caption quotes
from the summary.csv it writes: how many runs meet the target, when the median run reaches it,
when the label arrives, how many runs are self-sustaining. tests/test_readme_figures.py checks
that the README's caption quotes these numbers.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
MAKEFILE = ROOT / "Makefile"
#: The README's figures made by `make run` (run folder figures/ -> docs/img/).
IMAGES = {
    "s_curve.png": "baseline_s_curve.png",
    "provinces.png": "baseline_provinces.png",
    "map.png": "baseline_map.png",
}
PRINTED = re.compile(r"median ([\d,.]+) \(range ([\d,]+)\s*[-–]\s*([\d,]+)\)")
MONTHS = "January February March April May June July August September October November December"


def make_run_arguments(makefile: Path = MAKEFILE) -> list[str]:
    """The arguments `make run` gives `werklandschap` (e.g. ["run", "baseline", "-r", "20"])."""
    lines = makefile.read_text(encoding="utf-8").splitlines()
    start = lines.index(next(line for line in lines if line.startswith("run:")))
    for line in lines[start + 1 :]:
        if not line.startswith("\t"):
            break
        if "werklandschap run " in line:
            return line.split("werklandschap", 1)[1].split()
    raise ValueError(f"{makefile}: no `werklandschap run` command in the run target")


def _date(month: float) -> str:
    """Month number (0 = January 2023) as 'March 2033'."""
    year, index = divmod(round(month), 12)
    return f"{MONTHS.split()[index]} {2023 + year}"


def _season(month: float) -> str:
    """Month number as 'early 2027' (Jan-Apr), 'mid 2027' (May-Aug) or 'late 2027'."""
    year, index = divmod(round(month), 12)
    return f"{('early', 'mid', 'late')[index // 4]} {2023 + year}"


def figures(out: Path) -> dict[str, str]:
    """Run `make run`'s command into `out`; the figures the README's caption quotes (as text)."""
    command = [sys.executable, "-m", "werklandschap.cli", *make_run_arguments(), "--out", str(out)]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    printed = PRINTED.search(done.stdout)
    if not printed:
        raise ValueError(f"no 'median N (range A-B)' in the output of {command}:\n{done.stdout}")
    median, low, high = (int(float(v.replace(",", ""))) for v in printed.groups())
    summaries = list(out.rglob("summary.csv"))
    if len(summaries) != 1:
        raise ValueError(f"expected one summary.csv under {out}, found {len(summaries)}")
    summary = pd.read_csv(summaries[0])
    runs, met = len(summary), int(summary["target_met"].astype(bool).sum())
    reached = summary["month_target_reached"].dropna()
    sustaining = int((summary["self_sustaining"] == 1).sum())
    return {
        "median": f"a median of {median:,} parks",
        "range": f"range {low:,}–{high:,}",
        "target": "missed in every run" if met == 0 else f"met in {met} of {runs} runs",
        "reached": f"reached around {_date(float(np.median(reached)))}" if len(reached) else "",
        "label": f"in {_season(float(summary['label_month'].median()))}",
        "self_sustaining": f"self-sustaining in {sustaining} of {runs} runs",
        "run_folder": str(summaries[0].parent),
    }


def caption(readme: Path = README) -> str:
    """The italic paragraph under the README's baseline S-curve."""
    text = readme.read_text(encoding="utf-8")
    after = text.split("docs/img/baseline_s_curve.png)", 1)[1]
    paragraph = after.strip().split("\n\n", 1)[0]
    return " ".join(paragraph.split())


def mismatches(found: dict[str, str], readme: Path = README) -> list[str]:
    """The figures the README's caption does not quote as `found`."""
    quoted = caption(readme)
    return [
        f"{key}: README should say '{value}'"
        for key, value in found.items()
        if key != "run_folder" and value and value not in quoted
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when the README differs")
    parser.add_argument(
        "--images", action="store_true", help="copy the run's figures to docs/img/baseline_*.png"
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        found = figures(Path(tmp))
        for key, value in found.items():
            if key != "run_folder":
                print(f"{key:16s} {value}")
        if args.images:
            for name, target in IMAGES.items():
                shutil.copyfile(
                    Path(found["run_folder"]) / "figures" / name, ROOT / "docs/img" / target
                )
            print(f"copied {len(IMAGES)} figures to docs/img/")
    problems = mismatches(found)
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if args.check and problems else 0


if __name__ == "__main__":
    sys.exit(main())
