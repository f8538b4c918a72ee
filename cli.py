"""The `werklandschap` command line.

    werklandschap run SCENARIO [--seed N] [--replications R] [--out DIR] [--name NAME] [--overwrite]
    werklandschap scenarios
    werklandschap validate FILE [FILE ...]      (scenario or experiment files)
    werklandschap params [--kind lever|uncertainty|structural] [--markdown]
    werklandschap outputs [--markdown]
    werklandschap bench [--repeats N] [--reference-repeats N] [--no-scaling] [--layer-runs N]
    werklandschap dashboard [--host HOST] [--port PORT] [--open] [--allow-remote]
    werklandschap experiment FILE.yaml [--workers N | --scheduler ADDRESS] [--n N] [--restart]
    werklandschap --version

Bad input (unknown scenario, invalid file, wrong option) prints one clear message to stderr and
exits with status 2; nothing is written. This module parses the options; what each subcommand
does is in `cli_commands.py` (`experiment` in experiments/cli_experiment.py).
"""

from __future__ import annotations

import argparse
import os
import sys

from werklandschap.cli_commands import (
    EXIT_BAD_INPUT,
    EXIT_INTERRUPTED,
    cmd_bench,
    cmd_dashboard,
    cmd_outputs,
    cmd_params,
    cmd_run,
    cmd_scenarios,
    cmd_validate,
    params_markdown,
)
from werklandschap.model.scenario import ScenarioError
from werklandschap.runs.limits import ALL_LIMITS

__all__ = ["EXIT_BAD_INPUT", "build_parser", "main", "params_markdown"]

EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, what a shell reports for a tool whose reader went away
#: Largest seed accepted on the command line (declared in runs/limits.py).
MAX_SEED = ALL_LIMITS["run.seed"].maximum


def _positive(text: str) -> int:
    """argparse type: a whole number ≥ 1 (the message names the option, never this helper)."""
    from werklandschap.experiments.cli_experiment import whole_number

    return whole_number(1)(text)


def _seed(text: str) -> int:
    """argparse type: a seed, a whole number in 0..2**63 - 1."""
    from werklandschap.experiments.cli_experiment import whole_number

    return whole_number(0, MAX_SEED)(text)


def _port(text: str) -> int:
    value = int(text)
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"must be 0..65535, got {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="werklandschap",
        description="Agent-based model of the Werklandschappen van de Toekomst transition.",
    )
    parser.add_argument(
        "--version", action="version", version=f"%(prog)s {_version()}", help="print the version"
    )
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run a scenario and write tables and figures")
    run.add_argument("scenario", help="shipped scenario name (see 'scenarios') or a YAML path")
    run.add_argument("--seed", type=_seed, default=0, help="seed of the first replication")
    run.add_argument(
        "--replications",
        "-r",
        type=_positive,
        default=1,
        help="replications to run, 1 to 1,000,000 (default: 1)",
    )
    run.add_argument("--out", default="results", help="output folder (default: results)")
    run.add_argument(
        "--name",
        help="run name: a plain name (letters, digits, '-', '_', '.' not leading; no path); "
        "results go to OUT/SCENARIO/NAME (default: seed<S>-x<R>)",
    )
    run.add_argument(
        "--overwrite",
        action="store_true",
        help="replace an existing result folder of that name (only one this tool wrote)",
    )
    run.add_argument("--no-figures", action="store_true", help="skip the PNG figures")
    run.add_argument(
        "--posterior",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="draw each replication's calibrated parameters from the shipped posterior "
        "(default: on when the posterior file exists); --no-posterior: fixed parameters",
    )
    run.add_argument(
        "--per-draw",
        type=_positive,
        default=None,
        help="with the posterior: replications (seeds) per parameter set (default: 4, or 1 "
        "with fewer than 8 replications)",
    )
    run.set_defaults(func=cmd_run)

    scenarios = sub.add_parser(
        "scenarios",
        help="list the shipped scenarios",
        description="Each shipped scenario with its description and what it changes.",
    )
    scenarios.set_defaults(func=cmd_scenarios)

    validate = sub.add_parser(
        "validate",
        help="check scenario or experiment files without running them",
        description="Check files as 'run' and 'experiment' would, and run nothing. A file with "
        "a 'type:' key is an experiment file, any other a scenario file.",
    )
    validate.add_argument(
        "files", nargs="+", metavar="FILE", help="scenario or experiment YAML file(s)"
    )
    validate.set_defaults(func=cmd_validate)

    params = sub.add_parser(
        "params",
        help="list the parameter spec",
        description="Every parameter with kind, default, unit, range and description.",
    )
    params.add_argument(
        "--kind",
        choices=("lever", "uncertainty", "structural"),
        help="only parameters of this kind (default: all)",
    )
    params.add_argument(
        "--markdown", action="store_true", help="print the table of docs/parameters.md instead"
    )
    params.set_defaults(func=cmd_params)

    outputs = sub.add_parser("outputs", help="list every column of the files run/experiment write")
    outputs.add_argument("--markdown", action="store_true", help="print docs/outputs.md")
    outputs.set_defaults(func=cmd_outputs)

    bench = sub.add_parser(
        "bench",
        help="time full runs of the baseline",
        description="Time build, steps and full runs of the baseline on this machine, "
        "vectorised against the per-agent reference, and how time grows with more parks.",
    )
    bench.add_argument(
        "--repeats", type=_positive, default=20, help="vectorised runs to time (default: 20)"
    )
    bench.add_argument(
        "--reference-repeats",
        type=int,
        default=2,
        help="per-agent reference runs to time (default: 2; 0: skip; ~20 s each)",
    )
    bench.add_argument("--no-scaling", action="store_true", help="skip the 1x-8x scaling table")
    bench.add_argument(
        "--layer-runs",
        type=_positive,
        default=400,
        help="baseline runs per timing of the experiment layer on 1 and 2 workers "
        "(default: 400, ~15 s on one worker; timed 3 times each)",
    )
    bench.set_defaults(func=cmd_bench)

    dashboard = sub.add_parser("dashboard", help="the policymaker dashboard in the browser")
    dashboard.add_argument("--host", default="127.0.0.1", help="address (default: 127.0.0.1)")
    dashboard.add_argument("--port", type=_port, default=8765, help="port (default: 8765)")
    dashboard.add_argument("--open", action="store_true", help="open a browser tab")
    dashboard.add_argument(
        "--allow-remote",
        action="store_true",
        help="allow a --host other than loopback (the page has no authentication)",
    )
    dashboard.set_defaults(func=cmd_dashboard)

    from werklandschap.experiments.cli_experiment import add_parser as add_experiment

    add_experiment(sub)
    from werklandschap.verification.cli_credibility import add_parser as add_credibility

    add_credibility(sub)
    from werklandschap.experiments.analysis.value_of_information import add_parser as add_voi

    add_voi(sub)
    return parser


def _version() -> str:
    from werklandschap import __version__

    return __version__


def _stdout_closed() -> int:
    """The reader of our output went away (`werklandschap params | head`): stop quietly.

    The documented Python way (signal module docs, "Note on SIGPIPE"): point stdout at devnull so
    that flushing at exit does not fail again; exit with 141 (128 + SIGPIPE) like other tools.
    """
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    return EXIT_BROKEN_PIPE


def _one_line_errors(parser: argparse.ArgumentParser) -> None:
    """Usage errors as one line (no usage block), exit 2, on the parser and its subcommands."""

    def error(message: str) -> None:
        parser.exit(EXIT_BAD_INPUT, f"{parser.prog}: error: {message} (see --help)\n")

    parser.error = error  # type: ignore[method-assign]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for subparser in action.choices.values():
                _one_line_errors(subparser)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    _one_line_errors(parser)
    args = parser.parse_args(argv)
    try:
        status = args.func(args)
        sys.stdout.flush()  # a closed pipe shows here, not as a traceback at exit
        return status
    except BrokenPipeError:
        return _stdout_closed()
    except ScenarioError as exc:
        print(f"werklandschap: error: {_one_line(str(exc))}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except OSError as exc:  # e.g. permission denied on an output folder: one line, no traceback
        from werklandschap.model.safe_yaml import short

        where = f": {short(str(exc.filename))}" if exc.filename else ""
        print(f"werklandschap: error: {exc.strerror or exc}{where}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("\nwerklandschap: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


def _one_line(message: str) -> str:
    """A message on one line (a newline in a user's value must not split it)."""
    return " ".join(message.split("\n"))


if __name__ == "__main__":
    sys.exit(main())
