"""The local judge (docs/quality.md: "The local judge"): the rubric's five criteria scored from a text's signals
(`signals.py`) with weights fitted to texts graded by reading (`reference/graded.csv`, `fitting.py`), each capped by
the text's definite flaws. Deterministic: the same text for the same member and event, among the same date's texts,
scores the same."""

from __future__ import annotations

import json
from functools import cache
from operator import mul
from pathlib import Path

from cucu_pipeline.core.parallel import mapped
from cucu_pipeline.quality.rubric import CRITERIA, Judgement, Review
from cucu_pipeline.quality.signals import FEATURES, Signals, repeat_shares, signals

LOCAL_JUDGE = "local"
WEIGHTS = Path(__file__).parent / "reference" / "judge_weights.json"


@cache
def weights() -> dict[str, dict[str, float]]:
    """criterion -> {"intercept": ..., feature: weight}, as `python -m cucu_pipeline.quality fit` wrote them."""
    return json.loads(WEIGHTS.read_text())["weights"]


@cache
def _rows() -> tuple[tuple[str, float, tuple[float, ...]], ...]:
    """(criterion, intercept, the weights in `FEATURES` order): what a score multiplies, read once."""
    fitted = weights()
    return tuple((c, fitted[c]["intercept"], tuple(fitted[c][name] for name in FEATURES)) for c in CRITERIA)


def scored(found: Signals) -> Judgement:
    """The criteria's scores from the fitted weights, each at most what the text's flaws allow, and the issues."""
    values = [found.features[name] for name in FEATURES]
    raw = {criterion: intercept + sum(map(mul, row, values)) for criterion, intercept, row in _rows()}
    return _verdict(raw, found)


def _verdict(raw: dict[str, float], found: Signals) -> Judgement:
    """The fitted scores `raw` each at most what the text's flaws allow, and the issues."""
    scores = {}
    for criterion in CRITERIA:
        cap = min((limit for flawed, limit, _ in found.flaws if flawed == criterion), default=5)
        # One decimal, not a whole grade: two texts a reader tells apart should not tie (docs/quality.md).
        scores[criterion] = round(min(max(raw[criterion], 1.0), cap), 1)
    order = list(CRITERIA)
    issues = tuple(
        f"{criterion}: {issue}" for criterion, _, issue in sorted(found.flaws, key=lambda flaw: order.index(flaw[0]))
    )
    return Judgement(scores=scores, issues=issues, approved=min(scores.values()) >= 2, model=LOCAL_JUDGE)


def local_judgement(review: Review, repeats: float = 0.0) -> Judgement:
    """One text's judgement; `repeats` is the share of its date's texts written on the same line."""
    return scored(signals(review, repeats))


def _judged(item: tuple[Review, float]) -> Judgement:
    return local_judgement(*item)


def local_judgements(reviews: list[Review]) -> list[Judgement]:
    """`local_judgement` of each text of a date, on every core: the local judge reads every text of a date, and how
    often a line repeats among them."""
    return mapped(_judged, list(zip(reviews, repeat_shares(reviews))))
