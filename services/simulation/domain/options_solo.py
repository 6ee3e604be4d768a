"""Options a character can take on its own: watch, search, rest, guard, travel, mend."""

from __future__ import annotations

from collections.abc import Iterator

from .actions import Action
from .director import CharacterView
from .goals import Drive, goal_motive, goal_naming
from .intent import Intent, Option, arrived_last_turn, pull, threat_here
from .items import TOOL, definite
from .stakes import decisive_turn
from .world import location_id


def _at_the_aim(view: CharacterView, ahead: int = 0) -> bool:
    """Holding the key clue where the objective is settled, once (or `ahead` turns
    before) the decisive turn comes: before it the way stays shut, so nobody camps there."""
    return (
        bool(view.objective)
        and view.knows_key
        and view.turn + ahead >= decisive_turn(view.turns_total)
    )


def solo_options(view: CharacterView, drives: dict[Action, Drive]) -> Iterator[Option]:
    t = view.trait
    hurt = 1.0 - view.health_ratio
    threat, worst = threat_here(view)
    here = location_id(view.location)

    # observe: the cautious and the watchful take stock
    motive = (
        f"wary of {worst.name}"
        if worst is not None and threat > 0.2
        else drives[Action.OBSERVE].motive
        if Action.OBSERVE in drives
        else "wary of unfamiliar ground"
        if view.turn == 1 or arrived_last_turn(view)
        else "taking stock of the situation"
    )
    arrived = view.turn == 1 or arrived_last_turn(view)
    score = (
        0.1
        + 0.3 * t("caution")
        + 0.15 * threat
        + (0.1 + 0.25 * t("caution") if arrived else 0.0)
        + pull(drives, Action.OBSERVE)
    )
    yield score, Intent(Action.OBSERVE, here, view.location, motive)

    # investigate: the curious search where they have not searched
    if view.location in view.searched:
        score, motive = 0.02, f"unwilling to give up on {view.location}"
    else:
        lead = view.location in view.leads
        # Remembered failures here wear down the will to keep searching.
        tries = sum(
            1
            for m in view.memories
            if m.actor_id == view.id
            and m.action == Action.INVESTIGATE
            and m.location == view.location
            and m.outcome in ("failure", "critical_failure")
        )
        score = (
            0.15
            - 0.2 * tries
            + 0.5 * t("curiosity")
            + 0.03 * view.stat("perception")
            + 0.35 * lead
            + pull(drives, Action.INVESTIGATE)
            - 0.4 * threat * t("caution")
        )
        motive = (
            drives[Action.INVESTIGATE].motive
            if Action.INVESTIGATE in drives
            else f"following a lead to {view.location}"
            if lead
            else f"curious about the secrets of {view.location}"
        )
    if _at_the_aim(view) and view.location == view.objective_place:
        score, motive = score + 0.9, f"determined to {view.objective}"
    yield score, Intent(Action.INVESTIGATE, here, view.location, motive)

    # rest: the wounded recover when nobody threatens them
    score = 0.02 + hurt * (0.9 + 0.3 * t("caution")) - 0.6 * threat
    score += pull(drives, Action.REST) * hurt
    motive = (
        "badly hurt"
        if view.health_ratio < 0.5
        else "nursing wounds"
        if hurt > 0
        else "catching a breath"
    )
    yield score, Intent(Action.REST, view.id, view.name, motive)

    # defend: shield a hurt or threatened ally, or brace against a threat
    if worst is not None and threat > 0.1:
        score = 0.05 + threat * (0.35 * t("caution") + 0.3 * hurt + 0.2 * t("discipline"))
        score += pull(drives, Action.DEFEND) * threat
        motive = f"expecting trouble from {worst.name}"
        yield score, Intent(Action.DEFEND, view.id, view.name, motive)
    for ally in view.present:
        if not ally.ally and ally.regard < 0.3:
            continue
        need = (1.0 - ally.health_ratio) + threat
        if need <= 0:
            continue
        score = 0.05 + need * (0.4 * t("loyalty") + 0.2 * max(0.0, ally.regard))
        score += pull(drives, Action.DEFEND) * min(1.0, need)
        motive = (
            drives[Action.DEFEND].motive
            if Action.DEFEND in drives
            else f"shielding {ally.name} from {worst.name}"
            if worst is not None and worst.id != ally.id
            else f"standing by the wounded {ally.name}"
        )
        yield score, Intent(Action.DEFEND, ally.id, ally.name, motive)


def travel_options(view: CharacterView, drives: dict[Action, Drive]) -> Iterator[Option]:
    t = view.trait
    hurt = 1.0 - view.health_ratio
    threat, worst = threat_here(view)
    allies_here = any(p.ally for p in view.present)
    stuck = 0.15 if view.location in view.searched and not view.present else 0.0

    for place in view.locations:
        if place == view.location or place not in view.routes:
            continue
        hop, steps = view.routes[place]
        pid = location_id(hop)
        far = 0.85 ** (steps - 1)  # a place further off pulls a little less
        reasons: list[tuple[float, str]] = [(0.02 + stuck, f"restless at {view.location}")]
        if view.objective and place == view.objective_place:
            pull_in = 0.9 if _at_the_aim(view, 1) else 0.08 + 0.15 * t("courage")
            reasons.append((pull_in, f"set on the chance to {view.objective}"))
        if place in view.leads:
            drive = drives.get(Action.INVESTIGATE)
            reasons.append(
                (
                    0.3 + 0.45 * t("curiosity") + pull(drives, Action.INVESTIGATE),
                    drive.motive if drive else f"following a lead to {place}",
                )
            )
        if place not in view.visited:
            drive = drives.get(Action.SCOUT)
            reasons.append(
                (
                    0.1 + 0.35 * t("curiosity") + pull(drives, Action.SCOUT),
                    drive.motive if drive else f"curious about {place}",
                )
            )
        named = goal_naming(view.goals, place)
        if named and place not in view.searched:
            reasons.append((0.55, goal_motive(named)))
        for other in view.elsewhere:
            if other.location != place:
                continue
            grudge = max(0.0, -other.regard) + 0.35 * other.grudge
            if grudge > 0.2:
                hunt = t("aggression") * min(1.0, grudge) * view.health_ratio
                reasons.append((0.8 * hunt, f"hunting {other.name}"))
            if other.ally and not allies_here:
                reasons.append((0.35 * t("loyalty"), f"seeking out {other.name}"))
            elif other.regard > 0.2 and not view.present:
                reasons.append((0.25 * t("empathy") * other.regard, f"missing {other.name}"))
        for sighting in view.broken_elsewhere:
            if sighting.location != place:
                continue
            named = goal_naming(view.goals, sighting.name)
            drive = drives.get(Action.REPAIR)
            reasons.append(
                (
                    0.05
                    + 0.15 * t("discipline")
                    + pull(drives, Action.REPAIR)
                    + (0.4 if named else 0.0),
                    goal_motive(named)
                    if named
                    else drive.motive
                    if drive
                    else f"meaning to mend {definite(sighting.name)}",
                )
            )
        score = far * sum(s for s, _ in reasons)
        motive = max(reasons, key=lambda r: r[0])[1]  # max keeps the first of equals
        yield score, Intent(Action.MOVE, pid, hop, motive)
        if steps > 1:
            continue  # one only scouts or flees to a place one path away

        # scout: look ahead before going, from caution or to map the land
        if place not in view.scouted and place not in view.visited:
            drive = drives.get(Action.SCOUT)
            score = (
                0.08
                + 0.25 * t("caution")
                + 0.2 * t("curiosity")
                + 0.02 * view.stat("perception")
                + pull(drives, Action.SCOUT)
            )
            motive = drive.motive if drive else f"wanting a first look at {place}"
            yield score, Intent(Action.SCOUT, pid, place, motive)

        # flee: away from a threat when hurt or timid
        if worst is not None and threat > 0.2:
            score = threat * (0.2 + 0.9 * hurt + 0.45 * t("caution") - 0.4 * t("courage"))
            score += pull(drives, Action.FLEE) * threat
            score -= 0.05 * sum(1 for o in view.elsewhere if o.location == place)
            motive = (
                f"badly hurt and fearing {worst.name}"
                if view.health_ratio < 0.5
                else f"wanting no part of {worst.name}'s fury"
            )
            yield score, Intent(Action.FLEE, pid, place, motive)


def repair_options(view: CharacterView, drives: dict[Action, Drive]) -> Iterator[Option]:
    t = view.trait
    has_tool = any(i.kind == TOOL and not i.broken for i in view.carried)
    for item in (*view.carried, *view.lying_here):
        if not item.broken:
            continue
        # A goal may name the thing itself or the place it serves ("the reactor").
        here = "" if item in view.carried else view.location
        named = goal_naming(view.goals, item.name) or goal_naming(view.goals, here)
        score = (
            0.02
            + 0.03 * view.stat("intelligence")
            + 0.2 * t("discipline")
            + (0.2 if has_tool else 0.0)
            + pull(drives, Action.REPAIR)
            + (0.3 if named else 0.0)
        )
        motive = goal_motive(named) if named else f"unwilling to leave {definite(item.name)} broken"
        if _at_the_aim(view) and view.location == view.objective_place:
            score, motive = score + 0.6, f"determined to {view.objective}"
        yield score, Intent(Action.REPAIR, item.id, item.name, motive)
