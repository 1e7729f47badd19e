"""Binned summaries of per-maze results, for the notebooks' charts and recorded tables.

Two ways to bin a distance: fixed interval edges (`binned`: "how often does the mouse get
the cheese when it lies 4-6 cells from the top-right?") and equal-count bins per feature
(`quantile_rates`: the outcome against each feature, whatever its range).
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd


def binned(
    frame: pd.DataFrame,
    column: str,
    edges: Sequence[float],
    *,
    name: str = "bin",
    include_lowest: bool = False,
    **aggregations: tuple[str, str],
) -> pd.DataFrame:
    """`aggregations` (pandas named aggregations) per interval of `column` cut at `edges`.

    One row per bin that holds a row of `frame`, in the order the bins first appear in
    `frame` (not sorted: the recorded tables keep that order). The bin, in column `name`,
    is its interval as text, e.g. "(2.0, 4.0]" (intervals are closed on the right; with
    `include_lowest` the first one takes its left edge too). Rows outside the edges are
    left out.
    """
    cut = pd.cut(frame[column], list(edges), include_lowest=include_lowest)
    inside = frame.assign(**{name: cut.astype(str)})[cut.notna()]
    return inside.groupby(name, sort=False).agg(**aggregations).reset_index()


def quantile_rates(
    frame: pd.DataFrame, outcome: str, features: Sequence[str], q: int = 5
) -> pd.DataFrame:
    """The mean of `outcome` in `q` equal-count bins of each feature.

    Rows: feature, bin (0..q-1, lowest values first), value (the feature's mean in the
    bin) and rate (the outcome's mean there). Bins are cut on ranks, ties broken by row
    order, so that a feature with many equal values (path lengths) still gets `q` bins
    of (nearly) equal counts.
    """
    long = frame.melt(
        id_vars=[outcome], value_vars=list(features), var_name="feature", value_name="value"
    )
    long["bin"] = long.groupby("feature")["value"].transform(
        lambda v: pd.qcut(v.rank(method="first"), q, labels=False)
    )
    grouped = long.groupby(["feature", "bin"])
    return grouped.agg(value=("value", "mean"), rate=(outcome, "mean")).reset_index()
