"""How sure are the scores? Intervals for every mean score, and forecasters compared.

From a `ScoreTable` (one scored forecast per question and forecaster):

- `add_intervals`: a bootstrap interval for each mean score of a breakdown (by forecaster,
  tag, set or month), resampling the questions (the forecasts of one question stay
  together: a cluster bootstrap), with the number of questions behind it;
- `pairwise`: every two forecasters on the questions both answered, per score: mean
  difference, its interval, a permutation p-value (and Holm-adjusted), the mean score
  ratio; and each forecaster's relative skill (scoringutils' definition).

The maths is `kit.scoring.bootstrap` and `kit.scoring.pairwise`; seeds make every figure
reproducible (see `kit.scoring.bootstrap.rng_for`).
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from kit.assess.table import ScoreRecord, ScoreTable, group_key, metrics
from kit.scoring import bootstrap
from kit.scoring import pairwise as pw

#: Scores that are losses of one sign, for which ratios and relative skill mean something.
LOSSES = ("brier", "brier_multi", "log", "rps", "crps", "wis")


@dataclass(frozen=True)
class Settings:
    """Level of every interval, resamples, permutations and the seed."""

    level: float = bootstrap.LEVEL
    resamples: int = bootstrap.RESAMPLES
    permutations: int = pw.PERMUTATIONS
    seed: int = bootstrap.SEED


def _finite(record: ScoreRecord, metric: str) -> float | None:
    value = record.scores.get(metric)
    if value is None or isinstance(value, bool) or not math.isfinite(value):
        return None
    return float(value)


def add_intervals(
    rows: list[dict], table: ScoreTable, by: str, settings: Settings = Settings()
) -> list[dict]:
    """`rows` (a `ScoreTable.breakdown(by)`) with `METRIC_low`, `METRIC_high` and
    `METRIC_questions` for each mean score: the bootstrap interval and the number of
    questions it resamples."""
    # (group, metric) -> question -> (sum, count)
    cells: dict[tuple[str, str], dict[str, list[float]]] = defaultdict(dict)
    for r in table.records:
        for metric in metrics():
            value = _finite(r, metric)
            if value is None:
                continue
            for key in group_key(r, by):
                cell = cells[(key, metric)].setdefault(r.question, [0.0, 0.0])
                cell[0] += value
                cell[1] += 1
    by_questions: dict[tuple[str, ...], list[tuple[str, str]]] = defaultdict(list)
    for (key, metric), per_question in cells.items():
        by_questions[tuple(sorted(per_question))].append((key, metric))
    found: dict[tuple[str, str], tuple[float, float, int]] = {}
    for questions, members in by_questions.items():
        sums = [[cells[m][q][0] for q in questions] for m in members]
        weights = [[cells[m][q][1] for q in questions] for m in members]
        got = bootstrap.ratio_intervals(
            sums,
            weights,
            level=settings.level,
            resamples=settings.resamples,
            rng=bootstrap.rng_for(settings.seed, questions),
        )
        for i, member in enumerate(members):
            found[member] = (float(got.low[i]), float(got.high[i]), len(questions))
    out = []
    for row in rows:
        row = dict(row)
        for metric in metrics():
            low, high, n = found.get((row[by], metric), (None, None, 0))
            row |= {f"{metric}_low": low, f"{metric}_high": high, f"{metric}_questions": n}
        out.append(row)
    return out


def group_columns(by: str) -> list[str]:
    """The columns of `add_intervals` rows in reading order: the group, the forecasts,
    then per score its mean, interval, forecasts and questions."""
    columns = [by, "forecasts"]
    for metric in metrics():
        columns += [metric, f"{metric}_low", f"{metric}_high", f"n_{metric}"]
        columns.append(f"{metric}_questions")
    return [*columns, "infinite_log"]


@dataclass
class Pairwise:
    """Every pair of forecasters per score, and each forecaster's relative skill."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    skill: list[dict[str, Any]] = field(default_factory=list)
    level: float = bootstrap.LEVEL


def pairwise(
    table: ScoreTable, chosen: tuple[str, ...] | None = None, settings: Settings = Settings()
) -> Pairwise:
    """Compare every two forecasters on each score in `chosen` (default: every loss score
    some forecaster has), on the questions both answered."""
    out = Pairwise(level=settings.level)
    for metric in chosen or [m for m in metrics() if m in LOSSES]:
        scores: dict[str, dict[str, float]] = defaultdict(dict)
        for r in table.records:
            if (value := _finite(r, metric)) is not None:
                scores[r.by][r.question] = value
        names = sorted(scores)
        if len(names) < 2:
            continue
        index = {name: i for i, name in enumerate(names)}
        ratios = np.full((len(names), len(names)), np.nan)
        rows = []
        for a, b in pw.pairs(names):
            shared = sorted(scores[a].keys() & scores[b].keys())
            got = pw.compare(
                [scores[a][q] for q in shared],
                [scores[b][q] for q in shared],
                level=settings.level,
                resamples=settings.resamples,
                permutations=settings.permutations,
                rng=bootstrap.rng_for(settings.seed, [a, b, *shared]),
            )
            if shared and math.isfinite(got.ratio) and got.ratio > 0:
                ratios[index[a], index[b]] = got.ratio
                ratios[index[b], index[a]] = 1 / got.ratio
            rows.append(
                {
                    "metric": metric,
                    "a": a,
                    "b": b,
                    "questions": got.n,
                    "mean_a": got.mean_a,
                    "mean_b": got.mean_b,
                    "difference": got.difference,
                    "low": got.low,
                    "high": got.high,
                    "p_value": got.p_value,
                    "ratio": got.ratio,
                }
            )
        adjusted = pw.holm([r["p_value"] for r in rows])
        for row, p in zip(rows, adjusted, strict=True):
            row["p_holm"] = float(p)
        out.rows += rows
        theta = pw.relative_skill(ratios)
        for name in names:
            i = index[name]
            out.skill.append(
                {
                    "metric": metric,
                    "forecaster": name,
                    "relative_skill": float(theta[i]),
                    "compared_with": int(np.sum(~np.isnan(np.delete(ratios[i], i)))),
                    "questions": len(scores[name]),
                }
            )
    return out
