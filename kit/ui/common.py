"""Small helpers shared by the widgets."""

from __future__ import annotations

import html

from kit.project import Project


def project_of(project) -> Project:
    if isinstance(project, Project):
        return project
    return Project.find(project)


def message(text: str, kind: str = "info") -> str:
    """HTML for a status line next to an input."""
    color = {"error": "#b00020", "warning": "#8a6d00", "ok": "#1b7f3a"}.get(kind, "#444")
    body = html.escape(text).replace("\n", "<br>")
    return f"<span style='color:{color}; font-size: 0.9em'>{body}</span>"
