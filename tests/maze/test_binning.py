"""Binned summaries on small hand-made frames."""

import numpy as np
import pandas as pd

from kit.maze.binning import binned, quantile_rates


def test_bins_keep_the_order_they_first_appear_in():
    df = pd.DataFrame({"d": [5.0, 1.0, 3.0, 1.5, 9.0, 0.0], "hit": [1, 0, 1, 1, 0, 1]})
    by = binned(df, "d", [0, 2, 4, 6, 8], rate=("hit", "mean"), n=("hit", "size"))
    assert by.columns.tolist() == ["bin", "rate", "n"]
    # 0.0 is left of the first interval (closed on the right), 9.0 right of the last
    assert by["bin"].tolist() == ["(4.0, 6.0]", "(0.0, 2.0]", "(2.0, 4.0]"]
    assert by["rate"].tolist() == [1.0, 0.5, 1.0]
    assert by["n"].tolist() == [1, 2, 1]


def test_the_lowest_edge_can_belong_to_the_first_bin():
    df = pd.DataFrame({"d": [0.0, 2.0, 3.0], "hit": [True, False, True]})
    by = binned(df, "d", [0, 2, 4], name="distance", include_lowest=True, n=("hit", "size"))
    assert by.to_dict("records") == [
        {"distance": "(-0.001, 2.0]", "n": 2},
        {"distance": "(2.0, 4.0]", "n": 1},
    ]
    assert "distance" not in df  # the frame itself is left alone


def test_quantile_bins_have_equal_counts_even_with_ties():
    df = pd.DataFrame(
        {
            "tied": [1, 1, 1, 1, 2, 2],  # ties are split by row order
            "spread": [6, 5, 4, 3, 2, 1],
            "hit": [1, 1, 1, 0, 0, 0],
        }
    )
    out = quantile_rates(df, "hit", ["tied", "spread"], q=2)
    assert out.columns.tolist() == ["feature", "bin", "value", "rate"]
    tied = out[out.feature == "tied"]
    assert tied["value"].tolist() == [1.0, 5 / 3]  # rows 0-2, then rows 3-5
    assert tied["rate"].tolist() == [1.0, 0.0]
    spread = out[out.feature == "spread"]
    assert spread["value"].tolist() == [2.0, 5.0] and spread["rate"].tolist() == [0.0, 1.0]
    assert np.array_equal(out.groupby("feature").size().to_numpy(), [2, 2])
