"""Calibration and discrimination of the scored forecasts, per forecaster and pooled.

The (forecaster, p, y) pairs are the scored forecasts as their kinds give them (binary:
the forecast; categorical: each option one-vs-rest; numeric: none). From them:
Spiegelhalter's z (is the forecaster calibrated?), the CORP reliability curve with its
consistency band (where a calibrated forecaster's curve would lie), and the forecasts'
distributions by outcome with the AUC (do they separate what happened from what did not?).
Each row carries `n`, the number of forecasts behind it. One-vs-rest pairs of a
categorical question are not independent; the tests treat them as if they were.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from kit.assess.table import ScoreTable
from kit.predictions.registry import ForecastRef
from kit.scoring import calibration_tests as ct

Pairs = list[tuple[str, float, int]]


def calibration_pairs(refs: Iterable[ForecastRef], table: ScoreTable) -> Pairs:
    """(forecaster, p, y) of the scored forecasts in `table` (`refs`: every forecast)."""
    forecasts = {
        (r.question.id, r.forecast.by, r.forecast.at.isoformat()): r for r in refs if r.forecast.at
    }
    out = []
    for rec in table.records:
        ref = forecasts[(rec.question, rec.by, rec.at)]
        q = ref.question
        out += [(rec.by, p, y) for p, y in q.kind.calibration_pairs(q, ref.forecast, rec.outcome)]
    return out


def _groups(pairs: Pairs) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """("all", p, y), then each forecaster's."""
    if not pairs:
        return []
    who = np.array([b for b, _, _ in pairs])
    p = np.array([x for _, x, _ in pairs], dtype=float)
    y = np.array([v for _, _, v in pairs], dtype=float)
    return [("all", p, y)] + [(name, p[who == name], y[who == name]) for name in sorted(set(who))]


def spiegelhalter_rows(pairs: Pairs) -> list[dict]:
    """Spiegelhalter's z and p-value, pooled and per forecaster."""
    rows = []
    for name, p, y in _groups(pairs):
        test = ct.spiegelhalter(p, y)
        rows.append({"forecaster": name, "z": test.z, "p_value": test.p_value, "n": test.n})
    return rows


def consistency_rows(
    pairs: Pairs, *, level: float = 0.9, resamples: int = 200, seed: int = 0
) -> list[dict]:
    """The CORP reliability curve and its consistency band at each distinct forecast."""
    rows = []
    for name, p, y in _groups(pairs):
        band = ct.consistency_band(p, y, level=level, resamples=resamples, seed=seed)
        for i, point in enumerate(band.points):
            rows.append(
                {
                    "forecaster": name,
                    "forecast": float(point),
                    "recalibrated": float(band.recalibrated[i]),
                    "low": _number(band.low[i]),
                    "high": _number(band.high[i]),
                    "n": band.n,
                    "level": band.level,
                }
            )
    return rows


def discrimination_rows(pairs: Pairs, width: int = 10) -> tuple[list[dict], list[dict]]:
    """(histogram rows: forecaster, bin, outcome, count; summary rows: means and AUC)."""
    histogram, summary = [], []
    for name, p, y in _groups(pairs):
        d = ct.discrimination(p, y, width)
        for i in range(d.lower_pct.size):
            for outcome, counts in (("happened", d.events), ("did not", d.non_events)):
                histogram.append(
                    {
                        "forecaster": name,
                        "lower_pct": int(d.lower_pct[i]),
                        "upper_pct": int(d.upper_pct[i]),
                        "outcome": outcome,
                        "count": int(counts[i]),
                    }
                )
        summary.append(
            {
                "forecaster": name,
                "n": d.n,
                "happened": int(d.events.sum()),
                "mean_if_happened": d.mean_events,
                "mean_if_not": d.mean_non_events,
                "auc": d.auc,
            }
        )
    return histogram, summary


def _number(value: float) -> float | None:
    return None if np.isnan(value) else float(value)
