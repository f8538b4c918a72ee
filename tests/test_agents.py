"""Agents are real Mesa agents; Park agents are views of the model's arrays."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import numpy as np

from werklandschap import WerklandschapModel
from werklandschap.agents import Municipality, Park, Programme, Province, Stage

ROOT = Path(__file__).resolve().parent.parent


def test_agent_sets():
    model = WerklandschapModel("baseline", rng=1)
    assert len(model.agents_by_type[Park]) == 3646
    assert len(model.agents_by_type[Municipality]) == 342
    assert len(model.agents_by_type[Province]) == 12
    assert len(model.agents_by_type[Programme]) == 1


def test_park_is_a_view_of_the_arrays():
    model = WerklandschapModel("baseline", rng=1)
    park = model.parks[10]
    park.stage = Stage.ENGAGED
    assert model.park_state.stage[10] == Stage.ENGAGED
    model.park_state.stage[10] = Stage.TRANSFORMING
    assert park.stage is Stage.TRANSFORMING
    assert park.municipality.name == model.data.municipality_name[model.data.park_municipality[10]]
    assert "Park" in repr(park)


def test_agentset_reads_the_state():
    model = WerklandschapModel("baseline", rng=1)
    model.run_for(60)
    stages = np.array(model.agents_by_type[Park].get("stage"))
    assert np.array_equal(np.sort(stages), np.sort(model.park_state.stage))
    assert model.time == 60


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_mesa_35_idioms_only():
    for path in ROOT.glob("*/*.py"):
        if path.parts[-2] in {".venv", "tests"}:
            continue
        text = path.read_text()
        assert "mesa.space" not in _imports(path), path
        assert "batch_run" not in text, path
        assert not re.search(r"(__init__|Model)\(\s*seed=", text), path


def test_stepping_past_the_planned_end_keeps_recording():
    model = WerklandschapModel("baseline", rng=1)
    model.run_to_end()
    assert not model.running
    model.run_for(15)  # e.g. a dashboard's Step with a large render interval
    result = model.result()
    assert result.months == model.months + 15
    assert (result.stage_counts.sum(axis=1) == 3646).all()
    assert (np.diff(result.labelled) >= 0).all()


def test_deferred_park_agents_change_nothing_and_appear_on_first_use():
    eager = WerklandschapModel("baseline", rng=9).run_to_end().result()
    lazy_model = WerklandschapModel("baseline", rng=9, park_agents=False)
    assert Park not in lazy_model.agents_by_type
    lazy = lazy_model.run_to_end().result()
    assert np.array_equal(eager.stage_counts, lazy.stage_counts)
    assert np.array_equal(eager.final_stage, lazy.final_stage)
    assert lazy_model.parks[5].stage == lazy_model.park_state.stage[5]
    assert len(lazy_model.agents_by_type[Park]) == 3646


def test_park_agents_appear_on_the_first_look_at_the_agents():
    model = WerklandschapModel("baseline", rng=9)
    model.run_for(12)
    assert model._parks is None  # stepping and recording never need the Park objects
    assert len(model.agents) == 3646 + 342 + 12 + 1
    assert Park in model.agent_types
    assert [park.index for park in model.parks] == list(range(3646))
    # Created after the other agents, as when they were created eagerly: the same unique ids.
    others = [model.programme, *model.provinces, *model.municipalities]
    assert [a.unique_id for a in others] == list(range(1, 356))
    assert [park.unique_id for park in model.parks] == list(range(356, 4002))
    assert model.parks[3].stage == model.park_state.stage[3]


def test_every_agent_type_answers_stage():
    model = WerklandschapModel("baseline", rng=1)
    for agent_type in (Municipality, Province, Programme):
        assert all(agent.stage is None for agent in model.agents_by_type[agent_type])
    assert {park.stage for park in model.parks} == {Stage.UNAWARE}
