"""Themed scenery: locations, hidden clues, items and hazards, chosen from the setting.

The theme is picked by keyword counts over the setting and scenario text, so the same
text always gives the same world; with no keyword match the frontier theme is used.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_WORD = re.compile(r"[a-z]+")


def _keywords(text: str) -> frozenset[str]:
    return frozenset(text.split())


@dataclass(frozen=True)
class ClueSeed:
    name: str
    tags: tuple[str, ...]  # words a goal or scenario may share with the clue


@dataclass(frozen=True)
class ItemSeed:
    name: str
    broken: bool = False
    holds_clue: bool = False  # repairing it reveals a clue
    at: int = -1  # index into the theme's locations; -1 = placed by the RNG


@dataclass(frozen=True)
class HazardSeed:
    kind: str  # "storm" | "tremor" | "cache" | "malfunction"
    text: str  # past tense; "{loc}" is replaced by the location
    cause: str  # what killed someone, for "killed by ..."


@dataclass(frozen=True)
class Theme:
    name: str
    keywords: frozenset[str]
    locations: tuple[str, ...]
    clues: tuple[ClueSeed, ...]
    items: tuple[ItemSeed, ...]
    caches: tuple[str, ...]  # items a "cache" hazard can drop
    hazards: tuple[HazardSeed, ...]


FRONTIER = Theme(
    name="frontier",
    keywords=_keywords(
        "space planet station signal colony star orbit ship alien reactor android robot "
        "galaxy mars moon distress derelict survey expedition relay outpost research "
        "lab laboratory frontier crew"
    ),
    locations=(
        "the landing site",
        "the ridge",
        "the old archive",
        "the reactor hall",
        "the comms tower",
    ),
    clues=(
        ClueSeed(
            "a looping distress beacon log",
            ("signal", "distress", "source", "beacon", "log", "message"),
        ),
        ClueSeed("scorched boot prints", ("tracks", "trail", "missing", "survivor", "crew")),
        ClueSeed("a torn crew manifest", ("crew", "manifest", "names", "missing", "team")),
        ClueSeed(
            "a sabotaged power coupling",
            ("sabotage", "sabotaged", "saboteur", "reactor", "power", "traitor", "relay"),
        ),
        ClueSeed(
            "coordinates scratched into a bulkhead",
            ("coordinates", "location", "source", "map", "route", "corridor"),
        ),
        ClueSeed(
            "an encrypted data core",
            ("data", "secret", "truth", "archive", "records", "research", "report"),
        ),
        ClueSeed(
            "a vial of glowing spores",
            ("sick", "sickness", "disease", "lifeforms", "spores", "bioluminescent"),
        ),
    ),
    items=(
        ItemSeed("the damaged relay mast", broken=True, holds_clue=True, at=4),
        ItemSeed("a stalled coolant pump", broken=True, at=3),
        ItemSeed("a dented medkit"),
        ItemSeed("a cracked signal scanner", broken=True),
    ),
    caches=("a field medkit", "a plasma rifle", "a survey scanner", "a sealed toolkit"),
    hazards=(
        HazardSeed("storm", "a dust storm howled across {loc}", "the dust storm"),
        HazardSeed("tremor", "a tremor split the ground at {loc}", "the tremor"),
        HazardSeed("cache", "a supply pod thudded down near {loc}", "a falling pod"),
        HazardSeed("malfunction", "a power surge rippled through {loc}", "the surge"),
    ),
)

FANTASY = Theme(
    name="fantasy",
    keywords=_keywords(
        "kingdom castle dragon magic wizard sword village forest king queen knight curse "
        "elf dwarf realm temple witch throne keep shrine sorcerer spell quest lord"
    ),
    locations=(
        "the village square",
        "the old keep",
        "the whispering woods",
        "the river ford",
        "the ruined shrine",
    ),
    clues=(
        ClueSeed(
            "a wax-sealed letter",
            ("letter", "secret", "betrayal", "traitor", "king", "queen", "truth"),
        ),
        ClueSeed(
            "claw marks on the standing stones",
            ("beast", "dragon", "monster", "creature", "tracks", "hunt"),
        ),
        ClueSeed("a map inked on vellum", ("map", "route", "treasure", "path", "location")),
        ClueSeed("a cracked royal signet", ("crown", "royal", "heir", "king", "queen", "throne")),
        ClueSeed(
            "runes of a binding curse", ("curse", "magic", "spell", "witch", "source", "cure")
        ),
        ClueSeed("a bloodied pilgrim's cloak", ("missing", "pilgrim", "murder", "victim")),
    ),
    items=(
        ItemSeed("the shattered ward-stone", broken=True, holds_clue=True, at=4),
        ItemSeed("a healer's satchel"),
        ItemSeed("a broken lantern", broken=True),
    ),
    caches=("a bundle of healing herbs", "a notched sword", "a brass spyglass"),
    hazards=(
        HazardSeed("storm", "a cold storm lashed {loc}", "the storm"),
        HazardSeed("tremor", "the earth groaned and split beneath {loc}", "the falling stones"),
        HazardSeed("cache", "an abandoned peddler's cart turned up at {loc}", "the cart"),
        HazardSeed("malfunction", "a creeping frost cracked metal and glass at {loc}", "the frost"),
    ),
)

NOIR = Theme(
    name="noir",
    keywords=_keywords(
        "city detective murder crime police gang street noir mob heist corruption case "
        "bank mayor docks killer cop jazz club alley smuggling"
    ),
    locations=(
        "the rain-slick docks",
        "the precinct house",
        "the Blue Lantern club",
        "the old warehouse",
        "the city archive",
    ),
    clues=(
        ClueSeed("a blood-stained matchbook", ("murder", "killer", "victim", "club")),
        ClueSeed(
            "a ledger of bribes",
            ("corruption", "bribes", "money", "mayor", "police", "truth"),
        ),
        ClueSeed("a torn photograph", ("identity", "witness", "missing", "secret")),
        ClueSeed("a spent shell casing", ("gun", "shooting", "murder", "evidence", "killer")),
        ClueSeed("a pawn ticket", ("stolen", "heist", "jewels", "money", "loot")),
        ClueSeed("a coded telegram", ("message", "code", "secret", "signal", "plan")),
    ),
    items=(
        ItemSeed("the smashed camera", broken=True, holds_clue=True),
        ItemSeed("a first-aid tin"),
        ItemSeed("a jammed revolver", broken=True),
    ),
    caches=("a snub-nosed revolver", "a set of lockpicks", "a pocket flashlight"),
    hazards=(
        HazardSeed("storm", "a freezing downpour flooded {loc}", "the flood"),
        HazardSeed("tremor", "a burst water main tore up the floor of {loc}", "the collapse"),
        HazardSeed("cache", "a courier left an unmarked package at {loc}", "the package"),
        HazardSeed("malfunction", "the lights blew out across {loc}", "the sparks"),
    ),
)

SEA = Theme(
    name="sea",
    keywords=_keywords(
        "sea ocean island pirate ship harbor harbour reef sail captain treasure shipwreck "
        "wreck lighthouse tide navy port voyage sailor"
    ),
    locations=(
        "the wreck-strewn beach",
        "the lighthouse",
        "the smugglers' cove",
        "the jungle ruins",
        "the captain's cabin",
    ),
    clues=(
        ClueSeed("a waterlogged logbook", ("log", "captain", "ship", "wreck", "truth")),
        ClueSeed("a half-buried treasure map", ("treasure", "map", "gold", "route")),
        ClueSeed("a mutineer's oath", ("mutiny", "traitor", "betrayal", "crew")),
        ClueSeed("a compass that points wrong", ("curse", "magic", "source", "direction")),
        ClueSeed("a message in a bottle", ("message", "signal", "rescue", "home")),
        ClueSeed("fresh footprints above the tideline", ("tracks", "survivor", "missing")),
    ),
    items=(
        ItemSeed("the shattered lighthouse lens", broken=True, holds_clue=True, at=1),
        ItemSeed("a sailor's medicine chest"),
        ItemSeed("a rusted cutlass"),
    ),
    caches=("a boarding axe", "a brass spyglass", "a roll of sailcloth bandages"),
    hazards=(
        HazardSeed("storm", "a squall battered {loc}", "the squall"),
        HazardSeed("tremor", "the tide dragged back and bared the sand at {loc}", "the undertow"),
        HazardSeed("cache", "the surf washed a sea chest up at {loc}", "the sea chest"),
        HazardSeed("malfunction", "salt spray seized metal at {loc}", "the rust"),
    ),
)

THEMES: tuple[Theme, ...] = (FRONTIER, FANTASY, NOIR, SEA)


def words(text: str) -> tuple[str, ...]:
    """Lowercase words; a word ending in "s" is also offered without it ("-es" too)."""
    out: list[str] = []
    for word in _WORD.findall(text.lower()):
        out.append(word)
        if len(word) > 3 and word.endswith("s"):
            out.append(word[:-1])
            if word.endswith("es"):
                out.append(word[:-2])
    return tuple(out)


def pick_theme(setting: str, scenario: str) -> Theme:
    text = words(f"{setting} {scenario}")
    best, best_hits = FRONTIER, 0
    for theme in THEMES:  # ties keep the earlier theme
        hits = sum(1 for w in text if w in theme.keywords)
        if hits > best_hits:
            best, best_hits = theme, hits
    return best


def theme_named(name: str) -> Theme:
    for theme in THEMES:
        if theme.name == name:
            return theme
    raise ValueError(f"unknown theme {name!r}")
