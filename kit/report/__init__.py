"""Step 6 of the loop: the calibration report (offline HTML, PNG, SVG) and its views.

`gather` collects every number the report shows; `charts` turns them into altair charts
(also shown inside JupyterLab); `page` writes the self-contained HTML; `build` writes the
report folder.
"""
