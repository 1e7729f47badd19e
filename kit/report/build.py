"""`kit report`: write the report folder.

report/report.html   self-contained (opens with no network)
report/report.json   every number shown
report/charts/NAME.png, NAME.svg, NAME.vl.json   each chart (vl-convert, offline)
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from kit import jsonout
from kit.fileio import atomic_write
from kit.report.data import ReportData, gather
from kit.workspace import Workspace


@dataclass
class Written:
    html: Path
    charts: list[Path]
    data: ReportData


def report_json(data: ReportData) -> str:
    payload = {k: v for k, v in data.__dict__.items() if k != "table"} | {
        "records": [r.as_dict() for r in data.table.records],
        "late": [r.as_dict() for r in data.table.late],
        "unresolved": data.table.unresolved,
        "not_scored": data.table.not_scored,
        "unrevealed": data.table.unrevealed,
        "excluded": data.table.excluded,
    }
    return jsonout.dumps(payload)


def build_report(
    ws: Workspace,
    out_dir: Path,
    *,
    include_late: bool = False,
    images: bool = True,
    exclude_deviations: bool = False,
) -> Written:
    """Write the report of a workspace into `out_dir` (created if needed)."""
    import vl_convert

    from kit.predictions.timefmt import iso, now
    from kit.report import charts as charts_mod
    from kit.report.page import render

    data = gather(ws, include_late=include_late, exclude_deviations=exclude_deviations)
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
    page = render(data, specs, ws.project.root.resolve(), out_dir.resolve(), iso(now()))
    html_path = out_dir / "report.html"
    atomic_write(html_path, page)
    atomic_write(out_dir / "report.json", report_json(data))
    return Written(html_path, written, data)
