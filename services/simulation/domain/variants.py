"""How a built-in world differs from run to run, as a game master's would.

A built-in world is one map (its paths, hazards and objective never change), but each
run draws its wording from larger pools: which of a place's names it goes by, which of
its details are seen there, which extra clues may be hidden, what the loose items and
caches are. The draw is a pure function of the world and the run's seed (its own
`random.Random`, never the simulation's), so a replay or a fork gets the same world.
A user's own world is never varied: its names are kept exactly as given.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace

from .scenery import ClueSeed, PlaceSeed, World

DETAILS_PER_PLACE = 3


@dataclass(frozen=True)
class PlacePool:
    names: tuple[str, ...]  # other names the place may go by; "{name}" as in PlaceSeed
    details: tuple[str, ...]  # more of what one may see there


@dataclass(frozen=True)
class WorldPool:
    places: tuple[PlacePool, ...]  # by place index
    clues: tuple[ClueSeed, ...]  # hidden alongside the world's own
    items: dict[str, tuple[str, ...]]  # a loose item's other names, of the same kind
    caches: tuple[str, ...]  # more that a "cache" hazard can drop
    clue_names: dict[str, tuple[str, ...]]  # a world clue's other names (same tags)
    # Other wordings of the stakes: objective, obstacle ("is"/"are", the prose puts it in
    # the past), consequence and achievement; the objective's place never changes.
    stakes: tuple[tuple[str, str, str, str], ...] = ()


def _pp(names: str, *details: str) -> PlacePool:
    return PlacePool(tuple(n.strip() for n in names.split(";")), details)


POOLS: dict[str, WorldPool] = {
    "ice-moon": WorldPool(
        places=(
            _pp(
                "the landing field on {name}; the drop site on {name}; "
                "the supply pad on {name}; the lander camp on {name}",
                "landing lights blinked through the spindrift",
                "scorch marks fanned out from the pad",
                "a cargo sled lay half buried in drift",
            ),
            _pp(
                "the glass ridge; the knife ridge; "
                "the shelf ridge; the Kell escarpment; the windward crest",
                "the ice sang when the wind crossed it",
                "old survey flags snapped on their poles",
                "the moon's rings hung low over the crest",
            ),
            _pp(
                "the buried archive; the drowned archive; "
                "the survey archive; the records bunker; the data crypt",
                "frost furred the edges of every terminal",
                "a chair lay on its back by the door",
                "someone had scratched tallies into the wall",
            ),
            _pp(
                "the reactor vault; the fusion hall; the core hall; the power plant",
                "the floor grating trembled with every pulse",
                "a coolant alarm chirped and fell silent",
                "the containment glass was fogged from inside",
            ),
            _pp(
                "the signal tower; the relay tower; the radio spire; the beacon station",
                "the ladder rungs burned cold through gloves",
                "a torn windsock cracked overhead",
                "the horizon vanished into blowing white",
            ),
            _pp(
                "the grottoes below the shelf; the hollows beneath the glacier; "
                "the sinkholes in the deep ice; the blue caves; the meltwater tunnels",
                "the ice overhead held shapes like frozen wings",
                "something had worn a smooth path through the floor",
                "every breath came back as a long echo",
            ),
        ),
        clues=(
            ClueSeed("a helmet camera with one last recording", ("missing", "crew", "source")),
            ClueSeed("a patched hole in a pressure suit", ("sabotage", "crew", "survivor")),
            ClueSeed("a company order marked destroy on reading", ("secret", "report", "data")),
        ),
        items={
            "a medkit": ("a trauma medkit", "a frost-burn medkit"),
            "a signal scanner": ("a handheld signal scanner", "a survey signal scanner"),
        },
        clue_names={
            "a looping distress beacon log": (
                "a beacon log repeating one call",
                "a distress recording on an endless loop",
            ),
            "scorched boot prints": ("boot prints burned into the frost",),
            "a torn crew manifest": ("half a crew manifest",),
            "a sabotaged power coupling": ("a power coupling cut on purpose",),
            "coordinates scratched into a bulkhead": (
                "a row of coordinates scratched into the steel",
            ),
            "an encrypted data core": ("a locked data core",),
            "a vial of glowing spores": ("a sample jar of glowing spores",),
        },
        caches=("a thermal flare", "a coil of climbing line", "a ration crate"),
        stakes=(
            (
                "find whoever is sending the signal from beneath the ice",
                "the ice shelf is groaning and splitting by the hour",
                "the beacon stopped, and the ice kept whatever had sent it",
                "whoever had sent the signal was found alive beneath the ice",
            ),
            (
                "trace the distress call down into the ice",
                "a storm front is closing over the shelf",
                "the distress call died away under the ice, unanswered",
                "the distress call was traced to its sender, alive in the ice",
            ),
        ),
    ),
    "derelict": WorldPool(
        places=(
            _pp(
                "the loading bay of {name}; the freight hold of {name}; the docking ring of {name}",
                "a cargo lifter stood frozen mid-stride",
                "emergency strips glowed along the deck",
                "a manifest board showed the same date over and over",
            ),
            _pp(
                "the garden deck; the grow deck; the orchard deck; the arboretum",
                "fruit had rotted to black on the branches",
                "water beaded on the dark leaves",
                "an irrigation pump coughed and stopped",
            ),
            _pp(
                "the command bridge; the flight bridge; the wheelhouse",
                "the helm still showed a course nobody had flown",
                "a coffee cup had frozen to the armrest",
                "the navigation plot blinked a warning nobody answered",
            ),
            _pp(
                "the drive room; the reactor room; the engine hall; the drive core",
                "the walls radiated a sour heat",
                "a wrench lay where it had been dropped",
                "the drive's hum rose and fell like breathing",
            ),
            _pp(
                "the sleeper vault; the cold-sleep vault; the stasis vault; the cryo ward",
                "one pod stood open and empty",
                "names had been stencilled on every lid",
                "frost crept out from a cracked seal",
            ),
            _pp(
                "the service spine; the access spine; the crawl spine; the cable ducts",
                "cables hung like vines in the shaft",
                "the rungs were slick with condensation",
                "a hatch somewhere below banged in the draught",
            ),
        ),
        clues=(
            ClueSeed("a security log with a deleted entry", ("lying", "secret", "crew", "records")),
            ClueSeed("a wrench stamped with an officer's number", ("sabotage", "saboteur", "who")),
            ClueSeed("a pressure reading nobody reported", ("reactor", "failing", "pressure")),
        ),
        items={
            "a trauma kit": ("a field trauma kit", "a sealed trauma kit"),
            "a plasma cutter": ("a heavy plasma cutter", "a compact plasma cutter"),
        },
        clue_names={
            "the captain's last log": ("the captain's final recording",),
            "a scrubbed crew roster": ("a crew roster with names wiped",),
            "a bypass wired into the reactor": (
                "a hidden bypass on the power feed",
                "a jury-rigged bypass in the core feed",
            ),
            "a navigation chart with a course change": ("a star chart marked with a new heading",),
            "a cryo pod opened from inside": ("a sleeper pod forced open from within",),
            "a sealed medical report": ("a medical file under seal",),
        },
        caches=("a spare oxygen canister", "a magnetic boot pair", "a crate of ration bars"),
        stakes=(
            (
                "bring the dying reactor back under control",
                "the bulkheads are closing one after another",
                "the core went critical and the ship fell silent",
                "the core settled and the lights came back deck by deck",
            ),
            (
                "stop the reactor before it tears the ship apart",
                "the air is thinning as the failsafes seal the decks",
                "the reactor tore loose and the ship went dark",
                "the reactor was brought to heel and the ship held together",
            ),
        ),
    ),
    "kingdom": WorldPool(
        places=(
            _pp(
                "the fair square of {name}; the cross of {name}; "
                "the wool market of {name}; the guildhall steps of {name}",
                "a pie-seller shouted over the crowd",
                "the gallows stood empty but freshly oiled",
                "pigeons quarrelled on the well-cap",
            ),
            _pp(
                "the drowned keep; the grey keep; "
                "the keep at Harrow's Ford; Castle Ormond; the tower of Saint Aud",
                "ivy had pried the mortar loose",
                "a cold draught came down the stair",
                "old shields rusted on the wall",
            ),
            _pp(
                "the hollow woods; the thorn woods; "
                "the briar woods; the Wychwood; the hanging forest",
                "the path forked where none had before",
                "an owl watched from a split oak",
                "mist pooled between the roots",
            ),
            _pp(
                "the willow ford; the stone ford; "
                "the miller's ford; the old bridge; the ferry crossing",
                "the stepping stones were green with weed",
                "a cart wheel lay half sunk in the shallows",
                "the current pulled at every ankle",
            ),
            _pp(
                "the broken shrine; the hill shrine; "
                "the shrine of the Nine; the hermit's chapel; the standing stones",
                "candle stubs guttered in the niches",
                "the saint's face had been chiselled away",
                "offerings of bread lay fresh on the step",
            ),
            _pp(
                "the vault under the chapel; the ossuary below the hill; "
                "the catacombs; the barrow of the old kings; the undercroft",
                "skulls were stacked in patient rows",
                "water dripped somewhere in the dark",
                "a carved lid had been pushed aside",
            ),
        ),
        clues=(
            ClueSeed("a steward's burned accounts", ("heir", "money", "who", "betrayal")),
            ClueSeed("a child's shoe by the water", ("missing", "heir", "trail", "vanished")),
            ClueSeed("a page torn from a chronicle", ("secret", "truth", "relic", "crown")),
        ),
        items={
            "a healer's satchel": ("a herbwife's satchel", "a healer's leather satchel"),
            "a lantern": ("a horn lantern", "a tin lantern"),
        },
        clue_names={
            "a wax-sealed letter": ("a letter under a black wax seal",),
            "claw marks on the standing stones": ("deep scratches on the old stones",),
            "a map inked on vellum": ("a vellum map in faded ink",),
            "a broken royal signet": (
                "the royal signet snapped in two",
                "a cracked signet of the royal house",
            ),
            "runes of a binding curse": ("a curse-binding carved in runes",),
            "a bloodied pilgrim's cloak": ("a pilgrim's cloak stiff with blood",),
            "a reliquary's empty velvet": ("an empty reliquary lined with velvet",),
        },
        caches=("a coil of hemp rope", "a flask of strong wine", "a hunting knife"),
        stakes=(
            (
                "lift the curse from the realm",
                "the curse is creeping further every night",
                "the curse settled on the realm for good",
                "the curse lifted, and the bells rang again",
            ),
            (
                "find the heart of the curse and break it",
                "the blight is spreading to another village each night",
                "the blight took the realm as the nights grew long",
                "the heart of the curse was broken, and the realm stirred",
            ),
        ),
    ),
    "city": WorldPool(
        places=(
            _pp(
                "the waterfront of {name}; the piers of {name}; the fish market of {name}",
                "a foghorn moaned somewhere out in the murk",
                "crates of bananas sweated under tarpaulins",
                "a drunk sang to the gulls",
            ),
            _pp(
                "the station house; the Ninth Street precinct; the police headquarters",
                "typewriters clattered behind frosted glass",
                "the coffee had been stewing since noon",
                "a lost dog slept under the front desk",
            ),
            _pp(
                "the Red Parrot club; the Silver Slipper club; "
                "the Copper Moon club; the Half Note lounge",
                "a trumpet bent a slow note out of shape",
                "cigarette smoke hung in flat layers",
                "the barman polished the same glass for an hour",
            ),
            _pp(
                "the shuttered warehouse; the bonded warehouse; "
                "the cannery warehouse; the rope works",
                "rats rustled in the rafters",
                "a forklift sat with its keys still in",
                "rain drummed on the tin roof",
            ),
            _pp(
                "the records hall; the hall of records; the county registry",
                "the clerk's lamp threw a small yellow circle",
                "a drawer had been left an inch open",
                "dust rose from every folder opened",
            ),
            _pp(
                "the mayor's chambers; the mayor's suite; City Hall",
                "a portrait of the mayor smiled at nobody",
                "the carpet was thick enough to lose a shoe in",
                "a cigar still smouldered in the tray",
            ),
        ),
        clues=(
            ClueSeed("a hotel key with the tag filed off", ("who", "murder", "dead", "trail")),
            ClueSeed("a cheque made out to cash", ("money", "bribe", "debt", "councilman")),
            ClueSeed("a lipstick note on a napkin", ("secret", "witness", "who")),
        ),
        items={
            "a first-aid tin": ("a doctor's first-aid tin", "a first-aid kit"),
            "a camera": ("a box camera", "a folding camera"),
        },
        clue_names={
            "a blood-stained matchbook": (
                "a matchbook with blood on the cover",
                "a bloody matchbook from a nightclub",
            ),
            "a ledger of bribes": ("a book of payoffs",),
            "a torn photograph": ("half a photograph",),
            "a spent shell casing": ("a brass casing from a revolver",),
            "a pawn ticket": ("a pawnshop stub",),
            "a coded telegram": ("a telegram in cipher",),
        },
        caches=("a roll of banknotes", "a pair of brass knuckles", "a bottle of rye"),
        stakes=(
            (
                "bring the killer's guilt into the open",
                "the evidence is vanishing file by file",
                "the case went cold and the killer kept smiling",
                "the killer's guilt was dragged into the light for all to see",
            ),
            (
                "put the proof of the murder where the city cannot ignore it",
                "someone downtown is buying silence",
                "the murder was filed away and forgotten",
                "the proof hit the front pages and the killer fell",
            ),
        ),
    ),
    "archipelago": WorldPool(
        places=(
            _pp(
                "the shore of {name}; the landing beach of {name}; the black sands of {name}",
                "crabs scuttled from a beached rowboat",
                "the tide had left a line of weed and bones",
                "palm fronds rattled in the onshore wind",
            ),
            _pp(
                "the old lighthouse; the signal light; the lamp tower; the beacon on Gull Point",
                "the stair wound up past salt-crusted windows",
                "gulls nested in the gallery rail",
                "the lamp room smelled of whale oil",
            ),
            _pp(
                "the rum-runners' cove; the hidden cove; the reef cove; Dead Man's inlet",
                "a hull lay careened on the shingle",
                "tar pots smoked over a driftwood fire",
                "the cave mouth breathed cold air",
            ),
            _pp(
                "the jungle temple; the vine ruins; the stone ruins; the sunken city",
                "a stone idol wore a necklace of moss",
                "parrots screamed from the canopy",
                "steps climbed into green shadow",
            ),
            _pp(
                "the wreck on the reef; the hulk in the shallows; "
                "the galleon aground; the broken brig",
                "the tide gurgled through the broken planks",
                "barnacles crusted the figurehead",
                "a bell tolled each time the hulk rolled",
            ),
            _pp(
                "the captain's quarters; the great cabin; the stern cabin",
                "charts lay weighted with a pistol",
                "a bottle rolled back and forth across the floor",
                "the stern windows glowed green with the sea",
            ),
        ),
        clues=(
            ClueSeed("a doubloon with a sawn edge", ("treasure", "wreck", "gold")),
            ClueSeed("a tide table with one date circled", ("tide", "wreck", "route", "map")),
            ClueSeed("a tattoo sketch of a crossed anchor", ("mutiny", "crew", "who")),
        ),
        items={
            "a sailor's medicine chest": ("a surgeon's medicine chest",),
            "a cutlass": ("a heavy cutlass", "a boarding cutlass"),
        },
        clue_names={
            "a waterlogged logbook": ("a logbook swollen with seawater",),
            "a half-buried treasure map": (
                "a treasure map half eaten by the sand",
                "a sea-stained chart of buried gold",
            ),
            "a mutineer's oath": ("an oath signed by mutineers",),
            "a compass that points wrong": ("a compass that will not find north",),
            "a message in a bottle": ("a corked bottle with a note inside",),
            "fresh footprints above the tideline": ("new tracks above the high-water mark",),
        },
        caches=("a coil of tarred rope", "a cask of fresh water", "a fishing spear"),
        stakes=(
            (
                "salvage the treasure before the tide swallows the wreck",
                "the tide is rising over the sandbar",
                "the sea closed over the wreck and its gold",
                "the gold came up from the wreck just ahead of the tide",
            ),
            (
                "bring up the wreck's gold while the tide allows",
                "each tide is burying the wreck deeper",
                "the sand swallowed the wreck and its treasure",
                "the wreck gave up its treasure before the sea reclaimed it",
            ),
        ),
    ),
    "desert": WorldPool(
        places=(
            _pp(
                "the khan of {name}; the travellers' yard of {name}; the camel yard of {name}",
                "a water-seller rang his brass cups",
                "children chased a goat between the pillars",
                "the gate's shadow cut the yard in half",
            ),
            _pp(
                "the town well; the bitter well; the old well; the stepwell",
                "flies hung over the trough",
                "the bucket came up green and foul",
                "an old woman stood watching the water",
            ),
            _pp(
                "the spice market; the cloth market; the copper market; the souk",
                "bolts of indigo cloth hung like banners",
                "a snake-charmer's pipe wound through the din",
                "copper pots rang under the hammers",
            ),
            _pp(
                "the great dunes; the red dunes; the singing dunes; the empty quarter",
                "the sand boomed low under every step",
                "a bleached skull marked the old road",
                "heat rose off the crests in sheets",
            ),
            _pp(
                "the fallen watchtower; the signal tower; the border watchtower; the lookout fort",
                "a rusted signal mirror hung from a nail",
                "kites wheeled above the broken top",
                "the stair was drifted deep with sand",
            ),
            _pp(
                "the deep mine galleries; the salt galleries; "
                "the lower galleries; the old shafts; the diggings",
                "a miner's cap lay in the dust",
                "the walls sweated a bitter white crust",
                "far in, water dripped into a hidden pool",
            ),
        ),
        clues=(
            ClueSeed("a poisoner's vial stoppered with wax", ("poison", "poisoned", "well", "who")),
            ClueSeed("a guild token dropped by the trough", ("guild", "trade", "betrayal", "who")),
            ClueSeed("a water-diviner's rod", ("water", "cistern", "source", "route")),
        ),
        items={
            "a waterskin of clean water": ("a goatskin of clean water",),
            "a curved dagger": ("a bone-handled dagger", "a silver dagger"),
        },
        clue_names={
            "a twist of poison paper": (
                "a folded paper of bitter powder",
                "a poisoner's twist of paper",
            ),
            "a caravan master's ledger": ("the caravan master's account book",),
            "tracks of a lone camel": ("the hoofprints of a single camel",),
            "a miner's last note": (
                "a note scrawled by a trapped miner",
                "a miner's message chalked on a beam",
            ),
            "a map of the hidden cistern": ("a sketch of the way to the cistern",),
            "a broken tribal seal": ("a tribal seal split in half",),
        },
        caches=("a bag of dates", "a sling and stones", "a striped headcloth"),
        stakes=(
            (
                "unseal the hidden cistern before the sandstorm reaches the town",
                "the sandstorm is growing on the horizon",
                "the storm buried the town with its wells dry",
                "water rose in the hidden cistern and the town drank",
            ),
            (
                "find water in the hidden cistern before the storm arrives",
                "the storm wall is drawing nearer with every hour",
                "the sand came over the walls and the town went thirsty",
                "the hidden cistern ran clear and the town was saved",
            ),
        ),
    ),
}


def varied(world: World, seed: int) -> World:
    """The built-in `world` as the run with `seed` finds it; a world without a pool
    (a user's own) comes back unchanged."""
    pool = POOLS.get(world.name)
    if pool is None:
        return world
    return _varied(world, pool, seed)


def _varied(world: World, pool: WorldPool, seed: int) -> World:
    rng = random.Random(f"{world.name}|{seed}")  # noqa: S311 - reproducible, not security
    places = tuple(
        PlaceSeed(
            rng.choice((seed_place.name, *extra.names)),
            tuple(rng.sample((*seed_place.details, *extra.details), DETAILS_PER_PLACE)),
        )
        for seed_place, extra in zip(world.places, pool.places, strict=True)
    )
    items = tuple(
        item if item.fixed or item.name not in pool.items
        else replace(item, name=rng.choice((item.name, *pool.items[item.name])))
        for item in world.items
    )  # fmt: skip
    caches = tuple(rng.sample((*world.caches, *pool.caches), len(world.caches)))
    stakes = world.stakes
    pick = rng.randrange(len(pool.stakes) + 1)
    if pick:
        objective, obstacle, consequence, achieved = pool.stakes[pick - 1]
        stakes = replace(stakes, objective=objective, obstacle=obstacle,
                         consequence=consequence, achieved=achieved)  # fmt: skip
    return replace(
        world,
        places=places,
        items=items,
        caches=caches,
        clues=tuple(
            replace(c, name=rng.choice((c.name, *pool.clue_names.get(c.name, ()))))
            for c in (*world.clues, *pool.clues)
        ),
        stakes=stakes,
    )
