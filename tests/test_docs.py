"""The README's record tables are the ones generated from the models."""

from __future__ import annotations

from pathlib import Path

from kit.docs import RECORDS, tables

README = Path(__file__).resolve().parents[1] / "README.md"


def test_every_record_table_in_the_readme_matches_its_model():
    text = README.read_text(encoding="utf-8")
    generated = tables()
    assert len(generated) == len(RECORDS)
    for heading, table in generated.items():
        assert f"### {heading}\n\n{table}\n" in text, (
            f"README.md's table for {heading} is out of date: paste `python -m kit.docs`"
        )


def test_the_preregistration_record_tables_match_their_models():
    from kit.docs import PREREGISTRATION

    text = (README.parent / "docs" / "preregistration.md").read_text(encoding="utf-8")
    generated = tables(PREREGISTRATION)
    assert len(generated) == len(PREREGISTRATION)
    for heading, table in generated.items():
        assert f"### {heading}\n\n{table}\n" in text, (
            f"docs/preregistration.md's table for {heading} is out of date: paste "
            "`python -m kit.docs`"
        )
