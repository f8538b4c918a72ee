"""What each subcommand of the `werklandschap` command line does (`cli.py` parses the options).

Each `cmd_*` takes the parsed options and returns the exit status: 0 on success, 2
(`EXIT_BAD_INPUT`) for bad input, with one line on stderr and nothing written.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import yaml

from werklandschap.model.parameters import PARAMETERS, Parameter
from werklandschap.model.scenario import load_scenario, load_scenario_file, shipped_scenarios

EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, what shells report for Ctrl-C


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
        plan = _predictive_plan(args)
        job = RunJob(
            scenario, args.seed, args.replications, Path(args.out), name, args.overwrite, plan
        )
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
    if plan is not None:
        from werklandschap.runs.predictive import headline

        answer = json.loads((job.folder / "predictive.json").read_text())["answer"]
        print(f"  {headline(answer)}")
        months = answer["month_target_reached"]
        share = months["parametric_share"]
        split = f"{share:.0%} of its variance parametric" if share == share else "no spread"
        print(
            f"  month the target is reached: mean {months['mean']:.0f} (runs that never reach "
            f"it counted at month {months['censored_at']:.0f}); {split}"
        )
    print(f"  written to {job.folder}")
    return 0


def _predictive_plan(args: argparse.Namespace):
    """The posterior-predictive plan of `run` (None: fixed parameters).

    `--posterior` asked explicitly and no usable posterior file: OutputError (exit 2); left to
    the default: a one-line notice and fixed parameters.
    """
    from werklandschap.model.posterior import PosteriorFileError
    from werklandschap.runs.predictive import (
        DEFAULT_PER_DRAW,
        PredictivePlan,
        load_checked_posterior,
    )
    from werklandschap.runs.runs import OutputError

    if args.posterior is False:
        return None
    try:
        posterior = load_checked_posterior()
    except PosteriorFileError as exc:
        if args.posterior:
            raise OutputError(f"--posterior: {exc}") from None
        print(f"werklandschap: note: {exc}; running with fixed parameters", file=sys.stderr)
        return None
    per_draw = args.per_draw
    if per_draw is None:
        per_draw = DEFAULT_PER_DRAW if args.replications >= 2 * DEFAULT_PER_DRAW else 1
    return PredictivePlan(posterior, args.seed, args.replications, per_draw)


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


def by_group(parameters: list[Parameter]) -> dict[str, list[Parameter]]:
    """Parameters per spec `group`, groups in the order they first appear in the spec."""
    groups: dict[str, list[Parameter]] = {}
    for p in parameters:
        groups.setdefault(p.group, []).append(p)
    return groups


def params_markdown(parameters: list[Parameter]) -> str:
    """The parameter table (docs/parameters.md) generated from the spec, one table per group."""
    lines = [
        "# Parameters",
        "",
        "Generated from `model/parameters.py` by `werklandschap params --markdown`; do not edit.",
        "Kind: lever = policy choice, uncertainty = unknown fact, structural = set-up.",
        "Range: the plausible interval sampled by sensitivity analyses; limits: accepted values.",
        "Parameters marked *assumption* have no source: sensitivity analyses cover their range.",
    ]
    for group, members in by_group(parameters).items():
        lines += [
            "",
            f"## {group}",
            "",
            "| name | kind | default | unit | range | limits | description | source |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for p in members:
            rng = f"{p.range[0]}–{p.range[1]}" if p.range else (" / ".join(p.choices or ()) or "")
            lim = f"{p.limits[0]}–{p.limits[1]}" if p.limits else ""
            source = f"*{p.source}*" if p.is_assumption else p.source
            lines.append(
                f"| `{p.name}` | {p.kind} | {_format(p.default)} | {p.unit} | {rng} | {lim} "
                f"| {p.description} | {source} |"
            )
    return "\n".join(lines) + "\n"


def cmd_params(args: argparse.Namespace) -> int:
    chosen = [p for p in PARAMETERS if args.kind is None or p.kind == args.kind]
    if args.markdown:
        sys.stdout.write(params_markdown(chosen))
        return 0
    for group, members in by_group(chosen).items():
        print(f"--- {group} " + "-" * (60 - len(group)))
        for p in members:
            rng = f"[{p.range[0]}, {p.range[1]}]" if p.range else ""
            if p.choices:
                rng = "{" + ", ".join(p.choices) + "}"
            flag = " (assumption)" if p.is_assumption else ""
            print(f"{p.name:30s} {p.kind:11s} {_format(p.default):>10s} {p.unit:14s} {rng}")
            print(f"{'':30s} {p.description}{flag}")
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
        repeats=args.repeats,
        reference_repeats=args.reference_repeats,
        scaling=not args.no_scaling,
        layer_runs=args.layer_runs,
    )


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
