"""The frame of a chapter: the look of the places, the stakes, the tension of the hour,
the sentence that opens each pattern, and what came of goals and of the scenario."""

from __future__ import annotations

import re
from collections.abc import Sequence

from .facts import TurnFacts
from .model import EventView
from .naming import Names
from .patterns import Pattern
from .settling import settled_by
from .tense import past, perfect, then
from .variety import cap, cycle, join, join_alike, lower_first, pick, sentence

_SCENE = (
    "At {place}, {detail}.", "{Detail} at {place}.", "Over {place}, {detail}.",
    "At {place} {detail}.", "Nothing had changed at {place}: {detail}.",
    "{Detail}, there at {place}.", "Around {place}, {detail}.",
    "It was the same as ever at {place}: {detail}.", "{Detail}; that was {place} for you.",
    "At {place}, as always, {detail}.", "Anyone at {place} would have seen it: {detail}.",
    "The hour found {place} unchanged: {detail}.", "At {place} that hour, {detail}.",
    "There was {place}, and {detail}.", "{Detail}, all across {place}.",
    "By then, at {place}, {detail}.", "Down at {place}, {detail}.", "{Detail}, near {place}.",
    "Whoever passed {place} saw it: {detail}.", "Out at {place}, {detail}.",
)  # fmt: skip
# Shapes that say the place is as it was: never two in a row, so the first hour can step
# back to one that does not.
_SINCE = re.compile(r"changed|unchanged|same as ever|as always")
_PHASE = {
    "peak": ("Everything was coming to a head.", "There was no more time to waste.",
             "Nobody could pretend any longer that there was time.",
             "Whatever was going to happen would happen now.", "It was now or never.",
             "The last of their time was running out.", "Every choice counted now.",
             "The clock had all but run down.", "Nobody spoke of later anymore.",
             "It had to be settled, one way or another, and soon.", "The waiting was over.",
             "From here on, every mistake would stick.", "Nerves were stretched thin.",
             "There would be no second try.", "The end was close enough to taste.",
             "Hours had become minutes.", "They were down to the last throw."),
    "relief": ("The worst, it seemed, had passed.", "For a while the pressure eased.",
               "A strange calm settled in.", "The air went out of the moment.",
               "For the first time in hours, someone laughed.", "The danger drew back a little.",
               "They could breathe again, if only for an hour.",
               "Somebody put a kettle on.", "For once, nothing was on fire.",
               "Hands stopped shaking, for a while.", "The quiet felt almost safe.",
               "Someone slept, briefly and badly.", "There was time to count the damage.",
               "The next blow did not come, not yet.", "It was a lull, and they took it.",
               "Voices dropped back to normal."),
}  # fmt: skip
# The opening has told the scenario; the first chapter says what must be done about it.
_STAKES = (
    "Someone had to {objective}, and it lay at {place}. If nobody did, {consequence}.",
    "The task was plain: {objective}, out at {place}. Fail, and {consequence}.",
    "What mattered now was to {objective}; the way led to {place}. Failure meant that "
    "{consequence}.",
    "There was one way through: {objective}, at {place}. Anything less, and {consequence}.",
    "Sooner or later someone would have to {objective}, and that meant {place}. Nobody "
    "said aloud what failing meant: {consequence}.",
    "Everyone knew the job: {objective}. It meant {place}. Without it, {consequence}.",
    "First things first: {objective}, and that was at {place}. Otherwise {consequence}.",
    "The whole business came down to one errand: {objective}, at {place}. Botch it, and "
    "{consequence}.",
    "It would be decided at {place}: someone had to {objective}, or {consequence}.",
)
_OBSTACLE = ("Worse, {o}.", "And now {o}.", "Word spread that {o}.", "To make it harder, {o}.",
             "Then the news came: {o}.", "On top of everything, {o}.", "Bad news followed: {o}.",
             "As if that were not enough, {o}.")  # fmt: skip
_LEADS = {
    "confrontation": ("It came to blows between {a} and {b}.", "{a} and {b} finally clashed.",
                      "There was no talking {a} down from {b}.", "Then the violence started.",
                      "{a} was done with {b}.", "It turned ugly.",
                      "Nobody could have stopped {a} then.", "The quarrel with {b} boiled over.",
                      "What had been simmering between {a} and {b} came out."),
    "betrayal": ("{b} learned what {a} was worth.", "{a} turned on {b}.",
                 "Trust between {a} and {b} broke.", "{a} chose that moment to betray {b}.",
                 "What {a} did next, {b} would not forget.",
                 "{b} had trusted {a}. That was the mistake.",
                 "It was a betrayal, plain and simple.", "{a} had been waiting for this."),
    "rescue": ("{a} would not let {b} fall.", "{b} was not left alone; {a} saw to that.",
               "{a} went to {b}'s aid.", "Someone had to look after {b}, and {a} did.",
               "{b} needed help, and {a} did not hesitate.", "{a} was there when it counted.",
               "Not everyone looked away from {b}."),
    "resolution": ("It came down to {a}.", "Everything rested on {a} now.",
                   "{a} reached the heart of it.", "This was the moment the whole thing turned.",
                   "Everything they had come for was within reach.",
                   "Now it was up to {a}.",
                   "{a} was the one closest to it.", "All eyes went to {a}.",
                   "The deciding hour belonged to {a}.", "{a} had one chance, and took it.",
                   "What came next rested with {a}.", "Here was the crux, and {a} stood at it."),
}  # fmt: skip
_EPIC_LEADS = {
    "confrontation": ("Then {a} and {b} met in wrath.", "Steel answered steel between {a} and {b}.",
                      "The old enmity of {a} and {b} broke its bounds.",
                      "Wrath woke in {a}, and it turned upon {b}.",
                      "Then came the clash of {a} and {b}, long foretold."),
    "betrayal": ("Then came the treachery of {a}.", "So {a} broke faith with {b}.",
                 "Woe to {b}, who had trusted {a}.", "In that hour {a} turned traitor."),
    "rescue": ("Yet {a} stood between {b} and the dark.", "{a} would not suffer {b} to fall.",
               "Then {a} came to the aid of {b}.",
               "Not alone was {b} in that hour; {a} was there."),
    "discovery": ("And {a} brought a secret out of hiding.",
                  "Then was a hidden thing laid bare by {a}.",
                  "What the dark had kept, {a} found.",
                  "So a secret long buried saw the light for {a}.",
                  "Then fortune showed {a} what others had missed.",
                  "And the earth gave up a secret to {a}.", "Keen were the eyes of {a} that hour.",
                  "To {a} the hidden places opened."),
    "resolution": ("So the hour of {a} came.", "Now all hung upon {a}.",
                   "Thus came {a} to the heart of the matter.", "And the end drew near for {a}."),
}  # fmt: skip


def scene_lines(
    facts: TurnFacts, style: str, key: tuple[object, ...], turn: int = 0, names: Names | None = None
) -> list[str]:
    """The look of the first place in the scene: early on, at a change of phase, and
    every fourth hour (the world turns through three details a place; more would repeat)."""
    if style == "concise" or not facts.scenes:
        return []
    if turn > 2 and turn % 4 and not facts.phase:
        return []
    place, detail = next(iter(facts.scenes.items()))
    template = cycle(_SCENE, turn, key[0] if key else "", place)
    if turn <= 1 and _SINCE.search(template):  # the first hour cannot find it "unchanged"
        template = cycle(_SCENE, turn - 1, key[0] if key else "", place)
    where = names.place(place) if names is not None else place
    return [template.format(place=where, detail=detail, Detail=cap(detail))]


def _clause(text: str) -> str:
    """A sentence as a clause inside another: past tense, no final stop, lower case
    unless it starts with a name."""
    text = past(" ".join(text.split())).rstrip(".!?")
    first = text.split(" ", 1)[0]
    if first in ("A", "An", "The", "Someone", "Somebody", "Nobody", "Everyone"):
        return text[:1].lower() + text[1:]
    return lower_first(text)


def frame(facts: TurnFacts, style: str, key: tuple[object, ...]) -> list[str]:
    """The stakes (the first turn, in the past tense), a new obstacle, and the tension
    of the hour."""
    out: list[str] = []
    if facts.stakes is not None:
        st = facts.stakes
        fill = {
            "objective": past(st.objective), "place": st.place,
            "consequence": st.consequence.rstrip("."),
        }  # fmt: skip
        out.append(pick(_STAKES, *key, "stakes").format(**fill))
    if facts.obstacle:
        out.append(sentence(pick(_OBSTACLE, *key, "ob").format(o=_clause(facts.obstacle))))
    if facts.phase in _PHASE and style != "concise":
        turn = key[1] if len(key) > 1 and isinstance(key[1], int) else 0
        out.append(cycle(_PHASE[facts.phase], turn, key[0] if key else "", "phase"))
    return out


def pattern_lead(pattern: Pattern, names: Names, style: str, key: tuple[object, ...]) -> str:
    """The sentence that opens a dramatic pattern; "" for the quieter ones (a parley, a
    discovery, a pursuit), whose first deed says it well enough."""
    table = _EPIC_LEADS if style == "epic" and pattern.kind in _EPIC_LEADS else _LEADS
    if pattern.kind not in table:
        return ""
    a_id = pattern.people[0]
    b_id = pattern.people[1] if len(pattern.people) > 1 else ""
    turn = key[1] if len(key) > 1 and isinstance(key[1], int) else 0
    sid = key[0] if key else ""
    template = cycle(table[pattern.kind], turn, sid, a_id, pattern.kind)
    if not b_id or b_id == a_id or not names.is_person(b_id):
        if "{b}" in template:
            options = [t for t in table[pattern.kind] if "{b}" not in t] or ["{a} acted."]
            template = cycle(options, turn, sid, a_id, pattern.kind, "alone")
        b_id = ""
    return _fill_people(template, names, a_id, b_id)


def _fill_people(template: str, names: Names, a_id: str, b_id: str) -> str:
    """Name only the people the sentence uses, in the order it uses them."""
    slots = sorted((template.find(s), s) for s in ("{a}", "{b}") if s in template)
    fill = {"a": "", "b": ""}
    for _, slot in slots:
        fill[slot[1]] = names.of(a_id if slot == "{a}" else b_id)
    return template.format(**fill)


_WON = (
    "{w} had managed it: {g}.", "For {w}, one aim was met: {g}.",
    "{w} could count it done: {g}.", "That settled something for {w}: {g}.",
    "{w} got what {w_short} had come for: {g}.",
)  # fmt: skip
_LOST = (
    "{p} had to let it go: {g}.", "Not everything could be saved; {p} would not {g}.",
    "For {p} it came to nothing: {g}.", "{p} saw the chance slip away: {g}.",
)  # fmt: skip
# A settled goal told as done ("had kept everyone alive"), when its verbs are known.
_DONE = (
    "{w} had {d}.", "By then {w} had {d}.", "Whatever else happened, {w} had {d}.",
    "{w} had {d}, and knew it.", "One thing was certain now: {w} had {d}.",
    "So {w} had {d} after all.", "Against the odds, {w} had {d}.",
    "{w} had {d}; nobody could take that away.", "It was done: {w} had {d}.",
    "{w} had {d}, whatever it had cost.", "At least {w} had {d}.",
    "Nobody could say otherwise: {w} had {d}.", "{w} had {d}, and that counted for something.",
)  # fmt: skip
# ... and told with the deed of the hour that settled it ({x}).
_DONE_BY = (
    "{w} had {d}, thanks to {x}.", "{x} had done it: {w} had {d}.",
    "{w} had {d}; {x} had seen to that.", "It was {x} that did it: {w} had {d}.",
    "With {x}, {w} had {d}.",
)  # fmt: skip
_ALL_DONE = (
    "{w} had each done what they came to do.", "{w} had all got what they came for.",
    "For {w}, what they had set out to do was done.",
    "{w} could each count their work done.",
    "{w} had each finished what they started.", "None of {w} left anything undone.",
)  # fmt: skip
_SOME_DONE = (  # for a reckoning where some of them also lost an aim
    "{w} had each seen an aim through.", "For {w}, at least one aim was met.",
    "{w} each had something to show for it.",
    "{w} had each won something back.", "Some of it had gone right for {w}.",
)  # fmt: skip
_WON_AGAIN = (
    "It paid off for {w}.", "For {w}, that settled it.", "{w} had done it.",
    "That aim, at least, {w} had met.", "{w} had what mattered.",
)  # fmt: skip
_LOST_AGAIN = (
    "It came to nothing for {w}.", "{w} had to give it up.", "For {w}, it was lost.",
    "That hope was gone for {w}.",
)  # fmt: skip
_ALL_LOST = (  # for a reckoning where three or more lost an aim
    "{w} each left something undone.", "Not everything had gone their way: {w} each fell short.",
    "{w} each had an aim that came to nothing.", "Some hopes died there, for {w} alike.",
    "{w} would each carry off an unfinished errand.", "{w} each had to let something go.",
)  # fmt: skip
_FAILED = (
    "{p} never did {g}.", "It was too late now for {p} to {g}.", "{p} had failed to {g}.",
    "There was no longer any hope that {p} would {g}.", "{p} would not {g}, not now.",
    "{p} had meant to {g}, but it was not to be.",
    "{p} would have to live with it: the chance to {g} was gone.",
    "{p} had hoped to {g}. That hope was spent.", "Nothing would let {p} {g} now.",
)  # fmt: skip


def _goal(text: str) -> str:
    return lower_first(" ".join(text.split()).rstrip("."))


def _goal_sentence(
    verdict: int,
    who: list[str],
    goals: list[str],
    names: Names,
    key: tuple[object, ...],
    n: int,
    deeds: Sequence[EventView] = (),
    told: set[str] | None = None,
) -> str:
    """One sentence for everyone who settled the very same goals the same way. The
    chapter's sentences take consecutive shapes, so a long reckoning does not repeat one."""
    turn = key[1] if len(key) > 1 and isinstance(key[1], int) else 0
    sid = key[0] if key else ""
    told = set() if told is None else told
    name = join([names.of(i) for i in who])
    if len(who) > 1:
        name += " both" if len(who) == 2 else " all"
    done = [perfect(g) for g in goals] if verdict > 0 else []
    how = settled_by(goals, deeds, names) if done and all(done) and len(who) == 1 else ""
    if how and how in told:  # one deed settling two people's aims is said once
        how = ""
    told.add(how)
    if how:  # how the hour settled it, rather than a word on how it felt
        template = cycle(_DONE_BY, turn + n, sid, "done-by")
        return cap(template.format(w=name, d=join_alike(done), x=how))
    if done and all(done):
        template = cycle(_DONE if len(who) == 1 else _DONE[:3], turn + n, sid, "done")
        return template.format(w=name, d=join_alike(done)).replace(" both had ", " had both ")
    if verdict < 0:
        template = cycle(_FAILED if len(who) == 1 else _FAILED[:1], turn + n, sid, "failed")
        # Told from after it: "had meant to sell what she found", not "finds".
        return template.format(p=name, g=join_alike([then(g) for g in goals]))
    template = cycle(_WON, turn + n, sid, verdict)
    pronoun = names.pronoun(who[0]) if len(who) == 1 else ""
    return template.format(w=name, w_short=names.short(who[0]), g=join_alike(goals)).replace(
        f"what {name} had come", f"what {pronoun or 'they'} had come"
    )


# After a scenario settled before the last hour: why the story goes on a little.
_DENOUEMENT = (
    "It was over, or nearly; what remained were wounds to tend and things still unsaid.",
    "The hard part was done. The hours left belonged to the loose ends.",
    "Nobody left at once. There were debts to settle and questions still hanging.",
    "That was the end of it, though not yet of them: there was still the way back to find.",
    "After that the pressure went out of everything, and the rest was aftermath.",
    "The danger had passed; the arguing had not.", "What was left was tidying up.",
    "The rush was over.", "Nobody cheered. They were too tired.", "The crisis was spent.",
    "It was finished, more or less.", "Small chores filled what remained.",
    "Someone said it was over. Nobody quite believed it.",
    "They had won. Now they had to live with how.",
)  # fmt: skip


def goal_lines(
    facts: TurnFacts, names: Names, style: str, key: tuple[object, ...], last: bool = True
) -> list[str]:
    """What came of goals this hour, one sentence a person (or for all who settled the
    same goals alike), then the scenario's end; when it came before the `last` hour, a
    line on what the hours left are for."""
    out: list[str] = []
    hows: set[str] = set()  # the deeds already named as what settled an aim
    for verdict in (1, -1):
        people: list[str] = []
        goals: dict[str, list[str]] = {}
        for who, goal, value in facts.goals:
            if (value > 0) == (verdict > 0):
                if who not in goals:
                    people.append(who)
                goals.setdefault(who, []).append(_goal(goal))
        alike: dict[tuple[str, ...], list[str]] = {}
        for who in people:
            alike.setdefault(tuple(goals[who]), []).append(who)
        if verdict > 0 and len(alike) >= 3:
            # A reckoning that settles many goals at once says so in one sentence; each
            # goal was told when it was first acted on.
            lost = {who for who, _, value in facts.goals if value <= 0}
            template = pick(_SOME_DONE if lost & set(people) else _ALL_DONE, *key, "all-done")
            out.append(template.format(w=join([names.of(i) for i in people])))
            continue
        if verdict < 0 and len(alike) >= 3:
            # Likewise the losses: one sentence, not a wall of aims each retold in full.
            template = pick(_ALL_LOST, *key, "all-lost")
            out.append(template.format(w=join([names.of(i) for i in people])))
            continue
        for n, (settled, who_all) in enumerate(alike.items()):
            if len(who_all) == 1 and all(
                (who_all[0], " ".join(g.split()).lower()) in facts.stated for g in settled
            ):
                # Its motive said it a few lines up: a short word, not the goal again.
                shapes = _WON_AGAIN if verdict > 0 else _LOST_AGAIN
                step = n + (key[1] if len(key) > 1 and isinstance(key[1], int) else 0)
                template = cycle(shapes, step, key[0] if key else "", "again")
                out.append(template.format(w=names.of(who_all[0])))
                continue
            deeds = facts.deeds.get(who_all[0], []) if len(who_all) == 1 else []
            out.append(_goal_sentence(verdict, who_all, list(settled), names, key, n, deeds, hows))
    if facts.resolution is not None:
        what, verdict_value = facts.resolution
        what = _clause(what)
        event = facts.resolution_event
        who = event.actor_id if event is not None and names.is_person(event.actor_id) else ""
        if verdict_value > 0 and who:
            # Whose deed it was, so the climax does not read as one more search.
            shape = pick(
                (
                    "{a} had done it: {w}",
                    "It was {a}'s doing, in the end: {w}",
                    "{a} saw it through, and {w}",
                    "Because of {a}, {w}",
                ),
                *key,
                "res",
            )
            out.append(sentence(shape.replace("{a}", names.of(who)).format(w=what)))
        elif verdict_value > 0:
            out.append(sentence(pick(("In the end, {w}", "And so {w}", "At last {w}"),
                                     *key, "res").format(w=what)))  # fmt: skip
        else:
            out.append(sentence(pick(("Time ran out: {w}", "Nobody reached it in time, and {w}"),
                                     *key, "res").format(w=what)))  # fmt: skip
        if verdict_value > 0 and not last and style != "concise":
            out.append(pick(_DENOUEMENT, *key, "after"))
    return out
