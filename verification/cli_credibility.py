"""CLI: `werklandschap calibrate` and `werklandschap validation`.

Both write under results/ by default (`results/calibration/`, `results/validation/`). The checked-in
files change only when asked: `calibrate --write` records the calibrated values in
`model/data/calibrated.json` (the parameter spec overlays them on its defaults), `--docs` also
updates docs/ (calibrate: calibration.md and parameters.md; validation: validation.md and img/).
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
from pathlib import Path

PACKAGE_ROOT = Path(__file__).resolve().parent.parent
DOCS = PACKAGE_ROOT / "docs"
EXIT_BAD_INPUT = 2
MORRIS_TABLE = "morris_labelled_at_horizon.csv"


def _integer(minimum: int):
    def parse(text: str) -> int:
        value = int(text)
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}, got {value}")
        return value

    return parse


def _fraction(text: str) -> float:
    value = float(text)
    if not 0 < value <= 1:
        raise argparse.ArgumentTypeError(f"must be in (0, 1], got {value}")
    return value


def _bad_input(message: str) -> int:
    print(f"werklandschap: error: {message}", file=sys.stderr)
    return EXIT_BAD_INPUT


def _not_a_folder(*paths: Path) -> str | None:
    """A message when one of `paths` exists but is not a folder (nothing can be written there)."""
    for path in paths:
        if path.exists() and not path.is_dir():
            return f"{path} exists and is not a folder"
    return None


def cmd_calibrate(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from werklandschap.verification import calibration

    out = Path(args.out)
    if args.docs and not args.write:
        return _bad_input(
            "--docs needs --write: docs/calibration.md describes the values the spec uses"
        )
    problem = _not_a_folder(out, *([Path(args.docs)] if args.docs else []))
    if problem:
        return _bad_input(problem)
    result = calibration.calibrate(
        draws=args.draws,
        accept=args.accept,
        seed=args.seed,
        progress=lambda r: tqdm(r, desc="calibrate", unit="draw"),
    )
    out.mkdir(parents=True, exist_ok=True)
    report = out / "calibration.md"
    report.write_text(calibration.markdown(result), encoding="utf-8")
    result.draws.to_csv(out / "draws.csv", index=False)
    result.accepted.to_csv(out / "accepted.csv", index=False)
    for name, est in result.estimates.items():
        print(
            f"{name:22s} {calibration.rounded(name, est['median'])!s:>8}  "
            f"(accepted 5-95%: {est['q05']:.3g}-{est['q95']:.3g})"
        )
    print(f"report and draws: {out}")
    if args.write:
        target = calibration.CALIBRATED_FILE  # looked up here so that tests can redirect it
        calibration.write_calibrated(result.estimates, calibration.method_text(result), target)
        print(f"calibrated values written to {target} (used from the next start)")
    if args.docs:
        _calibration_docs(report, Path(args.docs), calibration.CALIBRATED_FILE)
    return 0


def _calibration_docs(report: Path, docs: Path, calibrated: Path) -> None:
    """docs/calibration.md (the report) and docs/parameters.md (the spec with the new values)."""
    from werklandschap.cli import params_markdown
    from werklandschap.model.parameters import UNCALIBRATED, load_calibrated, overlay_calibrated

    docs.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(report, docs / "calibration.md")
    spec = overlay_calibrated(UNCALIBRATED, load_calibrated(calibrated), str(calibrated))
    (docs / "parameters.md").write_text(params_markdown(list(spec)), encoding="utf-8")
    print(f"updated {docs / 'calibration.md'} and {docs / 'parameters.md'}")


def cmd_validation(args: argparse.Namespace) -> int:
    from werklandschap.verification.validation import build_report

    sensitivity = Path(args.sensitivity) if args.sensitivity else None
    if sensitivity and not (sensitivity / MORRIS_TABLE).is_file():
        return _bad_input(f"no Morris results in {sensitivity} (expected {MORRIS_TABLE})")
    problem = _not_a_folder(Path(args.out), *([Path(args.docs)] if args.docs else []))
    if problem:
        return _bad_input(problem)
    path = build_report(
        replications=args.replications,
        seed=args.seed,
        sensitivity=sensitivity,
        out=Path(args.out),
        results=Path(args.results),
        workers=args.workers,
    )
    print(f"report: {path}")
    if args.docs:
        copied = publish_report(path, Path(args.docs))
        print(f"updated {Path(args.docs) / path.name} and {len(copied)} figure(s) in its img/")
    return 0


def publish_report(report: Path, docs: Path) -> list[Path]:
    """Copy a report and every image it links (`img/NAME`) into `docs`; the copied images."""
    text = report.read_text(encoding="utf-8")
    images = sorted(set(re.findall(r"\]\((img/[^)\s]+)\)", text)))
    (docs / "img").mkdir(parents=True, exist_ok=True)
    copied = []
    for image in images:
        shutil.copyfile(report.parent / image, docs / image)
        copied.append(docs / image)
    shutil.copyfile(report, docs / report.name)
    return copied


def add_parser(sub) -> None:
    calibrate = sub.add_parser(
        "calibrate",
        help="fit organic diffusion to the KVO-B analogue (ABC); writes results/calibration/",
        description="Approximate Bayesian computation by rejection (verification/calibration.py). "
        "Writes calibration.md, draws.csv and accepted.csv to --out; changes the spec's "
        "calibrated values and docs/ only with --write and --docs.",
    )
    calibrate.add_argument(
        "--draws", type=_integer(2), default=400, help="prior draws, one run each (default: 400)"
    )
    calibrate.add_argument(
        "--accept",
        type=_fraction,
        default=0.05,
        help="fraction of draws accepted, the closest to the targets (default: 0.05)",
    )
    calibrate.add_argument(
        "--seed", type=_integer(0), default=2026, help="seed of the draws and runs (default: 2026)"
    )
    calibrate.add_argument(
        "--out",
        default="results/calibration",
        help="folder for the report and the draws (default: results/calibration)",
    )
    calibrate.add_argument(
        "--write",
        action="store_true",
        help="record the calibrated medians in model/data/calibrated.json (the spec's defaults)",
    )
    calibrate.add_argument(
        "--docs",
        nargs="?",
        const=str(DOCS),
        metavar="DIR",
        help="with --write: also update calibration.md and parameters.md in DIR "
        "(default: the project's docs/)",
    )
    calibrate.set_defaults(func=cmd_calibrate)

    validation = sub.add_parser(
        "validation",
        help="patterns, Bass fits, the mission answer; writes results/validation/",
        description="The validation report (verification/validation.py): validation.md and img/ "
        "in --out; docs/validation.md and docs/img/ change only with --docs.",
    )
    validation.add_argument(
        "--replications",
        "-r",
        type=_integer(1),
        default=100,
        help="replications of the baseline and the counterfactual (default: 100)",
    )
    validation.add_argument(
        "--seed",
        type=_integer(0),
        default=2026,
        help="seed of the first replication (default: 2026)",
    )
    validation.add_argument(
        "--sensitivity",
        metavar="FOLDER",
        help=f"a Morris results folder with {MORRIS_TABLE} (default: run experiments/morris.yaml)",
    )
    validation.add_argument(
        "--out",
        default="results/validation",
        help="folder for validation.md and img/ (default: results/validation)",
    )
    validation.add_argument(
        "--docs",
        nargs="?",
        const=str(DOCS),
        metavar="DIR",
        help="also copy validation.md and its figures into DIR (default: the project's docs/)",
    )
    validation.add_argument(
        "--results",
        default="results",
        help="where the Morris run goes when --sensitivity is not given (default: results)",
    )
    validation.add_argument(
        "--workers",
        type=_integer(1),
        help="processes for the Morris run (default: one per core)",
    )
    validation.set_defaults(func=cmd_validation)
