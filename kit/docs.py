"""The README's record tables, generated from the pydantic models that read and write them.

`python -m kit.docs` prints them; a test checks that README.md holds exactly these
tables, so the documentation of `_seals.jsonl`, `_resolutions.yaml` and `run.json` cannot
drift from the code.
"""

from __future__ import annotations

import importlib
import types
import typing

#: (heading, "module:Model") for each documented record.
RECORDS = (
    ("`predictions/_seals.jsonl`: one line per seal", "kit.predictions.ledger:Seal"),
    (
        "`predictions/_resolutions.yaml`: one entry per question",
        "kit.predictions.resolutions:Resolution",
    ),
    ("`runs/<experiment>/<run-id>/run.json`", "kit.runs.store:RunRecord"),
)
#: Records documented in docs/preregistration.md, checked the same way.
PREREGISTRATION = (
    ("`_seals.jsonl` lines of kind `plan` and `amend`", "kit.predictions.ledger:PlanSeal"),
    (
        "`.kit/private/<forecaster>.jsonl`: one line per blind forecast",
        "kit.predictions.blind:Secret",
    ),
)


def _type_name(annotation: object) -> str:
    if isinstance(annotation, type):
        return {"AwareDatetime": "time with zone", "datetime": "time"}.get(
            annotation.__name__, annotation.__name__
        )
    origin = typing.get_origin(annotation)
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    optional = len(args) < len(typing.get_args(annotation))
    if origin in (typing.Union, types.UnionType):
        text = " or ".join(_type_name(a) for a in args)
    elif origin is typing.Annotated:
        text = _type_name(args[0])
    elif origin is typing.Literal:
        text = "one of " + ", ".join(f"`{a}`" for a in typing.get_args(annotation))
    elif origin is not None:
        text = getattr(origin, "__name__", str(origin))
    else:
        text = str(annotation).replace("typing.", "")
    return f"{text} or null" if optional else text


def table(model: type) -> str:
    """A markdown table of a model's fields: name, type, meaning."""
    lines = ["| field | type | meaning |", "|---|---|---|"]
    for name, info in model.model_fields.items():
        lines.append(f"| `{name}` | {_type_name(info.annotation)} | {info.description or ''} |")
    return "\n".join(lines)


def tables(records: tuple[tuple[str, str], ...] = RECORDS) -> dict[str, str]:
    """Heading -> table, for every documented record whose model exists."""
    out = {}
    for heading, where in records:
        module, _, name = where.partition(":")
        model = getattr(importlib.import_module(module), name, None)
        if model is not None:
            out[heading] = table(model)
    return out


if __name__ == "__main__":
    for heading, text in tables().items():
        print(f"{heading}\n\n{text}\n")
    print("# docs/preregistration.md\n")
    for heading, text in tables(PREREGISTRATION).items():
        print(f"{heading}\n\n{text}\n")
