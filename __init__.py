"""werklandschap: an agent-based transition model of the Dutch programme
*Werklandschappen van de Toekomst* (1,000 future-proof business parks in 9 years).

    from werklandschap import load_scenario, run
    result = run(load_scenario("baseline"), seed=1)
    result.summary()["labelled_at_horizon"]
"""

from werklandschap.model.model import WerklandschapModel, run
from werklandschap.model.outcomes import RunResult
from werklandschap.model.scenario import Scenario, ScenarioError, load_scenario, make_scenario

__version__ = "0.1.0"
__all__ = [
    "RunResult",
    "Scenario",
    "ScenarioError",
    "WerklandschapModel",
    "load_scenario",
    "make_scenario",
    "run",
]
