"""The student notebooks run top to bottom (with small sizes) and are stored without outputs.

Each notebook has one cell tagged `parameters`; the test replaces it with small values, then
executes the notebook with nbclient in a temporary folder, headless. Every cell that draws is
tagged `figure` and must show its figure: an `image/png` output after execution (a library that
switched matplotlib's backend, or a figure that is never displayed, fails this).
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
SMALL = {
    "01_quick_start": "REPLICATIONS = 3",
    "02_policy_levers": "REPLICATIONS = 3\nWORKERS = 1",
    "03_sensitivity": "N = 8\nWORKERS = 1",
    "04_tipping": "PEER_STEPS = 3\nCOHORTS = [0, 300]\nREPLICATIONS = 1\nWORKERS = 1",
}


#: Figures each notebook must show at least (cells tagged `figure`).
MIN_FIGURES = {"01_quick_start": 3, "02_policy_levers": 1, "03_sensitivity": 1, "04_tipping": 1}


def test_every_notebook_is_tested():
    assert {p.stem for p in NOTEBOOKS.glob("*.ipynb")} == set(SMALL)


@pytest.mark.parametrize("name", sorted(SMALL))
def test_notebook_is_stored_without_outputs(name):
    book = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    for cell in book.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"{name}: strip outputs"


@pytest.mark.parametrize("name", sorted(SMALL))
def test_notebook_runs(name, tmp_path):
    book = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    tagged = [c for c in book.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1, f"{name}: needs exactly one cell tagged 'parameters'"
    tagged[0].source = SMALL[name]
    NotebookClient(
        book, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    errors = [
        o
        for c in book.cells
        if c.cell_type == "code"
        for o in c.outputs
        if o.output_type == "error"
    ]
    assert not errors
    figures = [c for c in book.cells if "figure" in c.metadata.get("tags", [])]
    assert len(figures) >= MIN_FIGURES[name], f"{name}: tag every plotting cell 'figure'"
    for cell in figures:
        images = [o for o in cell.outputs if "image/png" in o.get("data", {})]
        assert images, f"{name}: a cell tagged 'figure' showed no image:\n{cell.source}"
