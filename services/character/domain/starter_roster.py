"""The starter roster: original character sheets written for Novel Engine.

They share one setting (the survey expedition to the storm moon Veyra) so any two of
them make a story together; relationships point at each other.
"""

from __future__ import annotations

from services.character.domain.model import Character


def _stats(s: int, d: int, i: int, w: int, p: int, c: int) -> dict[str, int]:
    return {
        "strength": s,
        "dexterity": d,
        "intelligence": i,
        "willpower": w,
        "perception": p,
        "charisma": c,
    }


STARTER_ROSTER: tuple[Character, ...] = (
    Character(
        id="pilot",
        name="Rhea Voss",
        faction="Survey Corps",
        role="Pilot",
        traits={"courage": 0.85, "caution": 0.35, "loyalty": 0.8, "curiosity": 0.5},
        stats=_stats(5, 9, 6, 7, 8, 6),
        goals=("Get the crew off Veyra alive", "Find a safe landing corridor through the storms"),
        relationships={"engineer": 0.6, "scientist": 0.3, "marcus": 0.4, "zara": -0.2},
        equipment=("flight jacket", "signal flare", "emergency beacon"),
        backstory=(
            "Rhea flew cargo through the Kessel shear lanes for a decade before the Survey "
            "Corps hired her. She has never lost a ship, and does not intend to start on Veyra."
        ),
    ),
    Character(
        id="scientist",
        name="Dr. Ilan Okafor",
        faction="Survey Corps",
        role="Xenobiologist",
        traits={"curiosity": 0.95, "caution": 0.4, "empathy": 0.6, "discipline": 0.7},
        stats=_stats(3, 4, 10, 6, 8, 5),
        goals=(
            "Discover the source of the bioluminescent signal",
            "Catalogue the lifeforms of the ridge",
        ),
        relationships={"pilot": 0.3, "elena": 0.5, "oren": -0.5, "kai": 0.4},
        equipment=("field scanner", "sample case", "datapad"),
        backstory=(
            "Ilan wrote the paper that put Veyra on the survey list. He suspects the pulsing "
            "light under the ice is not a mineral at all, and has told almost no one why."
        ),
    ),
    Character(
        id="engineer",
        name="Tomas Bergqvist",
        faction="Survey Corps",
        role="Engineer",
        traits={"discipline": 0.8, "empathy": 0.55, "caution": 0.6, "courage": 0.5},
        stats=_stats(7, 7, 8, 6, 5, 4),
        goals=("Repair the damaged relay mast", "Keep the reactor from failing"),
        relationships={"pilot": 0.6, "test": 0.5, "marcus": 0.2},
        equipment=("multitool", "welding torch", "spare fuses"),
        backstory=(
            "Tomas grew up on a mining rig where a bad weld meant a funeral. He talks to "
            "machines more kindly than to people, and both usually listen."
        ),
    ),
    Character(
        id="test",
        name="Tess",
        faction="Survey Corps",
        role="Prototype android (TEST-7)",
        traits={"curiosity": 0.7, "loyalty": 0.9, "discipline": 0.9, "empathy": 0.3},
        stats=_stats(8, 6, 9, 5, 7, 3),
        goals=("Protect the crew", "Learn what it means to be trusted"),
        relationships={"engineer": 0.7, "kai": 0.3, "oren": -0.1},
        equipment=("diagnostic port", "arc cutter"),
        backstory=(
            "TEST-7 was shipped as a field-trial unit with a label on its chest that the crew "
            "shortened to Tess. Its logs show gaps it cannot explain."
        ),
    ),
    Character(
        id="aria",
        name="Aria Solenne",
        faction="Concord Envoys",
        role="Diplomat",
        traits={"empathy": 0.85, "cunning": 0.6, "courage": 0.45, "loyalty": 0.5},
        stats=_stats(3, 5, 8, 7, 6, 10),
        goals=(
            "Broker a truce between the Corps and the Meridian company",
            "Uncover who sabotaged the relay",
        ),
        relationships={"zara": 0.2, "marcus": -0.3, "oren": 0.1, "elena": 0.5},
        equipment=("sealed credentials", "translator earpiece"),
        backstory=(
            "Aria talked two border worlds out of a war with nothing but a deadline and a "
            "smile. Veyra is her quiet posting, or it was meant to be."
        ),
    ),
    Character(
        id="zara",
        name="Zara Kade",
        faction="Free Traders",
        role="Scout and smuggler",
        traits={"cunning": 0.85, "courage": 0.7, "aggression": 0.45, "loyalty": 0.3},
        stats=_stats(6, 9, 6, 6, 9, 7),
        goals=(
            "Find the old archive before anyone else",
            "Sell what she finds to the highest bidder",
        ),
        relationships={"pilot": -0.2, "aria": 0.2, "marcus": -0.6, "kai": 0.5},
        equipment=("grappling line", "forged permits", "vibroknife"),
        backstory=(
            "Zara knows every unlisted path across the ice because she made half of them. "
            "She owes money to people who do not send reminders."
        ),
    ),
    Character(
        id="marcus",
        name="Marcus Hale",
        faction="Survey Corps",
        role="Security chief",
        traits={"aggression": 0.7, "loyalty": 0.85, "discipline": 0.75, "caution": 0.5},
        stats=_stats(9, 7, 5, 8, 7, 5),
        goals=("Keep the expedition secure", "Catch the saboteur"),
        relationships={"zara": -0.6, "aria": -0.3, "pilot": 0.4, "oren": -0.4},
        equipment=("stun rifle", "riot shield", "field radio"),
        backstory=(
            "Marcus left the colonial marines after an order he refused to follow. He trusts "
            "procedure, his rifle, and very few people."
        ),
    ),
    Character(
        id="elena",
        name="Elena Marsh",
        faction="Survey Corps",
        role="Medic",
        traits={"empathy": 0.95, "courage": 0.6, "caution": 0.55, "discipline": 0.65},
        stats=_stats(4, 7, 8, 9, 7, 7),
        goals=("Keep everyone alive", "Find out what made the first survey team sick"),
        relationships={"scientist": 0.5, "aria": 0.5, "marcus": 0.3, "kai": 0.6},
        equipment=("med kit", "stim injector", "thermal blanket"),
        backstory=(
            "Elena served in field hospitals where supplies ran out before the wounded did. "
            "She keeps a list of names she could not save, and it has not grown in years."
        ),
    ),
    Character(
        id="kai",
        name="Kai Nakamura",
        faction="Free Traders",
        role="Cartographer and slicer",
        traits={"curiosity": 0.9, "cunning": 0.65, "courage": 0.4, "empathy": 0.5},
        stats=_stats(4, 8, 9, 5, 8, 6),
        goals=("Map the caverns under the ridge", "Crack the archive's lock"),
        relationships={"zara": 0.5, "elena": 0.6, "test": 0.3, "scientist": 0.4},
        equipment=("mapping drone", "code breaker", "headlamp"),
        backstory=(
            "Kai was nineteen when they sold their first map and twenty when they learned "
            "maps can be worth killing for. They still draw every one by hand first."
        ),
    ),
    Character(
        id="oren",
        name="Oren Vask",
        faction="Meridian Company",
        role="Corporate liaison",
        traits={"cunning": 0.9, "aggression": 0.55, "loyalty": 0.2, "caution": 0.7},
        stats=_stats(5, 6, 9, 8, 7, 8),
        goals=("Secure the archive for Meridian", "Make sure the survey report never reaches home"),
        relationships={"scientist": -0.5, "marcus": -0.4, "aria": 0.1, "test": 0.0},
        equipment=("encrypted slate", "holdout pistol", "company seal"),
        backstory=(
            "Oren is polite, punctual and always three moves ahead. Meridian paid for half of "
            "this expedition and expects all of what it finds."
        ),
    ),
)
