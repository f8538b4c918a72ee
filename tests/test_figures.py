"""Figures (runs/plots.py, experiments/analysis/sweep.py): no library module switches the
matplotlib backend, and the figures are readable and speak in words."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd

PNG = b"\x89PNG\r\n\x1a\n"


# --- figures (runs/plots.py, analysis/sweep.py) ----------------------------------------

LIBRARY = Path(__file__).resolve().parent.parent


def test_no_library_module_switches_the_matplotlib_backend():
    """`matplotlib.use(...)` at import silences inline figures in Jupyter; pyplot is not needed."""
    offenders = [
        str(path.relative_to(LIBRARY))
        for folder in ("experiments", "model", "agents", "scenarios")
        for path in (LIBRARY / folder).rglob("*.py")
        if re.search(r"matplotlib\.use\(|import matplotlib\.pyplot", path.read_text())
    ]
    assert offenders == []
    code = (
        "import sys, matplotlib\n"
        "backend = matplotlib.get_backend()\n"
        "from werklandschap.runs import plots\n"
        "from werklandschap.verification import validation\n"
        "from werklandschap.experiments.analysis import compare, sweep\n"
        "assert 'matplotlib.pyplot' not in sys.modules\n"
        "assert matplotlib.get_backend() == backend\n"
        "fig = plots.new_figure(3, 2)\n"
        "fig.subplots().plot([0, 1])\n"
        "assert fig._repr_png_()[:8] == b'\\x89PNG\\r\\n\\x1a\\n'\n"
    )
    subprocess.run(
        [sys.executable, "-c", code], check=True, env={**os.environ, "MPLBACKEND": "svg"}
    )


def test_tipping_heatmap_is_readable():
    """Numbers in black on light cells and white on dark ones; axes in words with units."""
    from werklandschap.experiments.analysis import sweep
    from werklandschap.runs import plots

    assert sweep.text_colour("black") == "white" and sweep.text_colour("#FDE725") == "black"
    grid = pd.DataFrame(
        [[0.0, 0.5], [0.9, 1.0]],
        index=pd.Index([0, 300], name="n_stimulated"),
        columns=pd.Index([0.0, 1.0], name="peer_weight"),
    )
    fig = plots.new_figure(6, 4)
    ax = fig.subplots()
    sweep._heatmap(ax, grid, "P", plots.PROBABILITY_MAP, 0, 1)
    colours = {t.get_text(): t.get_color() for t in ax.texts}
    assert colours["0.00"] == "white" and colours["1.00"] == "black"  # cividis: dark to yellow
    assert ax.get_xlabel().startswith("Weight of peer influence") and "(utility)" in ax.get_xlabel()
    assert "(parks)" in ax.get_ylabel() and "n_stimulated" not in ax.get_ylabel()


def test_run_figures_speak_in_words(tmp_path):
    """The S-curve's y-axis says parks (lines per stage in the legend); target and horizon
    marked from the scenario, not constants; Okabe-Ito province colours; names on the map."""
    from matplotlib.colors import to_hex

    from werklandschap.model.model import run
    from werklandschap.model.scenario import load_scenario
    from werklandschap.runs import plots

    scenario = load_scenario("baseline").with_params(target_parks=900, horizon_months=96)
    results = [run(scenario, seed) for seed in (1, 2)]
    fig = plots.s_curve_figure(results, scenario)
    ax = fig.axes[0]
    assert ax.get_ylabel() == "parks (number)"
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any(s.startswith("labelled") for s in legend)
    assert any(s.startswith("transforming") for s in legend)
    assert {"target 900 parks", " end of 2030"} <= {t.get_text() for t in ax.texts}
    target = next(line for line in ax.lines if line.get_gid() == "target")
    assert target.get_ydata()[0] == 900
    horizon = next(line for line in ax.lines if line.get_gid() == "horizon")
    assert horizon.get_xdata()[0] == 2023 + 96 / 12
    provinces = plots.provinces_figure(results, scenario)
    used = {to_hex(line.get_color()).upper() for a in provinces.axes for line in a.lines}
    assert used <= {c.upper() for c in plots.OKABE_ITO.values()} | {"#BBBBBB", "#555555"}
    assert len([a for a in provinces.axes if a.get_visible()]) == 12  # one panel per province
    first = results[0]
    m = plots.map_figure(first.stage_at_horizon, first.role, "map")
    texts = {t.get_text() for t in m.axes[0].texts}
    assert {"Utrecht", "Zeeland", "Fryslân", "Noord-Holland"} <= texts
    sizes = [h.get_markersize() for h in m.axes[0].get_legend().legend_handles]
    assert max(sizes) <= 10
    plots.write_run_figures(results, scenario, tmp_path)
    assert all((tmp_path / f).read_bytes()[:8] == PNG for f in ("s_curve.png", "map.png"))


def test_province_name_points_lie_inside_their_province():
    from matplotlib.path import Path as MplPath

    from werklandschap.model.data import province_outlines
    from werklandschap.runs.plots import label_point

    for name, rings in province_outlines().items():
        ring = max(rings, key=len)
        assert MplPath(ring).contains_point(label_point(ring)), name
