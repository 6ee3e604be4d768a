"""Lines of dialogue: what a character says when they talk, sway, lie, bargain, tend,
guard or strike, in their own voice (temperament from the event's "voice" effect) and
coloured by how they feel about the listener (its value)."""

from __future__ import annotations

from .facts import voices
from .model import EventView
from .naming import Names, first_name, short_place
from .variety import cap, pick

_OPENERS = {
    "blunt": ("", "Enough. ", "Look. "), "warm": ("{first}, ", "Easy, {first}. ", ""),
    "sly": ("Between us, ", "Now then. ", ""), "clipped": ("", "Listen. ", "Right. "),
    "eager": ("Look! ", "Oh, {first}! ", ""), "wary": ("Careful. ", "Quietly, ", ""),
    "bold": ("Right. ", "", "Hear me. "), "earnest": ("Please. ", "Honestly, ", ""),
    "plain": ("", "Well. "),
}  # fmt: skip
_TAGS = {
    "blunt": ("said flatly", "snapped"), "warm": ("said gently", "said softly"),
    "sly": ("murmured", "said with a thin smile"), "clipped": ("said", "said curtly"),
    "eager": ("burst out", "said quickly"), "wary": ("whispered", "said, eyes on the dark"),
    "bold": ("declared", "said loudly"), "earnest": ("insisted", "said earnestly"),
    "plain": ("said", "answered"),
}  # fmt: skip

_SPEECH: dict[tuple[str, str], tuple[str, ...]] = {
    ("talk", "news"): ("I found {clue}. You should know", "It's {clue}. That's what I found",
                       "There was {clue} at {place}. Think about what it means"),
    ("talk", "knew"): ("About {clue}, I think", "I wanted to tell you about {clue}"),
    ("talk", "chat"): ("How long can we keep this up", "We can't stay at {place} forever",
                       "Tell me what you make of all this", "Do you trust any of them"),
    ("talk", "fail"): ("Can we talk", "A word, {first}"),
    ("persuade", "win"): ("Stand with me. We do this together or not at all",
                          "You know I'm right, {first}", "Hear me out before you decide"),
    ("persuade", "fail"): ("Just listen to me", "You're making a mistake, {first}"),
    ("deceive", "win"): ("Trust me, I've seen {place} with my own eyes",
                         "Let me hold that for you. Just for now",
                         "Nobody has been near it. I swear"),
    ("deceive", "fail"): ("Trust me on this", "Would I lie to you, {first}"),
    ("trade", "win"): ("What would you take for that", "Let's make a fair swap, {first}"),
    ("trade", "fail"): ("Name your price", "Everything's for sale, isn't it"),
    ("help", "win"): ("Hold still. This will sting", "Breathe. I've got you, {first}"),
    ("help", "fail"): ("Stay with me, {first}", "Hold on, just hold on"),
    ("attack", "hate"): ("This ends now", "You had this coming, {first}", "No more lies"),
    ("attack", "cold"): ("Out of my way", "Nothing personal"),
    ("defend", "win"): ("Stay behind me, {first}", "Nobody touches {first}"),
}  # fmt: skip
_REPLIES: dict[str, tuple[str, ...]] = {
    "news": ("Then we move now", "Show me", "That changes everything"),
    "knew": ("I know. I found it before you did", "Old news, {first}"),
    "chat": ("Longer than they think", "Not much. Not yet", "I'm still deciding"),
    "fail": ("Not now", "I've nothing to say to you", "Leave it"),
    "persuade_win": ("All right. I'm with you", "Fine. For now", "You've made your point"),
    "persuade_fail": ("No. Find someone else", "I've heard enough"),
    "deceive_fail": ("Do you take me for a fool", "I know a lie when I hear one"),
    "trade_win": ("Done", "Deal. Don't make me regret it"),
    "trade_fail": ("Not for that", "You'll have to do better"),
    "help_win": ("Thank you", "I owe you one, {first}"),
}  # fmt: skip


def _case(event: EventView) -> tuple[str, str]:
    """(speech key, reply key) for the event; ("", "") when nothing is said."""
    won = event.outcome in ("success", "critical_success", "none")
    kinds = {f.kind for f in event.effects}
    a = event.action
    if a == "talk":
        if not won:
            return "fail", "fail"
        if "learned" in kinds:
            return "news", "news"
        return ("knew", "knew") if "knew" in kinds else ("chat", "chat")
    if a in ("persuade", "deceive", "trade", "help"):
        suffix = "win" if won else "fail"
        reply = f"{a}_{suffix}" if f"{a}_{suffix}" in _REPLIES else ""
        return suffix, reply
    if a == "attack":
        return ("hate" if voices(event).get(event.actor_id, ("", 0.0))[1] < -0.2 else "cold"), ""
    if a == "defend" and event.target_id and event.target_id != event.actor_id:
        return "win", ""
    return "", ""


def _quote(text: str, speaker: str, voice: str, key: tuple[object, ...]) -> str:
    tag = pick(_TAGS.get(voice, _TAGS["plain"]), *key, "tag")
    mark = "?" if text.split(" ", 1)[0] in ("How", "Do", "Can", "Would", "What", "Who") else ""
    shape = pick(("after", "before"), *key, "shape")
    if shape == "before":
        return f'{speaker} {tag}: "{cap(text)}{mark or "."}"'
    return f'"{cap(text)}{mark or ","}" {speaker} {tag}.'


def lines(event: EventView, names: Names, key: tuple[object, ...]) -> list[str]:
    """The quoted exchange for a spoken or aimed action: the actor's line, and the
    listener's reply when there is one."""
    speech, reply = _case(event)
    table = _SPEECH.get((event.action, speech))
    if not table:
        return []
    heard = voices(event)
    voice, regard = heard.get(event.actor_id, ("plain", 0.0))
    listener = names.of(event.target_id, event.target_name)
    clue = next((f.detail for f in event.effects if f.kind in ("learned", "knew")), "")
    where = short_place(event.location) if event.location else "here"
    fill = {"first": first_name(listener), "clue": clue, "place": where}
    if event.action == "deceive":
        misled = next((f.detail for f in event.effects if f.kind == "misled"), "")
        fill["place"] = short_place(misled) if misled else where
    opener = pick(_OPENERS.get(voice, _OPENERS["plain"]), *key, "open")
    if regard <= -0.3 and event.action in ("talk", "persuade"):
        opener = "I haven't forgotten what you did. "
    line = pick(table, *key, "say")
    if opener.endswith(", "):
        line = line[:1].lower() + line[1:] if not line.startswith("I ") else line
    said = (opener + line).format(**fill)
    actor = names.of(event.actor_id, event.actor_name)
    out = [_quote(said, actor, voice, key)]
    if reply and reply in _REPLIES:
        their_voice = heard.get(event.target_id, ("plain", 0.0))[0]
        answer = pick(_REPLIES[reply], *key, "reply").format(first=first_name(actor))
        out.append(_quote(answer, listener, their_voice, (*key, "r")))
    return out
