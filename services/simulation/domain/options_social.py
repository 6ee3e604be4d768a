"""Options aimed at another character present: fight, help, talk, sway, lie, trade."""

from __future__ import annotations

from collections.abc import Iterator

from .actions import Action
from .director import CharacterView, SeenCharacter
from .goals import Drive, goal_naming
from .intent import SHARE_MOTIVE, Intent, Option, hostility, pull
from .items import MEDICAL, TOOL, VALUE, WEAPON


def social_options(
    view: CharacterView, drives: dict[Action, Drive], other: SeenCharacter
) -> Iterator[Option]:
    t = view.trait
    hate = hostility(other)
    warmth = max(0.0, other.regard)
    charm = view.stat("charisma") / 10
    aimed = goal_naming(view.goals, f"{other.name} {other.faction}")

    # attack: aggression against the hostile, tempered by empathy and caution
    score = (
        0.02
        + t("aggression") * (0.15 + 0.9 * hate)
        + 0.25 * t("courage") * hate
        + (0.1 if not other.ally else -0.3)
        - 0.4 * t("empathy") * (1 - 0.5 * hate)
        - 0.2 * t("caution") * (1 - view.health_ratio)
        + (pull(drives, Action.ATTACK) if hate > 0.2 or not other.ally else 0.0)
        + (0.3 if aimed and Action.ATTACK in drives else 0.0)
    ) * (0.35 + 0.65 * view.health_ratio)
    motive = (
        f"seeking revenge on {other.name}"
        if other.grudge
        else f"hating {other.name}"
        if other.regard <= -0.5
        else f"distrusting {other.name}"
        if other.regard < -0.1
        else drives[Action.ATTACK].motive
        if Action.ATTACK in drives
        else f"seeing {other.name} as a rival"
    )
    yield score, Intent(Action.ATTACK, other.id, other.name, motive)

    # help: the empathetic tend the wounded
    need = 1.0 - other.health_ratio
    if need > 0:
        score = (
            0.05
            + need * (0.4 + 0.9 * t("empathy"))
            + 0.25 * warmth
            + (0.2 * t("loyalty") if other.ally else 0.0)
            - 0.7 * hate
            + pull(drives, Action.HELP) * need
        )
        motive = (
            f"seeing {other.name} badly hurt"
            if other.health_ratio < 0.5
            else drives[Action.HELP].motive
            if Action.HELP in drives
            else f"worried for {other.name}"
        )
        yield score, Intent(Action.HELP, other.id, other.name, motive)

    # talk: share what they know with those they trust
    share = 1.0 if other.untold else 0.0
    score = (
        0.1
        + 0.3 * t("empathy") * (other.regard + 1) / 2
        + 0.15 * charm
        + 0.2 * warmth
        + share * (0.35 * (t("loyalty") if other.ally else t("empathy")))
        + pull(drives, Action.TALK)
        - 0.6 * hate
    )
    motive = (
        SHARE_MOTIVE
        if share and other.regard >= 0
        else drives[Action.TALK].motive
        if Action.TALK in drives
        else f"trusting {other.name}"
        if other.regard > 0.3
        else f"hoping to understand {other.name}"
    )
    yield score, Intent(Action.TALK, other.id, other.name, motive)

    # persuade: the charismatic try to win over the wary and the rival
    score = (
        0.04
        + 0.3 * charm
        + (0.2 if -0.6 < other.regard < 0.3 else 0.0)
        + (0.1 if not other.ally else 0.0)
        + pull(drives, Action.PERSUADE)
        + (0.2 if aimed and Action.PERSUADE in drives else 0.0)
        - 0.3 * t("aggression") * hate
    )
    motive = (
        drives[Action.PERSUADE].motive
        if Action.PERSUADE in drives
        else f"wanting {other.name} to stand down"
        if hate > 0.3
        else f"hoping to win {other.name} over"
    )
    yield score, Intent(Action.PERSUADE, other.id, other.name, motive)

    # deceive: the cunning fool those they distrust or whose things they covet
    covet = _best_item(other)
    score = (
        0.02
        + t("cunning") * (0.3 + 0.45 * hate) * (1 - 0.6 * t("empathy"))
        + (0.1 if covet else 0.0)
        + pull(drives, Action.DECEIVE)
        - 0.35 * warmth
        - (0.35 * t("loyalty") if other.ally else 0.0)
    )
    motive = (
        f"distrusting {other.name}"
        if other.regard < -0.1
        else drives[Action.DECEIVE].motive
        if Action.DECEIVE in drives
        else f"coveting {other.name}'s {covet}"
        if covet
        else f"seeing a chance to fool {other.name}"
    )
    yield score, Intent(Action.DECEIVE, other.id, other.name, motive)

    # trade: swap something of theirs for something of ours
    if covet and (view.carried or view.clues):
        wanted = _wanted(view, other)
        score = (
            0.05
            + (0.12 if other.regard >= 0 else -0.2)
            + 0.15 * t("cunning")
            + 0.2 * bool(wanted)
            + pull(drives, Action.TRADE)
            - 0.5 * hate
        )
        motive = (
            drives[Action.TRADE].motive
            if Action.TRADE in drives
            else f"wanting {other.name}'s {wanted or covet}"
        )
        yield score, Intent(Action.TRADE, other.id, other.name, motive)


def _best_item(other: SeenCharacter) -> str:
    ranked = sorted(
        zip(other.items, other.item_kinds, strict=True), key=lambda p: -VALUE.get(p[1], 0)
    )
    return ranked[0][0] if ranked else ""


def _wanted(view: CharacterView, other: SeenCharacter) -> str:
    """An item of theirs the viewer has a present use for."""
    have = [i.kind for i in view.carried if not i.broken]
    needs = []
    if view.health_ratio < 1 and MEDICAL not in have:
        needs.append(MEDICAL)
    if view.trait("aggression") > 0.5 and WEAPON not in have:
        needs.append(WEAPON)
    if any(i.broken for i in (*view.carried, *view.lying_here)) and TOOL not in have:
        needs.append(TOOL)
    for name, kind in zip(other.items, other.item_kinds, strict=True):
        if kind in needs:
            return name
    return ""
