"""CLI: `werklandschap calibrate` and `werklandschap validation`.

Both write under results/ by default (`results/calibration/`, `results/validation/`). The checked-in
files change only when asked: `calibrate --write` replaces the shipped posterior
(`model/data/posterior.json`) and records its medians in `model/data/calibrated.json` (the
parameter spec overlays them on its defaults), `--docs` also updates docs/ (calibrate: the
generated part of calibration.md, validation.md's held-out section and parameters.md; validation:
validation.md and img/).
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
from pathlib import Path

from werklandschap.verification.calibration import GENERATIONS, POPULATION

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


def _connect(scheduler: str):
    """A Dask client for `--scheduler`, or a one-line message why not."""
    try:
        from distributed import Client
    except ImportError:
        return None, "--scheduler needs Dask distributed: pip install 'werklandschap[dask]'"
    try:
        return Client(scheduler, timeout="15s"), None
    except (OSError, TimeoutError, ValueError) as error:
        return None, f"cannot reach the Dask scheduler at {scheduler}: {type(error).__name__}"


def _calibrate_problem(args: argparse.Namespace) -> str | None:
    """The first problem with the calibrate options (nothing has been written yet)."""
    if args.docs and not args.write:
        return "--docs needs --write: docs/calibration.md describes the values the spec uses"
    if args.coverage and (args.write or args.stability):
        return "--coverage checks the method on synthetic data: use it without --write/--stability"
    return _not_a_folder(Path(args.out), *([Path(args.docs)] if args.docs else []))


def cmd_calibrate(args: argparse.Namespace) -> int:
    from werklandschap.verification import calibration

    problem = _calibrate_problem(args)
    if problem:
        return _bad_input(problem)
    scheduler = None
    if args.scheduler:
        scheduler, problem = _connect(args.scheduler)
        if problem:
            return _bad_input(problem)
    try:
        if args.coverage:
            return _coverage(args, scheduler)
        return _calibrate(args, calibration, scheduler)
    finally:
        if scheduler is not None:
            scheduler.close()


def _fit(args: argparse.Namespace, seed: int, scheduler):
    from werklandschap.verification import calibration

    return calibration.calibrate(
        population=args.population,
        generations=args.generations,
        seed=seed,
        out=Path(args.out),
        workers=args.workers,
        scheduler=scheduler,
    )


def _calibrate(args: argparse.Namespace, calibration, scheduler) -> int:
    from werklandschap.model.posterior import save_posterior
    from werklandschap.verification import abc_checks as checks

    out = Path(args.out)
    result = _fit(args, args.seed, scheduler)
    written = calibration.write_outputs(result, out)
    for name, est in result.estimates.items():
        print(
            f"{name:22s} {calibration.rounded(name, est['median'])!s:>8}  "
            f"(posterior 5-95%: {est['q05']:.3g}-{est['q95']:.3g})"
        )
    stability = None
    if args.stability:
        second = _fit(args, args.seed + STABILITY_SEED_OFFSET, scheduler)
        stability = checks.stability(result.posterior, second.posterior)
        text = checks.stability_markdown(stability, args.seed, args.seed + STABILITY_SEED_OFFSET)
        (out / "stability.md").write_text(text, encoding="utf-8")
        save_posterior(second.posterior, out / "posterior_stability.json")
        print(text)
    (out / "held_out.md").write_text(checks.held_out_markdown(result.posterior), encoding="utf-8")
    print(f"posterior, particles and report: {out} ({len(written) + 1} files)")
    if args.write:
        # looked up here so that tests can redirect them
        target, posterior_file = calibration.CALIBRATED_FILE, calibration.POSTERIOR_FILE
        calibration.write_calibrated(
            result.estimates,
            calibration.method_text(result),
            target,
            remove=tuple(calibration.FIXED),
        )
        save_posterior(result.posterior, posterior_file)
        print(f"posterior medians written to {target}, posterior to {posterior_file}")
    if args.docs:
        _calibration_docs(result, stability, Path(args.docs), calibration.CALIBRATED_FILE)
    return 0


def _coverage(args: argparse.Namespace, scheduler) -> int:
    from werklandschap.model.parameters import BY_NAME
    from werklandschap.verification import abc_checks as checks
    from werklandschap.verification import calibration

    out = Path(args.out)
    bounds = {p: tuple(map(float, BY_NAME[p].range)) for p in calibration.CALIBRATED}

    def fit(data, seed):
        return calibration.calibrate(
            population=args.population,
            generations=args.generations,
            seed=seed,
            out=out / "coverage",
            workers=args.workers,
            scheduler=scheduler,
            statistics=data,
        ).posterior

    result = checks.coverage(fit, checks.simulate_model, bounds, args.coverage, args.seed)
    text = checks.coverage_markdown(result, args.population, args.generations, args.seed)
    (out / "coverage.md").write_text(text, encoding="utf-8")
    print(text)
    return 0 if result.ok else 1


STABILITY_SEED_OFFSET = 1000  # the second, independent run of --stability


def _calibration_docs(result, stability, docs: Path, calibrated: Path) -> None:
    """docs/calibration.md (generated part), the held-out section of docs/validation.md and
    docs/parameters.md (the spec with the new values)."""
    from werklandschap.cli import params_markdown
    from werklandschap.model.parameters import UNCALIBRATED, load_calibrated, overlay_calibrated
    from werklandschap.verification import abc_checks as checks
    from werklandschap.verification import calibration

    docs.mkdir(parents=True, exist_ok=True)
    generated = calibration.markdown(result)
    if stability is not None:
        generated += "\n" + checks.stability_markdown(
            stability, result.result.seed, result.result.seed + STABILITY_SEED_OFFSET
        )
    replace_generated(docs / "calibration.md", generated)
    replace_section(docs / "validation.md", checks.held_out_markdown(result.posterior))
    spec = overlay_calibrated(UNCALIBRATED, load_calibrated(calibrated), str(calibrated))
    (docs / "parameters.md").write_text(params_markdown(list(spec)), encoding="utf-8")
    print(f"updated calibration.md, validation.md (held-out section) and parameters.md in {docs}")


GENERATED_MARK = "<!-- generated by `werklandschap calibrate --write --docs` below this line -->"


def replace_generated(path: Path, generated: str) -> None:
    """Keep the hand-written text above `GENERATED_MARK` in `path`, replace what follows."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Calibration\n\n"
    head = text.split(GENERATED_MARK)[0].rstrip("\n")
    path.write_text(f"{head}\n\n{GENERATED_MARK}\n\n{generated}", encoding="utf-8")


def replace_section(path: Path, section: str) -> None:
    """Replace the section of `path` with `section`'s heading (to the next `## ` heading), or
    append it; the rest of the file is kept as it is."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    heading = section.splitlines()[0]
    start = text.find(f"\n{heading}\n")
    if start < 0:
        path.write_text(text.rstrip("\n") + "\n\n" + section, encoding="utf-8")
        return
    end = text.find("\n## ", start + len(heading) + 2)
    rest = text[end:] if end >= 0 else "\n"
    path.write_text(text[: start + 1] + section.rstrip("\n") + "\n" + rest, encoding="utf-8")


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


#: Sections of docs/validation.md that other commands write (`calibrate --docs`: the held-out
#: prediction; `werklandschap voi` and verification/phase1.py: by hand from their output), kept
#: when `validation --docs` replaces the file.
KEPT_SECTIONS = ("## Held-out prediction", "## Value of information", "## Phase-1 selection check")


def section_of(text: str, heading: str) -> str | None:
    """The section of `text` under `heading` (to the next `## ` heading), or None."""
    start = text.find(f"\n{heading}\n")
    if start < 0:
        return None
    end = text.find("\n## ", start + len(heading) + 2)
    return text[start + 1 : end + 1 if end >= 0 else len(text)]


def publish_report(report: Path, docs: Path) -> list[Path]:
    """Copy a report and every image it links (`img/NAME`) into `docs`, keeping the
    `KEPT_SECTIONS` of the file it replaces; the copied images."""
    target = docs / report.name
    before = target.read_text(encoding="utf-8") if target.is_file() else ""
    kept = [section_of(before, heading) for heading in KEPT_SECTIONS]
    text = report.read_text(encoding="utf-8")
    images = sorted(set(re.findall(r"\]\((img/[^)\s]+)\)", text)))
    (docs / "img").mkdir(parents=True, exist_ok=True)
    copied = []
    for image in images:
        shutil.copyfile(report.parent / image, docs / image)
        copied.append(docs / image)
    shutil.copyfile(report, target)
    for section in kept:
        if section is not None:
            replace_section(target, section)
    return copied


def add_parser(sub) -> None:
    calibrate = sub.add_parser(
        "calibrate",
        help="fit diffusion and organisation to real series (ABC-SMC); writes results/calibration/",
        description="ABC-SMC with pyabc (verification/calibration.py, docs/calibration.md). "
        "Writes posterior.json, particles.csv, calibration.md, held_out.md and pyabc's database "
        "to --out; changes the shipped posterior, the spec's calibrated values and docs/ only "
        "with --write and --docs.",
    )
    calibrate.add_argument(
        "--population",
        type=_integer(5),
        default=POPULATION,
        help=f"particles per generation (default: {POPULATION})",
    )
    calibrate.add_argument(
        "--generations",
        type=_integer(1),
        default=GENERATIONS,
        help=f"SMC generations, the stopping rule (default: {GENERATIONS})",
    )
    calibrate.add_argument(
        "--seed",
        type=_integer(0),
        default=2026,
        help="seed of the prior draws, kernels and runs (default: 2026)",
    )
    calibrate.add_argument(
        "--workers",
        type=_integer(1),
        default=None,
        help="processes of the local pool (default: one per core)",
    )
    calibrate.add_argument(
        "--scheduler", metavar="ADDRESS", help="run the simulations on this Dask scheduler"
    )
    calibrate.add_argument(
        "--out",
        default="results/calibration",
        help="folder for the posterior, the report and the database (default: results/calibration)",
    )
    calibrate.add_argument(
        "--stability",
        action="store_true",
        help="also run an independent second calibration (seed + 1000) and compare the medians",
    )
    calibrate.add_argument(
        "--coverage",
        type=_integer(2),
        metavar="K",
        help="instead: the coverage check, K fits of synthetic data from known parameters "
        "(use a smaller --population and --generations)",
    )
    calibrate.add_argument(
        "--write",
        action="store_true",
        help="replace model/data/posterior.json and record the posterior medians in "
        "model/data/calibrated.json (the spec's defaults)",
    )
    calibrate.add_argument(
        "--docs",
        nargs="?",
        const=str(DOCS),
        metavar="DIR",
        help="with --write: also update calibration.md, validation.md's held-out section and "
        "parameters.md in DIR (default: the project's docs/)",
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
