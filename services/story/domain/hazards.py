"""Other wordings of the built-in worlds' hazards, so the same storm does not strike in
the same words in every story set in its world.

The engine tells a hazard as "<what happened> <place>" ("an ice storm howled across
the landing field"); the key is the part before the place. A hazard not listed here (a
user's own world) is told as the engine wrote it.
"""

from __future__ import annotations

from .variety import pick

_WORDINGS: dict[str, tuple[str, ...]] = {
    # the storm moon
    "an ice storm howled across ": (
        "an ice storm tore across ",
        "sleet and wind scoured ",
        "the ice storm came down hard on ",
        "a white-out swallowed ",
        "a screaming wind full of ice hit ",
        "the storm came howling over ",
        "ice and snow came sideways across ",
    ),
    "the ice split with a gunshot crack at ": (
        "the ice broke with a sound like a shot at ",
        "a crack ran through the ice under ",
        "the ice gave way with a bang at ",
        "the ice shelf shifted and split at ",
        "a fissure opened in the ice at ",
        "the frozen ground cracked apart at ",
        "the ice fractured with a boom at ",
    ),
    "a supply pod thudded down near ": (
        "a supply pod came down hard near ",
        "a drop pod slammed into the snow near ",
        "a pod fell out of the clouds near ",
        "something from orbit landed near ",
        "a crate-pod dropped out of the sky near ",
        "an old supply drop came down near ",
        "a pod buried itself in the drift near ",
    ),
    "a power surge rippled through ": (
        "the power spiked through ",
        "every light flared at ",
        "a surge ran through the cables of ",
        "the grid hiccuped and sparked at ",
        "the power jumped and every panel flickered at ",
        "a surge blew the fuses at ",
        "current crackled through the wiring of ",
    ),
    # the generation ship
    "a hull breach screamed open at ": (
        "the hull tore open at ",
        "air began to howl out of ",
        "a breach opened with a shriek at ",
        "the outer skin gave way at ",
        "the hull split with a scream of air at ",
        "decompression alarms went off at ",
        "a seam in the hull burst at ",
    ),
    "the ship lurched and a bulkhead buckled at ": (
        "the deck heaved and a bulkhead bent at ",
        "a bulkhead folded like foil at ",
        "the ship shuddered, and metal gave at ",
        "a jolt ran through the frame and buckled a wall at ",
        "the deck tilted and a wall caved in at ",
        "the whole ship rolled, and a bulkhead gave at ",
        "a groan ran through the hull and a bulkhead crumpled at ",
    ),
    "a sealed locker sprang open at ": (
        "a locker nobody had opened in years popped open at ",
        "a sealed locker burst its catch at ",
        "an old locker swung open by itself at ",
        "a forgotten locker clanged open at ",
        "a stuck locker clattered open at ",
        "the seal on an old locker failed at ",
        "a locker door banged open at ",
    ),
    "the lights died and sparks rained across ": (
        "the lights went out and sparks fell over ",
        "a shower of sparks lit up ",
        "the power failed in a spray of sparks at ",
        "the lights guttered out over ",
        "the lights failed and a panel spat sparks at ",
        "the power cut out, and sparks sprayed over ",
        "everything went dark but the sparks at ",
    ),
    # the walled city
    "a cold storm lashed ": (
        "a bitter storm beat down on ",
        "rain and hail hammered ",
        "the storm broke over ",
        "a storm out of the north struck ",
        "a howling storm battered ",
        "wind and sleet lashed ",
        "a winter storm tore at ",
    ),
    "the earth groaned and split beneath ": (
        "the ground cracked open under ",
        "stones shifted and split beneath ",
        "a groan came up out of the earth at ",
        "the ground opened a seam under ",
        "a rift opened in the ground at ",
        "the earth heaved under ",
        "a deep crack split the ground at ",
    ),
    "an abandoned peddler's cart turned up at ": (
        "a peddler's cart stood abandoned at ",
        "someone had left a loaded cart at ",
        "an empty-seated cart appeared at ",
        "a cart with no owner stood at ",
        "an overturned cart lay abandoned at ",
        "a peddler's cart with its goods still on it stood at ",
        "somebody's cart had been left behind at ",
    ),
    "a creeping frost cracked metal and glass at ": (
        "frost crept in and split glass at ",
        "a hard frost broke windows and locks at ",
        "the cold cracked every pane at ",
        "frost bit deep into everything at ",
        "frost split the glass and iron at ",
        "an unnatural cold cracked things open at ",
        "the frost spread and shattered windows at ",
    ),
    # the noir port
    "a freezing downpour flooded ": (
        "icy rain poured into ",
        "the gutters overflowed into ",
        "a cold deluge swamped ",
        "the rain came down in sheets over ",
        "freezing rain flooded ",
        "water came pouring into ",
        "the downpour turned to a flood at ",
    ),
    "a burst water main tore up the floor of ": (
        "a water main burst under ",
        "water broke up through the floor of ",
        "the pipes gave way beneath ",
        "a flood welled up through ",
        "a main burst and flooded the floor of ",
        "the floor heaved up with water at ",
        "a broken pipe ripped up the boards at ",
    ),
    "a courier left an unmarked package at ": (
        "a package with no name on it turned up at ",
        "a boy dropped off a parcel at ",
        "somebody left a plain brown package at ",
        "an unmarked parcel appeared at ",
        "a stranger left a package at ",
        "a package arrived with no sender at ",
        "a runner dropped a parcel at ",
    ),
    "the lights blew out across ": (
        "the power went dead at ",
        "every bulb popped at ",
        "darkness dropped over ",
        "the street lamps died around ",
        "the power failed across ",
        "every light went out at ",
        "the fuses blew at ",
    ),
    # the archipelago
    "a squall battered ": (
        "a squall came in hard over ",
        "wind and rain pounded ",
        "a sudden squall hit ",
        "a black squall struck ",
        "a fierce squall swept over ",
        "rain lashed down on ",
        "a squall tore through ",
    ),
    "the tide dragged back and bared the sand at ": (
        "the sea drew back from ",
        "the water ran out and left bare sand at ",
        "the tide sucked away from ",
        "the sea pulled out, far too fast, at ",
        "the tide ran out strangely far at ",
        "the water drew back and left the seabed bare at ",
        "an ebb like no other emptied the shallows at ",
    ),
    "the surf washed a sea chest up at ": (
        "a sea chest rolled in with the surf at ",
        "the waves left a battered chest at ",
        "a chest came ashore at ",
        "a chest rode the breakers in at ",
        "the tide brought in a chest at ",
        "a sealed chest washed ashore at ",
        "a sea chest came in on the waves at ",
    ),
    "salt spray seized metal at ": (
        "salt crusted every hinge at ",
        "brine locked up the iron at ",
        "the spray rusted things solid at ",
        "the salt ate into the fittings at ",
        "spray and salt jammed the iron at ",
        "the brine seized every lock at ",
        "salt set hard on the metal at ",
    ),
    # the desert and the mines
    "a wall of sand swept over ": (
        "a sandstorm rolled over ",
        "sand poured in over ",
        "the dunes came down on ",
        "the wind drove a brown wall of sand over ",
        "a sand squall buried ",
        "a dust storm swept across ",
        "blowing sand blotted out ",
    ),
    "the ground slumped and a gallery gave way near ": (
        "a gallery caved in near ",
        "the rock settled and a tunnel fell in near ",
        "the ground sank and a passage collapsed near ",
        "the rock slumped near ",
        "a gallery fell in near ",
        "the ground dropped away near ",
        "a shaft wall collapsed near ",
    ),
    "a lost caravan's pack turned up at ": (
        "a pack from a lost caravan lay at ",
        "someone found a stray caravan pack at ",
        "a caravan's lost load turned up at ",
        "a stray pack animal's load lay at ",
        "the load of a lost caravan turned up at ",
        "a caravan pack, long lost, lay at ",
        "someone found a lost caravan's bundle at ",
    ),
    "the heat split leather and warped iron at ": (
        "the heat cracked straps and bent tools at ",
        "the sun baked everything brittle at ",
        "heat warped the metal at ",
        "the heat hammered down on ",
        "the heat cracked leather and bent iron at ",
        "a blast of heat ruined gear at ",
        "the sun split straps and warped tools at ",
    ),
}


def reworded(happening: str, *key: object) -> str:
    """The hazard in one of its wordings, chosen by `key`; anything else unchanged."""
    for said, others in _WORDINGS.items():
        if happening.startswith(said):
            return pick((said, *others), *key, "hazard") + happening[len(said) :]
    return happening
