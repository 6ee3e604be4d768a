"""The director's interventions from command-line options and files (pure: no I/O here).

On the command line one intervention is `KIND[@TURN] [WHO][: TEXT]`:

    event@8: The relay mast collapses         (something happens; everyone there sees it)
    event@8 the ridge: A rockslide            (... at one place: WHO is the location)
    whisper pilot: Marcus sold the codes      (only that character learns it)
    goal@9 scientist: get off this moon       (its goals become this one)
    enter@10 zara                             (comes back, or joins the run)
    leave@12 marcus

Without `@TURN` it applies at the first turn it can (after the fork turn for a fork, the
next turn boundary for a running run). The API checks the rest (who is in the run, the
turn's range, text lengths) and names what is wrong.
"""

from __future__ import annotations

from typing import Any

from novel_cli.exits import BAD_INPUT, CliError

KINDS = ("event", "whisper", "goal", "enter", "leave")
# What WHO names for each kind, and whether the kind carries text.
WHO = {
    "event": "location",
    "whisper": "character_id",
    "goal": "character_id",
    "enter": "character_id",
    "leave": "character_id",
}
WITH_TEXT = ("event", "whisper", "goal")
FIELDS = ("kind", "turn", "character_id", "text", "location")


def build(
    kind: str,
    *,
    turn: int | None = None,
    character_id: str = "",
    text: str = "",
    location: str = "",
    source: str = "",
) -> dict[str, Any]:
    """One intervention body; what a kind needs and what it cannot take are checked here,
    so a missing character or text is named before anything is sent."""
    where = f"{source}: " if source else ""
    if kind not in KINDS:
        raise CliError(f"{where}unknown kind {kind!r} (one of {', '.join(KINDS)})", BAD_INPUT)
    if WHO[kind] == "character_id" and not character_id:
        raise CliError(f"{where}{kind} needs a character", BAD_INPUT)
    if kind in WITH_TEXT and not text.strip():
        raise CliError(f"{where}{kind} needs a text", BAD_INPUT)
    if kind not in WITH_TEXT and text:
        raise CliError(f"{where}{kind} takes no text", BAD_INPUT)
    if kind != "event" and location:
        raise CliError(f"{where}only an event takes a location", BAD_INPUT)
    if kind == "event" and character_id:
        raise CliError(f"{where}an event names no character (a whisper does)", BAD_INPUT)
    body: dict[str, Any] = {"kind": kind}
    if turn is not None:
        body["turn"] = turn
    given = {"character_id": character_id, "text": text, "location": location}
    body.update({k: v for k, v in given.items() if v})
    return body


def parse(spec: str) -> dict[str, Any]:
    """`KIND[@TURN] [WHO][: TEXT]` (see the module's doc) -> an intervention body."""
    head, colon, text = spec.partition(":")
    words = head.split(None, 1)
    if not words:
        raise CliError(f"--intervention {spec!r}: expected KIND[@TURN] [WHO][: TEXT]", BAD_INPUT)
    kind, at, turn_text = words[0].partition("@")
    turn: int | None = None
    if at:
        try:
            turn = int(turn_text)
        except ValueError:
            raise CliError(
                f"--intervention {spec!r}: {turn_text!r} is not a turn number", BAD_INPUT
            ) from None
    kind = kind.lower()
    who = words[1].strip() if len(words) > 1 else ""
    at_place = WHO.get(kind) == "location"
    return build(
        kind,
        turn=turn,
        character_id="" if at_place else who,
        location=who if at_place else "",
        text=text.strip() if colon else "",
        source=f"--intervention {spec!r}",
    )


def from_file(data: Any, source: str) -> list[dict[str, Any]]:
    """A file's interventions: a JSON list of the API's objects (or `{"interventions":
    [...]}`, as a bundle or a simulation holds them); empty fields are dropped."""
    if isinstance(data, dict) and "interventions" in data:
        data = data["interventions"]
    if not isinstance(data, list):
        raise CliError(f"{source}: expected a JSON list of interventions", BAD_INPUT)
    found = []
    for n, item in enumerate(data):
        if not isinstance(item, dict):
            raise CliError(f"{source}[{n}]: an intervention is a JSON object", BAD_INPUT)
        unknown = sorted(set(item) - set(FIELDS) - {"sheet"})
        if unknown:
            raise CliError(f"{source}[{n}]: unknown field {unknown[0]!r}", BAD_INPUT)
        turn = item.get("turn")
        if turn is not None and (not isinstance(turn, int) or isinstance(turn, bool)):
            raise CliError(f"{source}[{n}]: turn must be a whole number", BAD_INPUT)
        who, text, location = (item.get(k) or "" for k in ("character_id", "text", "location"))
        if not all(isinstance(v, str) for v in (who, text, location)):
            raise CliError(f"{source}[{n}]: character_id, text, location are strings", BAD_INPUT)
        found.append(
            build(
                str(item.get("kind", "")),
                turn=turn,
                character_id=who,
                text=text,
                location=location,
                source=f"{source}[{n}]",
            )
        )
    return found
