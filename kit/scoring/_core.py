"""Array helpers shared by the score families."""

from __future__ import annotations

import numpy as np


def as_probs(p, name: str = "p") -> np.ndarray:
    """Probabilities as a float array, refusing NaN and values outside [0, 1]."""
    arr = np.asarray(p, dtype=float)
    if np.isnan(arr).any():
        raise ValueError(f"{name} holds NaN")
    if ((arr < 0) | (arr > 1)).any():
        raise ValueError(f"{name} must lie in [0, 1]")
    return arr


def as_outcomes(y, name: str = "y") -> np.ndarray:
    """Binary outcomes as a float array of 0.0 and 1.0."""
    arr = np.asarray(y)
    if arr.dtype == bool:
        return arr.astype(float)
    arr = arr.astype(float)
    if not np.isin(arr, (0.0, 1.0)).all():
        raise ValueError(f"{name} must be 0 or 1")
    return arr


def one_hot(outcome_index, n_options: int) -> np.ndarray:
    idx = np.asarray(outcome_index, dtype=int)
    if ((idx < 0) | (idx >= n_options)).any():
        raise ValueError(f"outcome index outside 0..{n_options - 1}")
    return np.eye(n_options)[idx]


# scoringrules' numpy backend, named on every call: with no backend named, scoringrules
# uses numba when it is installed, and JIT-compiles (seconds) on first use.
SR_BACKEND = "numpy"


def scoringrules():
    """The `scoringrules` module, imported on first use rather than with `kit.scoring`.

    Importing scoringrules loads `scipy.special` (about 0.15 s, more than numpy itself)
    and, where numba is installed, numba (about 0.5 s), while the binary scores and the
    calibration never need it. After the first call the import is a dictionary look-up.
    """
    import scoringrules

    return scoringrules
