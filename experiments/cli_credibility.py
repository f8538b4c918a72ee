"""CLI: `werklandschap calibrate` and `werklandschap validation` (docs/calibration.md and
docs/validation.md)."""

from __future__ import annotations

import argparse
from pathlib import Path


def cmd_calibrate(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from werklandschap.experiments import calibration

    if args.draws < 2 or not 0 < args.accept <= 1:
        raise SystemExit("werklandschap: error: need --draws >= 2 and 0 < --accept <= 1")
    result = calibration.calibrate(
        draws=args.draws,
        accept=args.accept,
        seed=args.seed,
        progress=lambda r: tqdm(r, desc="calibrate", unit="draw"),
    )
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(calibration.markdown(result), encoding="utf-8")
    for name, est in result.estimates.items():
        print(
            f"{name:22s} {calibration.rounded(name, est['median'])!s:>8}  "
            f"(accepted 5-95%: {est['q05']:.3g}-{est['q95']:.3g})"
        )
    if args.write:
        calibration.write_defaults(result.estimates)
        print("calibrated defaults written to model/parameters.py; regenerate docs/parameters.md")
    print(f"report: {out}")
    return 0


def cmd_validation(args: argparse.Namespace) -> int:
    from werklandschap.experiments.validation import build_report

    sensitivity = Path(args.sensitivity) if args.sensitivity else None
    path = build_report(
        replications=args.replications,
        seed=args.seed,
        sensitivity=sensitivity,
        out=Path(args.out),
        results=Path(args.results),
        workers=args.workers,
    )
    print(f"report: {path}")
    return 0


def add_parser(sub) -> None:
    calibrate = sub.add_parser(
        "calibrate", help="fit organic diffusion to the KVO-B analogue (ABC)"
    )
    calibrate.add_argument("--draws", type=int, default=400, help="prior draws (default 400)")
    calibrate.add_argument("--accept", type=float, default=0.05, help="accepted fraction")
    calibrate.add_argument("--seed", type=int, default=2026)
    calibrate.add_argument("--out", default="docs/calibration.md")
    calibrate.add_argument(
        "--write", action="store_true", help="write the calibrated medians into model/parameters.py"
    )
    calibrate.set_defaults(func=cmd_calibrate)

    validation = sub.add_parser("validation", help="write docs/validation.md")
    validation.add_argument("--replications", "-r", type=int, default=100)
    validation.add_argument("--seed", type=int, default=2026)
    validation.add_argument("--sensitivity", help="a Morris results folder (default: run one)")
    validation.add_argument("--out", default="docs", help="folder for validation.md and img/")
    validation.add_argument("--results", default="results", help="where a Morris run goes")
    validation.add_argument("--workers", type=int, help="processes for the Morris run")
    validation.set_defaults(func=cmd_validation)
