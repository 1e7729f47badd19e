"""Score: proper scoring rules (one module per family), calibration and markets."""
