"""The `werklandschap` command line.

    werklandschap run SCENARIO [--seed N] [--replications R] [--out DIR] [--name NAME] [--overwrite]
    werklandschap scenarios
    werklandschap validate FILE [FILE ...]      (scenario or experiment files)
    werklandschap params [--kind lever|uncertainty|structural] [--markdown]
    werklandschap outputs [--markdown]
    werklandschap bench [--repeats N] [--reference-repeats N] [--no-scaling]
    werklandschap dashboard [--host HOST] [--port PORT] [--open] [--allow-remote]
    werklandschap experiment FILE.yaml [--workers N | --scheduler ADDRESS] [--n N] [--restart]
    werklandschap --version

Bad input (unknown scenario, invalid file, wrong option) prints one clear message to stderr and
exits with status 2; nothing is written.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import yaml

from werklandschap.model.parameters import PARAMETERS, Parameter
from werklandschap.model.scenario import (
    ScenarioError,
    load_scenario,
    load_scenario_file,
    shipped_scenarios,
)
from werklandschap.runs.limits import ALL_LIMITS

EXIT_BAD_INPUT = 2
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, what a shell reports for a tool whose reader went away
EXIT_INTERRUPTED = 130  # 128 + SIGINT, what shells report for Ctrl-C
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


def cmd_run(args: argparse.Namespace) -> int:
    """Run replications into results/<scenario>/<name>/, streamed to disk and resumable."""
    from tqdm import tqdm

    from werklandschap.runs.runs import MARKER, MAX_REPLICATIONS, OutputError, RunJob

    scenario = load_scenario(args.scenario)
    name = args.name if args.name is not None else f"seed{args.seed}-x{args.replications}"
    try:
        if args.replications > MAX_REPLICATIONS:  # before any work (argparse checks >= 1)
            raise OutputError(
                f"--replications must be at most {MAX_REPLICATIONS:,}, got {args.replications:,}"
            )
        job = RunJob(scenario, args.seed, args.replications, Path(args.out), name, args.overwrite)
        done = job.prepare()
    except OutputError as exc:
        print(f"werklandschap: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if done:
        print(f"{scenario.name}: resuming, {done} of {args.replications} replication(s) on disk")

    def progress(indices):
        return tqdm(
            indices,
            desc=scenario.name,
            unit="run",
            initial=done,
            total=args.replications,
            disable=args.replications < 2,
        )

    try:
        job.run(progress)
        summary = job.finish(figures=not args.no_figures)
    except OutputError as exc:  # the folder was swapped for one the tool did not write
        print(f"werklandschap: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        kept = len(job.done())
        print(
            f"\nwerklandschap: interrupted; kept {kept} of {args.replications} replication(s) in "
            f"{job.staging}; run the same command again to resume",
            file=sys.stderr,
        )
        return EXIT_INTERRUPTED
    except OSError as exc:  # e.g. a full disk: what is on disk stays, the rerun resumes
        print(
            f"werklandschap: error: could not write under {job.staging.parent}: "
            f"{exc.strerror or exc}; finished replications are kept, rerun to resume",
            file=sys.stderr,
        )
        return 1
    labelled = sorted(int(v) for v in summary["labelled_at_horizon"])
    met = int(summary["target_met"].sum())
    elapsed = sum(json.loads((job.folder / MARKER).read_text())["sessions"])
    print(f"{scenario.name}: {len(summary)} run(s) in {elapsed:.2f} s")
    median = labelled[len(labelled) // 2]
    print(
        f"  labelled at end of 2031: median {median:,} (range {labelled[0]:,}-{labelled[-1]:,});"
        f" target met in {met}/{len(summary)}"
    )
    print(f"  written to {job.folder}")
    return 0


def cmd_scenarios(args: argparse.Namespace) -> int:
    for name, path in shipped_scenarios().items():
        scenario = load_scenario_file(path)
        changes = ", ".join(f"{k}={v}" for k, v in scenario.overrides.items()) or "(defaults)"
        print(f"{name:22s} {scenario.description.splitlines()[0] if scenario.description else ''}")
        print(f"{'':22s} {changes}")
    return 0


def _is_experiment_file(file: str) -> bool:
    """True when `file` is a YAML mapping with a `type:` key (experiment files have one,
    scenario files never); unreadable files are left to the scenario loader to report."""
    try:
        document = yaml.safe_load(Path(file).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return False
    return isinstance(document, dict) and "type" in document


def cmd_validate(args: argparse.Namespace) -> int:
    from werklandschap.experiments.spec import load_experiment

    for file in args.files:
        if _is_experiment_file(file):
            spec = load_experiment(file)
            print(
                f"{file}: valid {spec.type} experiment {spec.name!r} "
                f"({spec.replications} replication(s) per point, seed {spec.seed})"
            )
            continue
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


def cmd_outputs(args: argparse.Namespace) -> int:
    """Print the output declaration: as docs/outputs.md or as a short list."""
    from werklandschap.model.output_columns import FILES, TYPE_WORDS, outputs_markdown

    if args.markdown:
        sys.stdout.write(outputs_markdown())
        return 0
    for file in FILES:
        print(f"{file.command} {file.name}: {file.meaning}")
        for c in file.columns:
            print(f"  {c.name:28s} {TYPE_WORDS[c.dtype]:18s} {c.unit}")
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    from werklandschap.verification.benchmark import main as bench_main

    return bench_main(
        repeats=args.repeats, reference_repeats=args.reference_repeats, scaling=not args.no_scaling
    )


def _port(text: str) -> int:
    value = int(text)
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"must be 0..65535, got {value}")
    return value


def cmd_dashboard(args: argparse.Namespace) -> int:
    from werklandschap.dashboard.server import HostError, check_host, serve

    try:
        warning = check_host(args.host, args.allow_remote)
    except HostError as exc:
        print(f"werklandschap: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if warning:
        print(warning, file=sys.stderr, flush=True)
    return serve(args.host, args.port, open_browser=args.open)


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
