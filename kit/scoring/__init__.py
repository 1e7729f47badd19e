"""Score: proper scoring rules (one module per family), calibration and markets.

The maths only: pure functions over arrays, no file reading, no registry. Where
scoringrules computes the same quantity the kit calls it (imported on first use, see
`kit.scoring._core.scoringrules`); each function's docstring says which it uses and,
where the kit keeps its own code, why.
"""
