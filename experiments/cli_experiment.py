"""`werklandschap experiment FILE.yaml`: run, resume and report an experiment (see runner.py)."""

from __future__ import annotations

import argparse
import shlex
import sys
from collections.abc import Callable

from werklandschap.experiments.spec import (
    LIMITS,
    MAX_TOTAL_RUNS,
    limit_help,
    shipped_experiments,
)

#: Exit status after Ctrl-C (128 + SIGINT), as shells report it.
EXIT_INTERRUPTED = 130


def whole_number(minimum: int, maximum: int | None = None) -> Callable[[str], int]:
    """An argparse type: a whole number in minimum..maximum, with a message naming the bounds.

    argparse prefixes the option ("argument --workers/-j: expected ..."), so the message never
    names this helper.
    """
    bounds = f"≥ {minimum:,}" if maximum is None else f"in {minimum:,}..{maximum:,}"

    def parse(text: str) -> int:
        try:
            value = int(text.strip().replace("_", ""), 10)
        except ValueError:
            shown = text if len(text) <= 30 else text[:29] + "…"
            raise argparse.ArgumentTypeError(
                f"expected a whole number {bounds}, got {shown!r}"
            ) from None
        if value < minimum or (maximum is not None and value > maximum):
            rule = f"at least {minimum:,}" if maximum is None else f"in {minimum:,}..{maximum:,}"
            raise argparse.ArgumentTypeError(f"must be {rule}, got {value:,}")
        return value

    return parse


def _positive(text: str) -> int:
    """A whole number ≥ 1 (argparse type)."""
    return whole_number(1)(text)


def add_parser(sub) -> None:
    """Register the `experiment` subcommand on the CLI's subparsers."""
    names = ", ".join(shipped_experiments())
    p = sub.add_parser(
        "experiment",
        help="run an experiment file (compare, sobol, morris, sweep, discovery, critical_mass)",
        description="Run an experiment file and write results/<name>/ (runs.parquet, report.md, "
        "figures). Rerunning the same command resumes an interrupted experiment; one process "
        "at a time may work on a results folder (a second one is refused). Every count in "
        "the file has declared limits, checked before any work: "
        + ", ".join(f"{key} {limit.text()}" for key, limit in LIMITS.items())
        + f"; at most {MAX_TOTAL_RUNS:,} runs in all. Shipped experiments: {names}.",
    )
    p.add_argument("file", help="experiment YAML file, or the name of a shipped experiment")
    p.add_argument("--out", default="results", help="results root (default: results)")
    p.add_argument(
        "--workers",
        "-j",
        type=whole_number(LIMITS["workers"].minimum, LIMITS["workers"].maximum),
        help=f"local worker processes, {limit_help('workers')} (default: all CPUs; 1 = serial)",
    )
    p.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="Dask scheduler address, e.g. tcp://10.0.0.5:8786 (must answer within 5 s)",
    )
    n, reps = LIMITS["n"], LIMITS["replications"]
    p.add_argument(
        "--n",
        type=whole_number(n.minimum, n.maximum),
        help=f"override N (sobol): a power of two, {limit_help('n')}, e.g. 64",
    )
    p.add_argument(
        "--replications",
        "-r",
        type=whole_number(reps.minimum, reps.maximum),
        help=f"override replications ({limit_help('replications')})",
    )
    p.add_argument(
        "--restart",
        action="store_true",
        help="discard existing results of this experiment and start again (only files "
        "this tool wrote, in a folder it wrote, are ever deleted)",
    )
    p.add_argument("--quiet", "-q", action="store_true", help="no progress output")
    p.set_defaults(func=cmd_experiment)


class Terminated(KeyboardInterrupt):
    """SIGTERM (e.g. a batch system's walltime), handled like Ctrl-C: journal kept, resumable."""


def _exit_on_sigterm(signum, frame) -> None:
    raise Terminated()


def resume_command(args: argparse.Namespace) -> str:
    """The command line that resumes this experiment (same file, out and overrides)."""
    words = ["werklandschap", "experiment", args.file]
    if args.out != "results":
        words += ["--out", args.out]
    for option in ("workers", "scheduler", "n", "replications"):
        value = getattr(args, option)
        if value is not None:
            words += [f"--{option}", str(value)]
    return shlex.join(words)


def cmd_experiment(args: argparse.Namespace) -> int:
    import signal

    from werklandschap.experiments.runner import ExperimentInterrupted, run_experiment

    previous = signal.signal(signal.SIGTERM, _exit_on_sigterm)
    try:
        folder = run_experiment(
            args.file,
            args.out,
            workers=args.workers,
            scheduler=args.scheduler,
            n=args.n,
            replications=args.replications,
            restart=args.restart,
            quiet=args.quiet,
        )
    except ExperimentInterrupted as exc:
        terminated = isinstance(exc.__context__, Terminated)
        print(
            f"\nwerklandschap: {'terminated' if terminated else 'interrupted'}: {exc.kept:,} of "
            f"{exc.total:,} runs kept in {exc.folder}; resume with: {resume_command(args)}",
            file=sys.stderr,
        )
        return 128 + signal.SIGTERM if terminated else EXIT_INTERRUPTED
    finally:
        signal.signal(signal.SIGTERM, previous)
    print(f"{folder}/report.md")
    return 0
