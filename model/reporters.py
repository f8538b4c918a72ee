"""National reporters of the model's Mesa DataCollector: each reads the month just recorded
(docs/ODD.md §4, Observation)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from werklandschap.agents.park import Stage

if TYPE_CHECKING:
    from werklandschap.model.model import WerklandschapModel


def _stage_count(model: WerklandschapModel, stage: Stage) -> int:
    return int(model._stage_counts[int(model.time), stage])


def unaware(model: WerklandschapModel) -> int:
    """Parks that have not heard of the programme (count)."""
    return _stage_count(model, Stage.UNAWARE)


def aware(model: WerklandschapModel) -> int:
    """Aware parks, not (or no longer) engaged (count)."""
    return _stage_count(model, Stage.AWARE)


def engaged(model: WerklandschapModel) -> int:
    """Engaged parks: making a plan (count)."""
    return _stage_count(model, Stage.ENGAGED)


def transforming(model: WerklandschapModel) -> int:
    """Parks transforming, finished or not, without the label yet (count)."""
    return _stage_count(model, Stage.TRANSFORMING)


def labelled(model: WerklandschapModel) -> int:
    """Parks with the area label (count); equals `model.result().labelled` month by month."""
    return _stage_count(model, Stage.LABELLED)


def maturity(model: WerklandschapModel) -> float:
    """Concept maturity M of the programme (0-1)."""
    return float(model._maturity[int(model.time)])


def label_available(model: WerklandschapModel) -> bool:
    """Whether the area label has been published."""
    return bool(model._label[int(model.time)])


def green_deal_provinces(model: WerklandschapModel) -> int:
    """Provinces in the Green Deal (count, 0-12)."""
    return int(model._green_deal[int(model.time)])


NATIONAL_REPORTERS = {
    f.__name__: f
    for f in (
        unaware,
        aware,
        engaged,
        transforming,
        labelled,
        maturity,
        label_available,
        green_deal_provinces,
    )
}
