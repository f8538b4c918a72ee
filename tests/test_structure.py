"""Structure (issue 11): picklable immutable scenarios carried by tasks, one table of limits."""

import dataclasses
import pickle

import pytest

from werklandschap.experiments import design
from werklandschap.experiments.spec import load_experiment
from werklandschap.model import scenario as scenario_module
from werklandschap.model.scenario import load_scenario
from werklandschap.runs import limits


def test_scenario_pickles_to_an_equal_read_only_scenario():
    original = load_scenario("double_stimulated")
    copy = pickle.loads(pickle.dumps(original))
    assert copy == original and copy.description == original.description
    assert copy.n_stimulated == original.n_stimulated
    with pytest.raises(TypeError):
        copy.params["n_stimulated"] = 1  # read-only mapping
    with pytest.raises(dataclasses.FrozenInstanceError):
        copy.name = "other"


def test_unpickling_does_not_validate_again(monkeypatch):
    blob = pickle.dumps(load_scenario("baseline"))

    def fail(*args, **kwargs):
        raise AssertionError("validated twice")

    monkeypatch.setattr(scenario_module, "make_scenario", fail)
    assert pickle.loads(blob).name == "baseline"


def test_tasks_carry_the_validated_scenario(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text(
        "name: c\ntype: compare\nseed: 1\nreplications: 2\nbaseline: baseline\n"
        "scenarios: [baseline, double_stimulated]\nposterior: false\n"
    )
    _, tasks, _ = design.build_design(load_experiment(path))
    assert [t.scenario.name for t in tasks] == ["baseline"] * 2 + ["double_stimulated"] * 2
    assert tasks[2].scenario == load_scenario("double_stimulated")
    assert pickle.loads(pickle.dumps(tasks[3])) == tasks[3]


def test_run_limits_live_in_the_one_table():
    from werklandschap import cli
    from werklandschap.experiments import spec
    from werklandschap.runs import runs

    assert limits.ALL_LIMITS["run.replications"].maximum == runs.MAX_REPLICATIONS
    assert limits.ALL_LIMITS["run.seed"].maximum == cli.MAX_SEED
    assert spec.LIMITS is limits.LIMITS and not any(k.startswith("run.") for k in spec.LIMITS)


def test_every_analysed_outcome_is_kept_and_titled_from_the_scenario():
    from werklandschap.experiments import outcomes

    for analysis, names in outcomes.USED_BY.items():
        assert set(names) <= set(outcomes.KEPT), analysis
    params = dict(load_scenario("baseline").with_params(horizon_months=60, target_parks=500).params)
    sobol = outcomes.titles("sobol", params)
    assert sobol["target_met"] == "500 parks reached by end 2027 (0/1)"
    assert outcomes.titles("morris", params)["target_met"] == "P(500 parks reached by end 2027)"
    assert outcomes.mean_unit("target_met") == "probability"
    assert outcomes.mean_unit("labelled_at_horizon") == "parks"


def test_assumptions_set_is_the_unsourced_uncertainties(tmp_path):
    from werklandschap.model.parameters import parameters

    path = tmp_path / "m.yaml"
    path.write_text(
        "name: m\ntype: morris\nseed: 1\nbase: baseline\nparameters: assumptions\ntrajectories: 2\n"
    )
    chosen = load_experiment(path).options["parameters"]
    expected = [p.name for p in parameters("uncertainty") if p.is_assumption]
    assert chosen == expected and 0 < len(chosen) < len(parameters("uncertainty"))


def test_every_registered_type_has_the_declared_interface():
    from werklandschap.experiments import types

    for name in types.REGISTRY:
        module = types.get(name)
        assert isinstance(module.KEYS, dict) and isinstance(module.TIMESERIES, bool)
        for function in ("options", "planned_runs", "design", "analyse"):
            assert callable(getattr(module, function)), (name, function)


def test_a_new_type_is_one_registry_entry_plus_its_module(tmp_path, monkeypatch):
    """A toy type (two runs of the base scenario) parsed, planned and designed via the registry."""
    import sys
    import types as stdlib_types

    from werklandschap.experiments import types

    toy = stdlib_types.ModuleType("toy_type")
    toy.KEYS, toy.TIMESERIES = {"base": str}, False
    toy.options = lambda where, opts: {**opts, "base": opts.get("base", "baseline")}
    toy.planned_runs = lambda spec: 2
    toy.design = lambda spec: (
        [{"run_id": i, "seed": i} for i in range(2)],
        [design.Task(i, i, spec.base) for i in range(2)],
        {},
    )
    toy.analyse = lambda spec, runs, series, folder, meta: "toy"
    monkeypatch.setitem(sys.modules, "toy_type", toy)
    monkeypatch.setitem(types.REGISTRY, "toy", "toy_type")
    path = tmp_path / "t.yaml"
    path.write_text("name: t\ntype: toy\nseed: 3\n")
    spec = load_experiment(path)
    table, tasks, _ = design.build_design(spec)
    assert spec.type == "toy" and len(table) == 2 and tasks[1].scenario.name == "baseline"
