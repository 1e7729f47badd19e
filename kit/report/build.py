"""`kit report`: write the report folder.

report/report.html   self-contained (opens with no network)
report/report.json   every number shown
report/charts/NAME.png, NAME.svg, NAME.vl.json   each chart (vl-convert, offline)
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from kit.fileio import atomic_write
from kit.predictions.registry import Predictions
from kit.report.data import ReportData, gather


@dataclass
class Written:
    html: Path
    charts: list[Path]
    data: ReportData


def _json_default(value):
    import numpy as np

    if isinstance(value, np.generic | np.ndarray):
        return value.tolist()
    return str(value)


def report_json(data: ReportData) -> str:
    payload = {k: v for k, v in data.__dict__.items() if k != "table"} | {
        "records": [r.as_dict() for r in data.table.records],
        "late": [r.as_dict() for r in data.table.late],
        "unresolved": data.table.unresolved,
        "not_scored": data.table.not_scored,
    }
    text = json.dumps(payload, indent=2, default=_json_default)
    return text.replace("Infinity", '"inf"')


def build_report(
    predictions: Predictions,
    out_dir: Path,
    *,
    outcomes_path: Path | None = None,
    include_late: bool = False,
    images: bool = True,
) -> Written:
    """Write the report of a project into `out_dir` (created if needed)."""
    import vl_convert

    from kit.report import charts as charts_mod
    from kit.report.page import render
    from kit.runs.resolutions import load_resolutions
    from kit.runs.store import iso, utcnow

    outcomes = None
    resolutions = {}
    if outcomes_path is not None:
        from kit.scoring.outcomes import load_outcomes

        outcomes = load_outcomes(Path(outcomes_path), predictions)
    else:
        resolutions = load_resolutions(predictions)
    data = gather(predictions, resolutions, outcomes, include_late=include_late)
    out_dir = Path(out_dir)
    (out_dir / "charts").mkdir(parents=True, exist_ok=True)
    specs = {name: chart.to_dict() for name, chart in charts_mod.all_charts(data).items()}
    written = []
    for name, spec in specs.items():
        base = out_dir / "charts" / name
        atomic_write(base.with_suffix(".vl.json"), json.dumps(spec, indent=1))
        written.append(base.with_suffix(".vl.json"))
        if images:
            atomic_write(base.with_suffix(".svg"), vl_convert.vegalite_to_svg(spec))
            atomic_write(base.with_suffix(".png"), vl_convert.vegalite_to_png(spec, scale=2))
            written += [base.with_suffix(".svg"), base.with_suffix(".png")]
    page = render(data, specs, predictions.project.root.resolve(), out_dir.resolve(), iso(utcnow()))
    html_path = out_dir / "report.html"
    atomic_write(html_path, page)
    atomic_write(out_dir / "report.json", report_json(data))
    return Written(html_path, written, data)
