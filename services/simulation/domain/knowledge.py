"""What one character knew, and how it came to know it.

`KnowledgeTrail` follows a character through the turns of a run. It reads only the
events the engine stored in that character's memory (those it did, was the target of,
or witnessed where it stood; a whisper only its addressee), so it can never report what
the character could not have seen. Each piece of knowledge cites those events by id
("<turn>.<sequence>", as chapters do) and says how it was had: did, seen, found, told
(by whom) or whispered (by the director).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .actions import DIRECTOR_ID
from .engine import TurnResult
from .events import TurnEvent
from .world import WorldState


@dataclass(frozen=True)
class Source:
    event_id: str
    how: str  # did | seen | found | told | whispered
    by_id: str = ""
    by_name: str = ""


@dataclass(frozen=True)
class Known:
    text: str
    sources: tuple[Source, ...]


@dataclass(frozen=True)
class Knowledge:
    character_id: str
    turn: int
    facts: tuple[Known, ...]
    beliefs: tuple[Known, ...]
    memories: tuple[Known, ...]


def event_id(event: TurnEvent) -> str:
    return f"{event.turn}.{event.sequence}"


@dataclass
class KnowledgeTrail:
    """Feed it every turn of the run in order (`follow`), then ask `at(world)`."""

    character_id: str
    _facts: dict[str, list[Source]] = field(default_factory=dict)
    _beliefs: dict[str, list[Source]] = field(default_factory=dict)
    _clues: dict[str, str] = field(default_factory=dict)  # clue name -> fact text
    _events: dict[str, TurnEvent] = field(default_factory=dict)  # witnessed, by id

    def follow(self, result: TurnResult) -> None:
        me = result.world.find_character(self.character_id)
        if me is None:
            return
        witnessed = {m.sequence for m in me.memories if m.turn == result.turn}
        for event in result.events:
            if event.sequence in witnessed:
                self._events[event_id(event)] = event
                self._learn(result.world, event)

    def _note(self, book: dict[str, list[Source]], text: str, source: Source) -> None:
        sources = book.setdefault(text, [])
        if source not in sources:
            sources.append(source)

    def _learn(self, world: WorldState, event: TurnEvent) -> None:
        me, eid = self.character_id, event_id(event)
        own = event.actor_id == me
        seen = Source(eid, "did" if own else "seen")
        for effect in event.effects:
            kind, subject = effect.kind, effect.subject_id
            if kind == "clue_found":
                if own:
                    text = self._clues.setdefault(effect.detail, f"knows of {effect.detail}")
                    self._note(self._facts, text, Source(eid, "found"))
                else:
                    text = f"{event.actor_name} knows of {effect.detail}"
                    self._note(self._facts, text, seen)
            elif kind == "learned" and subject == me:
                teller = event.target_id if event.actor_id == me else event.actor_id
                text = self._clues.setdefault(effect.detail, f"knows of {effect.detail}")
                self._note(self._facts, text, Source(eid, "told", teller, _name(world, teller)))
            elif kind in ("learned", "knew"):
                text = f"{_name(world, subject)} knows of {effect.detail}"
                self._note(self._facts, text, seen)
            elif kind == "killed":
                self._note(self._facts, f"{_name(world, subject)} is dead", seen)
            elif kind in ("lead", "misled") and subject == me:
                # A false lead looks like a true one to whoever follows it.
                # Found by one's own search; a quake or a rumour (the director's event)
                # or someone's lie only showed it.
                text = f"something seems hidden at {effect.detail}"
                self._note(self._beliefs, text, Source(eid, "found" if own else "seen"))
            elif kind == "relationship" and subject == me:
                self._note(self._beliefs, effect.detail, seen)
            elif kind == "directed_whisper" and subject == me:
                whispered = Source(eid, "whispered", DIRECTOR_ID, "the director")
                self._note(self._facts, effect.detail, whispered)
            elif kind == "directed_goal" and subject == me:
                self._note(self._beliefs, f"wants to {effect.detail}", Source(eid, "whispered"))

    def at(self, world: WorldState) -> Knowledge:
        """The knowledge once the turns fed so far are done, `world` being the state then."""
        me = world.find_character(self.character_id)
        if me is None:  # a newcomer who has not entered yet knows nothing of the run
            return Knowledge(self.character_id, world.turn, (), (), ())
        clue_names = {world.clue(c).name for c in me.known_clues}
        facts = [
            Known(text, tuple(sources))
            for text, sources in self._facts.items()
            # A clue of one's own is listed while it is known (all are, once learned).
            if not text.startswith("knows of ") or text[len("knows of ") :] in clue_names
        ]
        memories = [
            Known(_memory_text(world, m.actor_id, m.action, m.target_id, m.location, m.outcome),
                  (Source(f"{m.turn}.{m.sequence}",
                          "did" if m.actor_id == me.id else
                          "whispered" if m.actor_id == DIRECTOR_ID and m.target_id == me.id
                          and m.action in ("whisper", "goal") else "seen"),))
            for m in me.memories
        ]  # fmt: skip
        return Knowledge(
            character_id=me.id,
            turn=world.turn,
            facts=tuple(facts),
            beliefs=tuple(Known(t, tuple(s)) for t, s in self._beliefs.items()),
            memories=tuple(memories),
        )


def _name(world: WorldState, char_id: str) -> str:
    char = world.find_character(char_id)
    return char.name if char is not None else char_id


def _memory_text(
    world: WorldState, actor: str, action: str, target: str, place: str, outcome: str
) -> str:
    who = "the director" if actor == DIRECTOR_ID else _name(world, actor)
    whom = f" {_name(world, target)}" if target and not target.startswith("loc:") else ""
    where = f" at {place}" if place else ""
    return f"{who}: {action}{whom}{where} ({outcome})"
