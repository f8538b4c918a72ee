"""report.md of an experiment: what was run, the answer (tables, figures) and the bookkeeping."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from werklandschap.experiments.spec import ExperimentSpec


def write_report(
    spec: ExperimentSpec, folder: Path, body: str, runs: pd.DataFrame, manifest: dict[str, Any]
) -> Path:
    """Write report.md: title, description, the analysis section and run bookkeeping."""
    failed = runs[runs["status"] == "error"]
    sessions = manifest["sessions"]
    # Wall time of every session, interrupted ones included (their progress is in state.json).
    cut = sum(bool(s.get("interrupted")) for s in sessions)
    cut_text = f", {cut} interrupted" if cut else ""
    missing = int((runs["status"] == "missing").sum())
    lines = [
        f"# Experiment {spec.name} ({spec.type})",
        "",
        spec.description,
        "",
        f"{len(runs)} runs, {len(runs) - len(failed) - missing} succeeded, {len(failed)} failed"
        + (f", {missing} missing" if missing else "")
        + f"; seed {spec.seed}; wall time {manifest['elapsed_seconds']:.0f} s over "
        f"{len(sessions)} session(s){cut_text} on {sessions[-1].get('executor')}.",
        "",
        body,
        "",
    ]
    if spec.type == "compare" and "spent_total_meur" in runs:  # euros by whom, cost per label
        from werklandschap.model.scenario import load_scenario
        from werklandschap.runs.money import money_section

        lines += money_section(runs, load_scenario(spec.options["baseline"]).name, folder)
    if len(failed):
        counts = failed["error"].value_counts().head(5)
        lines += ["## Failed runs", "", f"{len(failed)} run(s) raised an error (first kinds):", ""]
        lines += [f"- {n} × `{message}`" for message, n in counts.items()]
        lines.append("")
    lines += [
        "## Files",
        "",
        "runs.parquet (one row per run: design values, seed, status, outcomes), "
        "timeseries.parquet (labelled parks per month, when kept), design.parquet, "
        "experiment.yaml, manifest.json (versions, git commit, file hash, timings), "
        "CSV tables and figures/.",
        "",
        f"Commit {manifest['git_commit']}, experiment file sha256 {spec.source_hash[:12]}….",
        "",
    ]
    path = folder / "report.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path
