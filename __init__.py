"""werklandschap: an agent-based transition model of the Dutch programme
*Werklandschappen van de Toekomst* (1,000 future-proof business parks in 9 years).

    from werklandschap import load_scenario, run
    result = run(load_scenario("baseline"), seed=1)
    result.summary()["labelled_at_horizon"]
"""

from importlib.metadata import PackageNotFoundError, version

from werklandschap.model.model import WerklandschapModel, run
from werklandschap.model.outcomes import RunResult
from werklandschap.model.scenario import Scenario, ScenarioError, load_scenario, make_scenario

try:  # one place for the version: pyproject.toml, read from the installed package's metadata
    __version__ = version("werklandschap")
except PackageNotFoundError:  # imported from a source tree that was never installed
    __version__ = "0+unknown"
__all__ = [
    "RunResult",
    "Scenario",
    "ScenarioError",
    "WerklandschapModel",
    "load_scenario",
    "make_scenario",
    "run",
]
