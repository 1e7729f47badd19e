"""Reading notebook files: the runner's names for `kit.notebooks` (the one reader)."""

from kit.notebooks import cells, kit_metadata, read_executed, read_json, read_text

__all__ = ["cells", "kit_metadata", "read_executed", "read_json", "read_text"]
