"""Fitting the local judge to texts graded by reading, and measuring how far it agrees with them (docs/quality.md:
"The graded set"). Ridge regression per criterion on the signals of the `train` rows; agreement is Spearman's rank
correlation between the judge's score (the mean of its criteria) and the reader's overall grade on the `test` rows,
which the fit never sees."""

from __future__ import annotations

import numpy as np
from scipy import stats

from cucu_pipeline.quality.rubric import CRITERIA
from cucu_pipeline.quality.signals import FEATURES, Signals

RIDGE = 1.0  # shrinks each weight toward 0: about 150 graded texts for 14 signals


def fit_weights(found: list[Signals], grades: dict[str, list[float]], ridge: float = RIDGE) -> dict:
    """criterion -> {"intercept", feature: weight}: the ridge solution on the signals' features (the intercept is
    not shrunk)."""
    features = np.array([[one.features[name] for name in FEATURES] for one in found], dtype=float)
    design = np.column_stack([np.ones(len(found)), features])
    penalty = ridge * np.eye(design.shape[1])
    penalty[0, 0] = 0.0
    fitted = {}
    for criterion in CRITERIA:
        target = np.asarray(grades[criterion], dtype=float)
        solution = np.linalg.solve(design.T @ design + penalty, design.T @ target)
        fitted[criterion] = {"intercept": round(float(solution[0]), 4)} | {
            name: round(float(weight), 4) for name, weight in zip(FEATURES, solution[1:])
        }
    return fitted


def agreement(judge_scores: list[float], reader_grades: list[float]) -> dict[str, float]:
    """Spearman's rho (and its p-value) between the judge's scores and the reader's grades."""
    rho, p_value = stats.spearmanr(judge_scores, reader_grades)
    return {"spearman": round(float(rho), 3), "p_value": float(p_value), "texts": len(judge_scores)}
