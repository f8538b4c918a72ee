"""`werklandschap experiment FILE.yaml`: run, resume and report an experiment (see runner.py)."""

from __future__ import annotations

import argparse

from werklandschap.experiments.spec import shipped_experiments


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def add_parser(sub) -> None:
    """Register the `experiment` subcommand on the CLI's subparsers."""
    names = ", ".join(shipped_experiments())
    p = sub.add_parser(
        "experiment",
        help="run an experiment file (compare, sobol, morris, sweep, discovery)",
        description="Run an experiment file and write results/<name>/ (runs.parquet, report.md, "
        "figures). Rerunning the same command resumes an interrupted experiment. "
        f"Shipped experiments: {names}.",
    )
    p.add_argument("file", help="experiment YAML file, or the name of a shipped experiment")
    p.add_argument("--out", default="results", help="results root (default: results)")
    p.add_argument(
        "--workers",
        "-j",
        type=_positive,
        help="local worker processes (default: all CPUs; 1 = serial)",
    )
    p.add_argument(
        "--scheduler", metavar="ADDRESS", help="Dask scheduler address, e.g. tcp://10.0.0.5:8786"
    )
    p.add_argument("--n", type=_positive, help="override N (sobol): a power of two, e.g. 64")
    p.add_argument("--replications", "-r", type=_positive, help="override replications")
    p.add_argument(
        "--restart",
        action="store_true",
        help="discard existing results of this experiment and start again",
    )
    p.add_argument("--quiet", "-q", action="store_true", help="no progress output")
    p.set_defaults(func=cmd_experiment)


def _exit_on_sigterm(signum, frame) -> None:
    """SIGTERM (e.g. a batch system's walltime) -> SystemExit: the journal is flushed and the
    worker pool shut down on the way out; the same command resumes later."""
    raise SystemExit(128 + signum)


def cmd_experiment(args: argparse.Namespace) -> int:
    import signal

    from werklandschap.experiments.runner import run_experiment

    signal.signal(signal.SIGTERM, _exit_on_sigterm)

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
    print(f"{folder}/report.md")
    return 0
