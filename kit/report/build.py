"""`kit report`: write the report folder.

report/report.html   self-contained (opens with no network)
report/report.json   every number shown
report/charts/NAME.png, NAME.svg, NAME.vl.json   each chart (vl-convert, offline)
report/tables/NAME.csv   each table of the page, for spreadsheets (`TABLES`)
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
    }
    return jsonout.dumps(payload)


#: The CSV files written beside the page: file name -> ReportData field.
TABLES = {
    "leaderboard": "leaderboard",
    "by_tag": "by_tag",
    "by_set": "by_set",
    "by_month": "by_month",
    "pairwise": "pairwise",
    "relative_skill": "relative_skill",
    "calibration_tests": "calibration_tests",
    "reliability": "reliability",
    "decomposition": "decomposition",
    "consistency": "consistency",
    "discrimination": "discrimination",
    "discrimination_summary": "discrimination_summary",
    "surprise": "surprise",
    "coverage": "coverage",
    "pit": "pit",
    "questions": "questions",
}


def write_tables(data: ReportData, folder: Path) -> list[Path]:
    """Every table of the report as `folder/NAME.csv`, and the scored and late forecasts
    (one column per score)."""
    from kit import csvout

    folder.mkdir(parents=True, exist_ok=True)
    written = []

    def write(name: str, rows: list[dict], first: list[str]) -> None:
        path = folder / f"{name}.csv"
        atomic_write(path, csvout.dumps(rows, csvout.columns_of(rows, first)))
        written.append(path)

    for name, attribute in TABLES.items():
        rows = getattr(data, attribute)
        first = ["forecaster"] if name == "leaderboard" else []
        if name in ("by_tag", "by_set", "by_month"):
            first = [name.removeprefix("by_")]
        write(name, rows, first)
    for name, records in (("records", data.table.records), ("late", data.table.late)):
        rows = [{k: v for k, v in r.as_dict().items() if k != "scores"} | r.scores for r in records]
        write(name, rows, ["question", "set", "type", "by", "at", "tags", "outcome"])
    return written


def build_report(
    ws: Workspace,
    out_dir: Path,
    *,
    include_late: bool = False,
    images: bool = True,
) -> Written:
    """Write the report of a workspace into `out_dir` (created if needed)."""
    import vl_convert

    from kit.predictions.timefmt import iso, now
    from kit.report import charts as charts_mod
    from kit.report.page import render

    data = gather(ws, include_late=include_late)
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
    write_tables(data, out_dir / "tables")
    return Written(html_path, written, data)
