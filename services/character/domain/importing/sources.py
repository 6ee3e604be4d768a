"""An upload's files grouped into characters: a folder `characters/<id>/` (or any
folder of sheets) is one character, each `.json` or `.png` card another."""

from __future__ import annotations

import posixpath
from collections.abc import Sequence

from novel_platform.errors import InvalidArgument
from services.character.domain.importing.bounds import decoded, load_json, load_yaml
from services.character.domain.importing.cards import import_card
from services.character.domain.importing.draft import Draft, ImportResult
from services.character.domain.importing.older_sheets import apply_sheet
from services.character.domain.importing.older_stats import apply_stats

MAX_FILES = 200
MAX_CHARACTERS = 100
SHEETS = (".md", ".markdown", ".txt")
DATA = (".yaml", ".yml")
CARDS = (".json", ".png")


def import_files(files: Sequence[tuple[str, bytes]]) -> list[ImportResult]:
    """One result per character the files hold, in the order of their sources.

    Raises InvalidArgument naming the file when one cannot be read at all (not UTF-8,
    malformed YAML or JSON, too large or too deep, an unknown kind of file)."""
    if len(files) > MAX_FILES:
        raise InvalidArgument(f"files: at most {MAX_FILES} in one import")
    folders: dict[str, list[tuple[str, str]]] = {}
    cards: list[tuple[str, str]] = []
    for raw_path, content in files:
        path = _clean(raw_path)
        if path is None:
            continue
        name = posixpath.basename(path)
        lower = name.lower()
        if not lower.endswith(SHEETS + DATA + CARDS):
            raise InvalidArgument(
                f"{path}: not a character file (expected .md, .yaml, .json or .png)"
            )
        text = decoded(path, content)
        if lower.endswith(CARDS):
            cards.append((path, text))
        else:
            folders.setdefault(posixpath.dirname(path), []).append((path, text))
    if len(folders) + len(cards) > MAX_CHARACTERS:
        raise InvalidArgument(f"files: at most {MAX_CHARACTERS} characters in one import")
    if not folders and not cards:
        raise InvalidArgument("files: no character sheet, stats.yaml or card found")
    results = [_folder(folder, sorted(found)) for folder, found in sorted(folders.items())]
    for path, text in cards:
        card = load_json(path, text)
        if not isinstance(card, dict):
            raise InvalidArgument(f"{path}: a character card is a JSON object")
        results.append(import_card(path, card))
    return results


def _clean(path: str) -> str | None:
    """The path with `/` separators; None for the files archivers add (`__MACOSX/`,
    dot files). A path leaving its folder is refused."""
    parts = [p for p in path.replace("\\", "/").split("/") if p not in ("", ".")]
    path = "/".join(parts)
    if not path or ".." in parts or any(p.startswith(".") or p == "__MACOSX" for p in parts):
        if ".." in parts:
            raise InvalidArgument(f"{path}: a path may not climb out of its folder")
        return None
    return path


def _folder(folder: str, files: list[tuple[str, str]]) -> ImportResult:
    """A folder of sheets: Markdown in sorted order, then its YAML."""
    draft = Draft(folder or "(upload)", old_id=posixpath.basename(folder))
    for path, text in files:
        if path.lower().endswith(SHEETS):
            apply_sheet(draft, path, text)
    for path, text in files:
        if path.lower().endswith(DATA):
            apply_stats(draft, path, load_yaml(path, text))
    return draft.finish()
