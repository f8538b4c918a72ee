"""The model's agents: business parks, municipalities, provinces and the national programme."""

from werklandschap.agents.municipality import Municipality
from werklandschap.agents.park import Driver, Organisation, Park, Role, Stage
from werklandschap.agents.programme import Programme
from werklandschap.agents.province import Province

__all__ = [
    "Driver",
    "Municipality",
    "Organisation",
    "Park",
    "Programme",
    "Province",
    "Role",
    "Stage",
]
