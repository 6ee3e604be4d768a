"""Present-tense fragments (a user's scenario, a world's obstacle) read in the past tense
of the prose: "A distress signal pulses under the ice" -> "A distress signal pulsed
under the ice"; "the shelf is breaking up" -> "the shelf was breaking up".

A small rule set, not a parser: auxiliaries are swapped, and when no verb is in the
past already, the first third-person verb after the subject ("pulses", "points") is.
A sentence it cannot read is left as it was.
"""

from __future__ import annotations

import functools

_AUX = {
    "is": "was", "are": "were", "has": "had", "have": "had", "will": "would", "can": "could",
    "does": "did", "do": "did", "isn't": "wasn't", "aren't": "weren't", "won't": "wouldn't",
    "hasn't": "hadn't", "can't": "couldn't", "doesn't": "didn't", "may": "might",
    "shall": "should", "stands": "stood", "lies": "lay", "holds": "held", "keeps": "kept",
    "goes": "went", "comes": "came", "runs": "ran", "knows": "knew", "seems": "seemed",
    "says": "said", "sends": "sent", "begins": "began", "grows": "grew", "hides": "hid",
    "spreads": "spread", "rises": "rose", "falls": "fell", "sinks": "sank", "breaks": "broke",
    "leaves": "left", "makes": "made", "takes": "took", "finds": "found", "gets": "got",
    "cuts": "cut", "puts": "put", "sets": "set", "hits": "hit", "shuts": "shut",
    "buries": "buried", "pays": "paid", "tears": "tore",
    "freezes": "froze", "drives": "drove", "wakes": "woke", "shakes": "shook",
}  # fmt: skip
_AUXILIARIES = frozenset(
    [
        "is",
        "are",
        "has",
        "have",
        "will",
        "can",
        "does",
        "do",
        "isn't",
        "aren't",
        "won't",
        "hasn't",
        "can't",
        "doesn't",
        "may",
        "shall",
    ]
)
_DETERMINERS = frozenset(
    [
        "a",
        "an",
        "the",
        "this",
        "that",
        "these",
        "those",
        "my",
        "our",
        "his",
        "her",
        "their",
        "its",
        "some",
        "every",
        "each",
        "no",
        "one",
    ]
)
_NOT_VERBS = frozenset(
    [
        "is",
        "was",
        "as",
        "this",
        "his",
        "its",
        "us",
        "thus",
        "plus",
        "always",
        "perhaps",
        "news",
        "series",
        "species",
        "whereas",
        "ships",
        "boots",
        "tracks",
        "miners",
        "lives",
        "years",
        "days",
        "nights",
        "hours",
    ]
)


def _past_of(verb: str) -> str:
    if verb in _AUX:
        return _AUX[verb]
    stem = verb[:-1]
    if verb.endswith("ies"):
        return verb[:-3] + "ied"
    if verb.endswith(("sses", "shes", "ches", "xes", "zzes")):
        return verb[:-2] + "ed"
    if stem.endswith("e"):
        return stem + "d"
    return stem + "ed"


# Past forms that show a sentence is told in the past already ("the proof hit the
# front pages": "pages" is then no verb to put in the past).
_ALREADY_PAST = frozenset((
    "was", "were", "had", "hit", "fell", "came", "went", "took", "made", "broke", "held",
    "found", "brought", "got", "ran", "lost", "gave", "left", "kept", "told", "struck", "won",
    "saw", "knew", "led", "froze", "rose", "sank", "stood", "tore", "wore", "drew", "grew",
))  # fmt: skip


@functools.lru_cache(maxsize=256)
def past(text: str) -> str:
    words = text.split(" ")
    lowered = [w.lower().strip(",;:.!?") for w in words]
    aux = [i for i, w in enumerate(lowered) if w in _AUXILIARIES]
    for i in aux:
        words[i] = _keep_case(words[i], _AUX[lowered[i]])
    before = aux[0] if aux else len(words)
    if any(w.endswith("ed") or w in _ALREADY_PAST for w in lowered[:before]):
        return " ".join(words)
    # The first "-s" word after a determiner and at least one noun is the verb.
    for i in range(1, before):
        w = lowered[i]
        if (
            w.endswith("s")
            and not w.endswith(("ss", "us", "'s"))
            and w not in _NOT_VERBS
            and lowered[i - 1] not in _DETERMINERS
            and (i + 1 >= len(words) or lowered[i + 1] not in _AUXILIARIES)
            and (
                any(x in _DETERMINERS for x in lowered[:i])
                or all(x[:1].isupper() for x in words[:i])
            )
        ):
            words[i] = _keep_case(words[i], _past_of(w))
            break
    return " ".join(words)


def _keep_case(original: str, new: str) -> str:
    tail = original[len(original.rstrip(",;:.!?")) :]
    return new + tail


# Goals are worded as bare infinitives ("learn who took it", "keep everyone alive");
# a settled one reads as done: "had learned who took it", "had kept everyone alive".
_PARTICIPLES = {
    "keep": "kept", "get": "got", "find": "found", "sell": "sold", "hold": "held",
    "stand": "stood", "make": "made", "win": "won", "see": "seen", "catch": "caught",
    "map": "mapped", "stop": "stopped", "bring": "brought", "take": "taken", "give": "given",
    "lay": "laid", "tell": "told", "break": "broken", "go": "gone", "run": "run",
    "lead": "led", "buy": "bought", "build": "built", "teach": "taught", "seek": "sought",
    "send": "sent", "hide": "hidden", "steal": "stolen", "set": "set", "put": "put",
    "shut": "shut", "pay": "paid", "meet": "met", "leave": "left", "do": "done",
    "spend": "spent", "drive": "driven", "rise": "risen", "write": "written",
}  # fmt: skip
_REGULAR = frozenset(
    (
        "learn", "uncover", "protect", "secure", "chart", "crack", "repair", "broker",
        "discover", "catalogue", "expose", "reach", "recover", "rescue", "save", "prove",
        "restore", "stabilise", "stabilize", "destroy", "guard", "warn", "free", "defend",
        "escape", "return", "clear", "open", "seal", "track", "unmask", "avenge", "survive",
        "earn", "claim", "settle", "finish", "deliver", "help", "heal", "mend", "collect",
        "gather", "record", "answer", "solve", "retrieve", "convince", "persuade", "trade",
        "outlast", "confront", "follow", "explore", "search", "salvage", "bargain", "restart",
    )
)  # fmt: skip


def _participle(verb: str) -> str:
    low = verb.lower()
    if low in _PARTICIPLES:
        return _PARTICIPLES[low]
    if low not in _REGULAR:
        return ""
    if low.endswith("e"):
        return low + "d"
    if low.endswith("y") and low[-2:-1] not in "aeiou":
        return low[:-1] + "ied"
    return low + "ed"


_NOW_THEN = {
    "finds": "found", "knows": "knew", "sees": "saw", "has": "had", "is": "was", "are": "were",
    "find": "found", "know": "knew", "see": "saw", "have": "had", "wants": "wanted",
    "comes": "came", "cuts": "cut", "falls": "fell", "strikes": "struck", "returns": "returned",
    "closes": "closed", "breaks": "broke", "runs": "ran", "gets": "got", "reaches": "reached",
    "fails": "failed", "dies": "died", "sinks": "sank", "ends": "ended", "goes": "went",
    "happens": "happened", "starts": "started", "gives": "gave", "leaves": "left",
}  # fmt: skip
# Words after which a present-tense verb is the goal's own clause ("anyone who comes",
# "before the sandstorm cuts off the town").
_PRONOUNS = frozenset(("she", "he", "they", "it", "nobody", "no one", "everyone", "who",
                       "sandstorm", "storm", "tide", "night", "ice", "winter", "dark"))  # fmt: skip


def then(text: str) -> str:
    """A goal's own present tense told from after it: "what she finds" -> "what she
    found", "that nobody is left behind" -> "that nobody was left behind"."""
    words = text.split(" ")
    for i in range(1, len(words)):
        if words[i - 1].lower() in _PRONOUNS and words[i] in _NOW_THEN:
            words[i] = _NOW_THEN[words[i]]
    return " ".join(words)


@functools.lru_cache(maxsize=512)
def perfect(goal: str) -> str:
    """ "keep the map and learn who took it" -> "kept the map and learned who took it";
    "" when a part does not start with a verb it knows (the caller words it otherwise)."""
    parts = goal.split(" and ")
    out: list[str] = []
    for n, part in enumerate(parts):
        verb, _, rest = part.partition(" ")
        if verb.lower() == "see" and rest.startswith("that "):  # "see that X" is seen to
            rest = "to it " + rest
        done = _participle(verb)
        if done:
            out.append(f"{done} {rest}".strip())
        elif n:  # "... and the city" belongs to the part before it
            out[-1] += " and " + part
        else:
            return ""
    return then(" and ".join(out))
