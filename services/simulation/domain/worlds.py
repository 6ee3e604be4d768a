"""The built-in worlds, as data. Each differs in kind: its places and paths, what lies
about, what is hidden, what goes wrong, who else has a stake, and what must be done."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .scenery import ClueSeed, HazardSeed, ItemSeed, PlaceSeed, Stakes, World, keywords
from .variants import varied
from .world_spec import world_from_spec

if TYPE_CHECKING:
    from .world import WorldState

ICE_MOON = World(
    name="ice-moon",
    kind="a frozen frontier moon",
    default_name="Veyra",
    keywords=keywords(
        "space planet moon ice frozen signal colony star orbit alien android robot galaxy "
        "mars distress survey expedition relay outpost frontier crew storm glacier snow"
    ),
    places=(
        PlaceSeed(
            "the landing site on {name}",
            (
                "frost feathered the landing struts",
                "the hull ticked as it cooled",
                "snow hissed against the cargo ramp",
            ),
        ),
        PlaceSeed(
            "the ice ridge",
            (
                "wind screamed through the ice teeth",
                "the ridge glowed a faint blue underfoot",
                "far below, something pulsed under the ice",
            ),
        ),
        PlaceSeed(
            "the old archive",
            (
                "dust lay thick on the drive racks",
                "a cracked screen flickered with old names",
                "the air smelled of cold solder",
            ),
        ),
        PlaceSeed(
            "the reactor hall",
            (
                "the reactor hummed off-key",
                "steam curled from the coolant lines",
                "warning lights swept the walls in slow red arcs",
            ),
        ),
        PlaceSeed(
            "the comms tower",
            (
                "the mast groaned in the gusts",
                "static whispered from a dead headset",
                "ice hung from the antennae like glass fringe",
            ),
        ),
        PlaceSeed(
            "the caverns under the ice",
            (
                "blue light throbbed in the walls",
                "meltwater dripped in the dark",
                "the pulse of the signal could be felt in the teeth",
            ),
        ),
    ),
    links=((0, 1), (0, 2), (0, 3), (3, 4), (1, 4), (1, 5), (2, 5)),
    clues=(
        ClueSeed("a looping distress beacon log", ("signal", "distress", "source", "beacon")),
        ClueSeed("scorched boot prints", ("tracks", "trail", "missing", "survivor", "crew")),
        ClueSeed("a torn crew manifest", ("crew", "manifest", "names", "missing", "team")),
        ClueSeed("a sabotaged power coupling", ("sabotage", "saboteur", "reactor", "relay")),
        ClueSeed("coordinates scratched into a bulkhead", ("coordinates", "route", "corridor")),
        ClueSeed("an encrypted data core", ("data", "secret", "archive", "records", "report")),
        ClueSeed("a vial of glowing spores", ("sick", "sickness", "lifeforms", "bioluminescent")),
    ),
    items=(
        ItemSeed("the relay mast", broken=True, holds_clue=True, at=4, fixed=True),
        ItemSeed("the coolant pump", broken=True, at=3, fixed=True),
        ItemSeed("a medkit"),
        ItemSeed("a signal scanner", broken=True),
    ),
    caches=("a field medkit", "a plasma rifle", "a survey scanner", "a sealed toolkit"),
    hazards=(
        HazardSeed("storm", "an ice storm howled across {loc}", "the ice storm"),
        HazardSeed("tremor", "the ice split with a gunshot crack at {loc}", "the falling ice"),
        HazardSeed("cache", "a supply pod thudded down near {loc}", "a falling pod"),
        HazardSeed("malfunction", "a power surge rippled through {loc}", "the surge"),
    ),
    factions=("the Meridian Company",),
    stakes=Stakes(
        objective="reach the source of the signal under the ice",
        place=5,
        obstacle="the ice shelf is breaking up",
        consequence="the signal fell silent, and whoever sent it with it",
        achieved="the source of the signal was found alive under the ice",
    ),
)

DERELICT = World(
    name="derelict",
    kind="a derelict ship adrift",
    default_name="the Perihelion",
    keywords=keywords(
        "ship derelict generation vessel hull deck reactor cryo station airlock spaceship "
        "adrift drifting bulkhead corridor ark hulk trench pressure research lab laboratory"
    ),
    places=(
        PlaceSeed(
            "the cargo bay of {name}",
            (
                "crates drifted loose against their nets",
                "the deck plates rang underfoot",
                "frost had crept across the loading doors",
            ),
        ),
        PlaceSeed(
            "the hydroponics deck",
            (
                "dead vines hung from the racks",
                "the grow-lights buzzed a sickly violet",
                "it smelled of rot and wet soil",
            ),
        ),
        PlaceSeed(
            "the bridge",
            (
                "the captain's chair faced a cracked viewport",
                "stars wheeled slowly past the glass",
                "a hundred dead screens stared back",
            ),
        ),
        PlaceSeed(
            "the engine room",
            (
                "the reactor core pulsed like a sick heart",
                "heat shimmered over the catwalks",
                "alarms muttered on a loop nobody had silenced",
            ),
        ),
        PlaceSeed(
            "the cryo vault",
            (
                "rows of frosted pods lined the walls",
                "one pod stood open and empty",
                "breath smoked in the cold",
            ),
        ),
        PlaceSeed(
            "the maintenance spine",
            (
                "the crawlway pressed close on every side",
                "pipes knocked somewhere ahead",
                "handholds were worn smooth by years of hands",
            ),
        ),
    ),
    links=((0, 1), (0, 5), (1, 2), (2, 5), (5, 3), (3, 4), (4, 1)),
    clues=(
        ClueSeed("the captain's last log", ("captain", "log", "truth", "lying", "secret")),
        ClueSeed("a scrubbed crew roster", ("crew", "names", "missing", "lying", "roster")),
        ClueSeed("a bypass wired into the reactor", ("reactor", "sabotage", "failing", "power")),
        ClueSeed("a navigation chart with a course change", ("course", "route", "map", "home")),
        ClueSeed("a cryo pod opened from inside", ("missing", "survivor", "cryo", "someone")),
        ClueSeed("a sealed medical report", ("sick", "sickness", "report", "research")),
    ),
    items=(
        ItemSeed("the reactor governor", broken=True, holds_clue=True, at=3, fixed=True),
        ItemSeed("the bridge console", broken=True, at=2, fixed=True),
        ItemSeed("a trauma kit"),
        ItemSeed("a plasma cutter"),
    ),
    caches=("a sealed toolkit", "an emergency medkit", "a flare gun", "a handheld scanner"),
    hazards=(
        HazardSeed("storm", "a hull breach screamed open at {loc}", "the decompression"),
        HazardSeed("tremor", "the ship lurched and a bulkhead buckled at {loc}", "the bulkhead"),
        HazardSeed("cache", "a sealed locker sprang open at {loc}", "the locker"),
        HazardSeed("malfunction", "the lights died and sparks rained across {loc}", "the sparks"),
    ),
    factions=("the ship's last loyalists",),
    stakes=Stakes(
        objective="stabilise the failing reactor",
        place=3,
        obstacle="the ship's failsafes are sealing deck after deck",
        consequence="the reactor breached, and the ship went dark for good",
        achieved="the reactor was stabilised and the ship breathed again",
    ),
)

KINGDOM = World(
    name="kingdom",
    kind="a walled kingdom under a curse",
    default_name="Aldermere",
    keywords=keywords(
        "kingdom castle dragon magic wizard sword village forest king queen knight curse "
        "elf dwarf realm temple witch throne keep shrine sorcerer spell quest lord heir "
        "coronation monastery relic vigil monk abbey walled"
    ),
    places=(
        PlaceSeed(
            "the market square of {name}",
            (
                "stalls stood shuttered against the cold",
                "a bell tolled somewhere above",
                "pigeons scattered from the well-head",
            ),
        ),
        PlaceSeed(
            "the old keep",
            (
                "torches guttered in iron brackets",
                "banners hung limp in the great hall",
                "the stairs were worn to hollows by old feet",
            ),
        ),
        PlaceSeed(
            "the whispering woods",
            (
                "the pines muttered in a wind that was not there",
                "moss swallowed every footstep",
                "a crow watched from a split oak",
            ),
        ),
        PlaceSeed(
            "the river ford",
            (
                "the water ran black and fast",
                "stepping stones gleamed with weed",
                "mist lay on the river like wool",
            ),
        ),
        PlaceSeed(
            "the ruined shrine",
            (
                "ivy choked the broken altar",
                "candle stubs stood in a ring on the floor",
                "the carved saints had no faces left",
            ),
        ),
        PlaceSeed(
            "the crypt beneath the keep",
            (
                "the air tasted of old stone",
                "names were cut into every slab",
                "water dripped somewhere in the dark",
            ),
        ),
    ),
    links=((0, 1), (0, 3), (1, 5), (1, 2), (2, 4), (3, 4), (3, 2)),
    clues=(
        ClueSeed("a wax-sealed letter", ("letter", "secret", "betrayal", "traitor", "king")),
        ClueSeed("claw marks on the standing stones", ("beast", "dragon", "monster", "hunt")),
        ClueSeed("a map inked on vellum", ("map", "route", "treasure", "path", "location")),
        ClueSeed("a broken royal signet", ("crown", "royal", "heir", "throne", "coronation")),
        ClueSeed("runes of a binding curse", ("curse", "magic", "spell", "witch", "cure")),
        ClueSeed("a bloodied pilgrim's cloak", ("missing", "pilgrim", "murder", "vanished")),
        ClueSeed("a reliquary's empty velvet", ("relic", "stolen", "vigil", "theft")),
    ),
    items=(
        ItemSeed("the ward-stone", broken=True, holds_clue=True, at=4, fixed=True),
        ItemSeed("the portcullis winch", broken=True, at=1, fixed=True),
        ItemSeed("a healer's satchel"),
        ItemSeed("a lantern", broken=True),
    ),
    caches=("a bundle of healing herbs", "a notched sword", "a brass spyglass"),
    hazards=(
        HazardSeed("storm", "a cold storm lashed {loc}", "the storm"),
        HazardSeed("tremor", "the earth groaned and split beneath {loc}", "the falling stones"),
        HazardSeed("cache", "an abandoned peddler's cart turned up at {loc}", "the cart"),
        HazardSeed("malfunction", "a creeping frost cracked metal and glass at {loc}", "the frost"),
    ),
    factions=("the Crown's wardens",),
    stakes=Stakes(
        objective="break the curse at its root",
        place=5,
        obstacle="the curse tightens with every nightfall",
        consequence="the curse closed over the realm like winter",
        achieved="the curse broke, and the realm woke",
    ),
)

CITY = World(
    name="city",
    kind="a rain-soaked crime city",
    default_name="Port Calder",
    keywords=keywords(
        "city detective murder crime police gang street noir mob heist corruption case "
        "bank mayor docks killer cop jazz club alley smuggling councilman dead body rain "
        "precinct town"
    ),
    places=(
        PlaceSeed(
            "the docks of {name}",
            (
                "rain drummed on the tin roofs",
                "a foghorn moaned out in the harbour",
                "oil slicks shone under the lamps",
            ),
        ),
        PlaceSeed(
            "the precinct house",
            (
                "typewriters clattered behind frosted glass",
                "a fan turned the smoke in slow loops",
                "the coffee had been stewing since noon",
            ),
        ),
        PlaceSeed(
            "the Blue Lantern club",
            (
                "a trumpet wept on the bandstand",
                "smoke hung low over the tables",
                "the bartender polished the same glass twice",
            ),
        ),
        PlaceSeed(
            "the old warehouse",
            (
                "pigeons shifted in the rafters",
                "crates stood stencilled with a dead company's name",
                "rainwater pooled under a broken skylight",
            ),
        ),
        PlaceSeed(
            "the city archive",
            (
                "filing cabinets stood like tombstones",
                "a clerk's lamp burned in the back",
                "the paper smelled of damp and secrets",
            ),
        ),
        PlaceSeed(
            "the mayor's office",
            (
                "a portrait of the mayor smiled at nobody",
                "the carpet swallowed every footstep",
                "rain streaked the tall windows",
            ),
        ),
    ),
    links=((0, 3), (0, 2), (2, 1), (1, 4), (4, 5), (5, 2), (3, 1)),
    clues=(
        ClueSeed("a blood-stained matchbook", ("murder", "killer", "victim", "club", "dead")),
        ClueSeed("a ledger of bribes", ("corruption", "bribes", "money", "mayor", "police")),
        ClueSeed("a torn photograph", ("identity", "witness", "missing", "secret")),
        ClueSeed("a spent shell casing", ("gun", "shooting", "murder", "evidence", "killer")),
        ClueSeed("a pawn ticket", ("stolen", "heist", "jewels", "money", "loot")),
        ClueSeed("a coded telegram", ("message", "code", "secret", "signal", "plan")),
    ),
    items=(
        ItemSeed("a camera", broken=True, holds_clue=True),
        ItemSeed("the evidence safe", broken=True, at=1, fixed=True),
        ItemSeed("a first-aid tin"),
        ItemSeed("a revolver", broken=True),
    ),
    caches=("a snub-nosed revolver", "a set of lockpicks", "a pocket flashlight"),
    hazards=(
        HazardSeed("storm", "a freezing downpour flooded {loc}", "the flood"),
        HazardSeed("tremor", "a burst water main tore up the floor of {loc}", "the collapse"),
        HazardSeed("cache", "a courier left an unmarked package at {loc}", "the package"),
        HazardSeed("malfunction", "the lights blew out across {loc}", "the sparks"),
    ),
    factions=("the Harbour syndicate",),
    stakes=Stakes(
        objective="lay the proof of the killing before the city",
        place=5,
        obstacle="someone is burning the evidence one page at a time",
        consequence="the killer walked free and the city shrugged",
        achieved="the proof was laid bare and the killer's name was spoken aloud",
    ),
)

ARCHIPELAGO = World(
    name="archipelago",
    kind="a storm-wracked archipelago",
    default_name="the Saltglass Isles",
    keywords=keywords(
        "sea ocean island archipelago pirate harbor harbour reef sail captain treasure "
        "shipwreck wreck lighthouse tide navy port voyage sailor isle isles coast beach"
    ),
    places=(
        PlaceSeed(
            "the beach of {name}",
            (
                "surf boomed on the reef",
                "gulls wheeled over the wrack line",
                "the sand was littered with broken spars",
            ),
        ),
        PlaceSeed(
            "the lighthouse",
            (
                "the great lamp stood dark",
                "the spiral stair sang in the wind",
                "salt crusted the windows white",
            ),
        ),
        PlaceSeed(
            "the smugglers' cove",
            (
                "a rowboat knocked against the rocks",
                "tar and rum hung in the air",
                "the cave mouth breathed cold",
            ),
        ),
        PlaceSeed(
            "the jungle ruins",
            (
                "vines had pulled the temple steps apart",
                "insects droned in the green heat",
                "a stone face grinned through the leaves",
            ),
        ),
        PlaceSeed(
            "the wreck on the sandbar",
            (
                "the hull lay broken-backed on the bar",
                "each wave washed through the gun deck",
                "the tide was already creeping back",
            ),
        ),
        PlaceSeed(
            "the captain's cabin",
            (
                "charts lay pinned under a brass lamp",
                "the floor tilted with the swell",
                "a parrot's empty cage swung on its hook",
            ),
        ),
    ),
    links=((0, 1), (0, 2), (0, 3), (2, 4), (4, 5), (1, 4), (3, 2)),
    clues=(
        ClueSeed("a waterlogged logbook", ("log", "captain", "ship", "wreck", "truth")),
        ClueSeed("a half-buried treasure map", ("treasure", "map", "gold", "route")),
        ClueSeed("a mutineer's oath", ("mutiny", "traitor", "betrayal", "crew")),
        ClueSeed("a compass that points wrong", ("curse", "magic", "source", "direction")),
        ClueSeed("a message in a bottle", ("message", "signal", "rescue", "home")),
        ClueSeed("fresh footprints above the tideline", ("tracks", "survivor", "missing")),
    ),
    items=(
        ItemSeed("the lighthouse lens", broken=True, holds_clue=True, at=1, fixed=True),
        ItemSeed("the wreck's capstan", broken=True, at=4, fixed=True),
        ItemSeed("a sailor's medicine chest"),
        ItemSeed("a cutlass"),
    ),
    caches=("a boarding axe", "a brass spyglass", "a roll of sailcloth bandages"),
    hazards=(
        HazardSeed("storm", "a squall battered {loc}", "the squall"),
        HazardSeed("tremor", "the tide dragged back and bared the sand at {loc}", "the undertow"),
        HazardSeed("cache", "the surf washed a sea chest up at {loc}", "the sea chest"),
        HazardSeed("malfunction", "salt spray seized metal at {loc}", "the rust"),
    ),
    factions=("the Navy's prize crew",),
    stakes=Stakes(
        objective="raise the treasure from the wreck before the tide buries it",
        place=4,
        obstacle="the tide is coming in over the sandbar",
        consequence="the tide took the wreck and everything in it",
        achieved="the treasure came up out of the wreck with the tide at their heels",
    ),
)

DESERT = World(
    name="desert",
    kind="a caravan town at the edge of the dunes",
    default_name="Qasr Amal",
    keywords=keywords(
        "desert dune dunes sand sandstorm caravan oasis well camel bazaar market nomad "
        "wasteland canyon mine mines miners gallery collapse drought water poisoned hills"
    ),
    places=(
        PlaceSeed(
            "the caravanserai of {name}",
            (
                "camels groaned in the courtyard",
                "the fountain had run dry",
                "spice smoke drifted under the arches",
            ),
        ),
        PlaceSeed(
            "the poisoned well",
            (
                "the water stank of bitter almonds",
                "a dead dove lay on the well-stone",
                "the rope was frayed almost through",
            ),
        ),
        PlaceSeed(
            "the salt market",
            (
                "white blocks of salt glittered in the stalls",
                "traders haggled in three tongues",
                "awnings snapped in the hot wind",
            ),
        ),
        PlaceSeed(
            "the dune sea",
            (
                "the dunes ran to the edge of the sky",
                "sand hissed off every crest",
                "the horizon shivered in the heat",
            ),
        ),
        PlaceSeed(
            "the ruined watchtower",
            (
                "the tower leaned like a tired man",
                "lizards sunned on the broken battlements",
                "old arrow slits framed the distant storm",
            ),
        ),
        PlaceSeed(
            "the old mine galleries",
            (
                "timbers creaked under the weight of the hill",
                "lamp soot blackened the ceiling",
                "the air was close and tasted of dust",
            ),
        ),
    ),
    links=((0, 1), (0, 2), (0, 3), (3, 4), (4, 5), (5, 1), (2, 4)),
    clues=(
        ClueSeed("a twist of poison paper", ("poison", "poisoned", "well", "murder", "who")),
        ClueSeed("a caravan master's ledger", ("ledger", "trade", "money", "debt", "caravan")),
        ClueSeed("tracks of a lone camel", ("tracks", "missing", "trail", "route")),
        ClueSeed("a miner's last note", ("miners", "collapse", "trapped", "gallery")),
        ClueSeed("a map of the hidden cistern", ("water", "map", "cistern", "route", "source")),
        ClueSeed("a broken tribal seal", ("tribe", "truce", "betrayal", "seal")),
    ),
    items=(
        ItemSeed("the cistern sluice", broken=True, holds_clue=True, at=5, fixed=True),
        ItemSeed("the well windlass", broken=True, at=1, fixed=True),
        ItemSeed("a waterskin of clean water"),
        ItemSeed("a curved dagger"),
    ),
    caches=("a skin of clean water", "a hunting bow", "a bundle of bandages", "a brass compass"),
    hazards=(
        HazardSeed("storm", "a wall of sand swept over {loc}", "the sandstorm"),
        HazardSeed("tremor", "the ground slumped and a gallery gave way near {loc}", "the cave-in"),
        HazardSeed("cache", "a lost caravan's pack turned up at {loc}", "the pack"),
        HazardSeed("malfunction", "the heat split leather and warped iron at {loc}", "the heat"),
    ),
    factions=("the salt guild",),
    stakes=Stakes(
        objective="open the hidden cistern before the sandstorm cuts off the town",
        place=5,
        obstacle="the sandstorm is a day's ride away and closing",
        consequence="the sandstorm closed over the town with no water left",
        achieved="clean water ran from the hidden cistern",
    ),
)

WORLDS: tuple[World, ...] = (ICE_MOON, DERELICT, KINGDOM, CITY, ARCHIPELAGO, DESERT)


# Theme names of checkpoints written before worlds were data.
_ALIASES = {"frontier": "ice-moon", "fantasy": "kingdom", "noir": "city", "sea": "archipelago"}


def world_of(state: WorldState) -> World:
    """The world a run takes place in: the user's own, or the built-in one it names, as
    the run's seed drew it (runs started before worlds varied keep the plain one)."""
    if state.world is not None:
        return state.world
    return drawn(state.theme, state.seed) if state.varied else world_named(state.theme)


@functools.lru_cache(maxsize=256)  # asked every turn; a run's world is drawn once
def drawn(name: str, seed: int) -> World:
    """The built-in world `name` as the run with `seed` finds it (see variants.py)."""
    return varied(world_named(name), seed)


def builtin(name: str) -> World | None:
    return next((w for w in WORLDS if w.name == name), None)


def chosen_world(world_id: str, definition: Mapping[str, Any] | None) -> World | None:
    """The world a simulation named: a tenant's own (its stored definition), a built-in
    one, or None when the setting's free text is to choose."""
    if definition is not None:
        return world_from_spec(world_id, definition)
    return builtin(world_id) if world_id else None


def world_named(name: str) -> World:
    name = _ALIASES.get(name, name)
    for world in WORLDS:
        if world.name == name:
            return world
    raise ValueError(f"unknown world {name!r}")
