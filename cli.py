"""The `werklandschap` command line.

    werklandschap run SCENARIO [--seed N] [--replications R] [--out DIR] [--name NAME]
    werklandschap scenarios
    werklandschap validate FILE [FILE ...]
    werklandschap params [--kind lever|uncertainty|structural] [--markdown]
    werklandschap bench [--repeats N] [--reference-repeats N] [--no-scaling]
    werklandschap dashboard [--host HOST] [--port PORT] [--open]
    werklandschap experiment FILE.yaml [--workers N | --scheduler ADDRESS] [--n N] [--restart]

Bad input (unknown scenario, invalid file, wrong option) prints one clear message to stderr and
exits with status 2; nothing is written.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from werklandschap.model.parameters import PARAMETERS, Parameter
from werklandschap.model.scenario import (
    ScenarioError,
    load_scenario,
    load_scenario_file,
    shipped_scenarios,
)

EXIT_BAD_INPUT = 2


EXIT_INTERRUPTED = 130
#: Largest seed accepted on the command line (a numpy SeedSequence takes any size; this keeps
#: seeds printable and storable as int64).
MAX_SEED = 2**63 - 1


def _positive(text: str) -> int:
    """argparse type: a whole number ≥ 1 (the message names the option, never this helper)."""
    from werklandschap.experiments.cli_experiment import whole_number

    return whole_number(1)(text)


def _seed(text: str) -> int:
    """argparse type: a seed, a whole number in 0..2**63 - 1."""
    from werklandschap.experiments.cli_experiment import whole_number

    return whole_number(0, MAX_SEED)(text)


def cmd_run(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from werklandschap.experiments.runs import run_replications, write_runs

    scenario = load_scenario(args.scenario)
    name = args.name or f"seed{args.seed}-x{args.replications}"
    out_dir = Path(args.out) / scenario.name / name
    started = time.perf_counter()

    def progress(indices):
        return tqdm(indices, desc=scenario.name, unit="run", disable=args.replications < 2)

    results = run_replications(scenario, args.seed, args.replications, progress)
    elapsed = time.perf_counter() - started
    write_runs(results, scenario, out_dir, args.seed, elapsed, figures=not args.no_figures)
    summary = [r.summary() for r in results]
    labelled = sorted(s["labelled_at_horizon"] for s in summary)
    met = sum(s["target_met"] for s in summary)
    print(f"{scenario.name}: {len(results)} run(s) in {elapsed:.2f} s")
    median = labelled[len(labelled) // 2]
    print(
        f"  labelled at end of 2031: median {median:,} (range {labelled[0]:,}-{labelled[-1]:,});"
        f" target met in {met}/{len(results)}"
    )
    print(f"  written to {out_dir}")
    return 0


def cmd_scenarios(args: argparse.Namespace) -> int:
    for name, path in shipped_scenarios().items():
        scenario = load_scenario_file(path)
        changes = ", ".join(f"{k}={v}" for k, v in scenario.overrides.items()) or "(defaults)"
        print(f"{name:22s} {scenario.description.splitlines()[0] if scenario.description else ''}")
        print(f"{'':22s} {changes}")
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    for file in args.files:
        scenario = load_scenario_file(file)
        print(f"{file}: valid scenario {scenario.name!r} ({len(scenario.overrides)} override(s))")
    return 0


def _format(value) -> str:
    return value if isinstance(value, str) else repr(value)


def params_markdown(parameters: list[Parameter]) -> str:
    """The parameter table (docs/parameters.md) generated from the spec."""
    lines = [
        "# Parameters",
        "",
        "Generated from `model/parameters.py` by `werklandschap params --markdown`; do not edit.",
        "Kind: lever = policy choice, uncertainty = unknown fact, structural = set-up.",
        "Range: the plausible interval sampled by sensitivity analyses; limits: accepted values.",
        "",
        "| name | kind | default | unit | range | limits | description | source |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for p in parameters:
        rng = f"{p.range[0]}–{p.range[1]}" if p.range else (" / ".join(p.choices or ()) or "")
        lim = f"{p.limits[0]}–{p.limits[1]}" if p.limits else ""
        lines.append(
            f"| `{p.name}` | {p.kind} | {_format(p.default)} | {p.unit} | {rng} | {lim} "
            f"| {p.description} | {p.source} |"
        )
    return "\n".join(lines) + "\n"


def cmd_params(args: argparse.Namespace) -> int:
    chosen = [p for p in PARAMETERS if args.kind is None or p.kind == args.kind]
    if args.markdown:
        sys.stdout.write(params_markdown(chosen))
        return 0
    for p in chosen:
        rng = f"[{p.range[0]}, {p.range[1]}]" if p.range else "{" + ", ".join(p.choices or ()) + "}"
        print(f"{p.name:30s} {p.kind:11s} {_format(p.default):>10s} {p.unit:14s} {rng}")
        print(f"{'':30s} {p.description}")
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    from werklandschap.experiments.benchmark import main as bench_main

    return bench_main(
        repeats=args.repeats, reference_repeats=args.reference_repeats, scaling=not args.no_scaling
    )


def _port(text: str) -> int:
    value = int(text)
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"must be 0..65535, got {value}")
    return value


def cmd_dashboard(args: argparse.Namespace) -> int:
    from werklandschap.dashboard.server import serve

    return serve(args.host, args.port, open_browser=args.open)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="werklandschap",
        description="Agent-based model of the Werklandschappen van de Toekomst transition.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run a scenario and write tables and figures")
    run.add_argument("scenario", help="shipped scenario name (see 'scenarios') or a YAML path")
    run.add_argument("--seed", type=_seed, default=0, help="seed of the first replication")
    run.add_argument("--replications", "-r", type=_positive, default=1)
    run.add_argument("--out", default="results", help="output folder (default: results)")
    run.add_argument("--name", help="run name (default: seed<S>-x<R>)")
    run.add_argument("--no-figures", action="store_true", help="skip the PNG figures")
    run.set_defaults(func=cmd_run)

    scenarios = sub.add_parser("scenarios", help="list the shipped scenarios")
    scenarios.set_defaults(func=cmd_scenarios)

    validate = sub.add_parser("validate", help="check scenario files")
    validate.add_argument("files", nargs="+")
    validate.set_defaults(func=cmd_validate)

    params = sub.add_parser("params", help="list the parameter spec")
    params.add_argument("--kind", choices=("lever", "uncertainty", "structural"))
    params.add_argument("--markdown", action="store_true", help="print docs/parameters.md")
    params.set_defaults(func=cmd_params)

    bench = sub.add_parser("bench", help="time full runs of the baseline")
    bench.add_argument("--repeats", type=_positive, default=20, help="vectorised runs to time")
    bench.add_argument(
        "--reference-repeats",
        type=int,
        default=2,
        help="per-agent reference runs to time (0: skip; ~20 s each)",
    )
    bench.add_argument("--no-scaling", action="store_true", help="skip the 1x-8x scaling table")
    bench.set_defaults(func=cmd_bench)

    dashboard = sub.add_parser("dashboard", help="the policymaker dashboard in the browser")
    dashboard.add_argument("--host", default="127.0.0.1", help="address (default: 127.0.0.1)")
    dashboard.add_argument("--port", type=_port, default=8765, help="port (default: 8765)")
    dashboard.add_argument("--open", action="store_true", help="open a browser tab")
    dashboard.set_defaults(func=cmd_dashboard)

    from werklandschap.experiments.cli_experiment import add_parser as add_experiment

    add_experiment(sub)
    from werklandschap.experiments.cli_credibility import add_parser as add_credibility

    add_credibility(sub)
    return parser


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
        return args.func(args)
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
