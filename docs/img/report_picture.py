"""The README's picture of the report: its main charts side by side, as one PNG.

    python docs/img/report_picture.py STUDY docs/img/report.png

STUDY is a project after `kit report` (the README's is the five-minute tutorial's study).
The charts are the report's own vega-lite specs (`report/charts/*.vl.json`), put together
and rendered with vl-convert (no browser needed).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROWS = (("reliability", "leaderboard"), ("markets", "pit"))


def picture(study: Path, out: Path, scale: float = 1.0) -> None:
    import vl_convert

    charts = study / "report" / "charts"
    config = {}
    rows = []
    for names in ROWS:
        row = []
        for name in names:
            spec = json.loads((charts / f"{name}.vl.json").read_text(encoding="utf-8"))
            spec.pop("$schema", None)
            config = spec.pop("config", config)
            row.append(spec)
        rows.append({"hconcat": row})
    whole = {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "config": config,
        "title": {"text": "kit report: the tutorial's study", "fontSize": 16},
        "vconcat": rows,
        "background": "white",
    }
    png = vl_convert.vegalite_to_png(json.dumps(whole), scale=scale)
    out.write_bytes(png)
    try:  # a palette of 64 colours: a third of the size, the same picture to the eye
        from PIL import Image
    except ImportError:
        return
    with Image.open(out) as image:
        image.convert("RGB").quantize(64).save(out, optimize=True)


if __name__ == "__main__":
    picture(Path(sys.argv[1]), Path(sys.argv[2]))
