"""Assessment: the score table, markets and the community forecast, intervals and pairwise
comparisons, calibration tests and surprise, computed from the registry with the maths of
`kit.scoring` (read through `kit.workspace`)."""
