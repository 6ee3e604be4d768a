"""Lines of dialogue: what a character says when they talk, sway, lie, bargain, tend,
guard or strike, in their own voice (temperament from the event's "voice" effect) and
coloured by how they feel about the listener (its value)."""

from __future__ import annotations

from .consequences import source_of
from .facts import voices
from .model import EventView
from .naming import Names, first_name, short_place, short_thing
from .variety import cap, cycle, definite, pick

_OPENERS = {
    "blunt": ("", "", "Enough. ", "Look. ", "No more games. ", "Listen to me. ", "Straight up. "),
    "warm": ("{first}, ", "Easy, {first}. ", "", "", "Hey. ", "Come here. ", "Oh, {first}. "),
    "sly": ("Between us, ", "Now then. ", "", "", "Funny thing. ", "Here's a thought. ",
            "Just so you know, "),
    "clipped": ("", "", "Listen. ", "Right. ", "Quickly. ", "Briefly, ", "One thing. "),
    "eager": ("Look! ", "Oh, {first}! ", "", "", "Wait, wait. ", "Guess what. ", "Listen! "),
    "wary": ("Careful. ", "Quietly, ", "", "", "Keep your voice down. ", "Don't turn round. ",
             "Not here. Well, "),
    "bold": ("Right. ", "", "", "Hear me. ", "Look at me. ", "Mark this. ", "Listen up. "),
    "earnest": ("Please. ", "Honestly, ", "", "", "I mean this. ", "{first}, please. ",
                "Truly, "),
    "plain": ("", "", "Well. ", "So. ", "Look, ", "All right. "),
}  # fmt: skip
# A speech tag is a verb and a manner, chosen apart, in the speaker's temperament.
_TAG_VERBS = {
    "blunt": ("said", "snapped", "barked", "said", "growled"),
    "warm": ("said", "murmured", "offered", "said", "said"),
    "sly": ("murmured", "said", "purred", "remarked", "drawled"),
    "clipped": ("said", "stated", "said", "reported", "answered"),
    "eager": ("burst out", "said", "blurted", "exclaimed", "said"),
    "wary": ("whispered", "said", "muttered", "breathed", "said"),
    "bold": ("declared", "said", "announced", "called out", "said"),
    "earnest": ("insisted", "said", "pleaded", "urged", "said"),
    "plain": ("said", "answered", "replied", "said", "remarked"),
}  # fmt: skip
_MANNERS = {
    "blunt": ("flatly", "without ceremony", "", "bluntly", "with a shrug", "through gritted teeth",
              "coldly"),
    "warm": ("gently", "softly", "with a tired smile", "kindly", "", "warmly",
             "with a small nod", "quietly"),
    "sly": ("with a thin smile", "lightly", "", "sweetly", "with a wink", "idly",
            "smoothly"),
    "clipped": ("curtly", "", "not looking up", "briskly", "tersely", "without looking round"),
    "eager": ("quickly", "almost laughing", "", "breathlessly", "all in a rush",
              "with shining eyes"),
    "wary": ("under their breath", "eyes on the dark", "", "glancing round", "barely aloud",
             "uneasily"),
    "bold": ("loudly", "", "for all to hear", "firmly", "with a grin", "chin up"),
    "earnest": ("earnestly", "", "urgently", "with feeling", "leaning closer", "gravely"),
    "plain": ("quietly", "", "evenly", "after a pause", "simply", "at last"),
}  # fmt: skip


def _tag(voice: str, key: tuple[object, ...], pronoun: str, reply: bool) -> str:
    # The first line of an exchange answers nobody.
    verbs = [
        v for v in _TAG_VERBS.get(voice, _TAG_VERBS["plain"])
        if reply or v not in ("answered", "replied")
    ]  # fmt: skip
    verb = pick(verbs, *key, "tag")
    manner = pick(_MANNERS.get(voice, _MANNERS["plain"]), *key, "manner")
    if pronoun:
        manner = manner.replace("their", "her" if pronoun == "she" else "his")
    if not manner:
        return verb
    return (
        f"{verb}, {manner}"
        if manner.startswith(("not ", "eyes ", "glancing", "almost", "leaning", "chin "))
        else f"{verb} {manner}"
    )


# A second sentence after a line (none after a question), in the speaker's manner.
_CLOSERS = {
    "blunt": ("", "", ". Don't argue", ". That's all", ". No excuses", ". Move"),
    "warm": ("", "", ". I mean it", ". We'll manage", ". Go easy", ". Take care of yourself"),
    "sly": ("", "", ". Think it over", ". No one needs to know", ". Interesting, isn't it",
            ". Just a thought"),
    "clipped": ("", "", ". That's it", ". That's all I know", ". Think on it", ". Keep up"),
    "eager": ("", "", ". Come on", ". This is it", ". I knew it", ". Isn't it something"),
    "wary": ("", "", ". Don't trust it", ". Keep your head down", ". We're being watched",
             ". Something's off"),
    "bold": ("", "", ". Follow me", ". No one turns back", ". We finish this", ". Now"),
    "earnest": ("", "", ". Please believe me", ". It matters", ". I promise",
                ". I wouldn't ask otherwise"),
    "plain": ("", "", ". That's how it is", ". Nothing more to say", ". Anyway",
              ". We'll see"),
}  # fmt: skip
_FOND = (". I'm glad it's you, {first}", ". You know I'd do the same for you",
         ". I trust you, {first}", ". We look after each other")  # fmt: skip
_REPLY_LEADS = {
    "blunt": ("", "", "", "Hm. ", "Fine. "), "warm": ("", "", "", "Oh, ", "Ah. "),
    "sly": ("", "", "", "Well, well. ", "Mm. "), "clipped": ("", "", "", "Noted. ", "Fine. "),
    "eager": ("", "", "", "Oh! ", "Yes, yes. "), "wary": ("", "", "", "Hush. ", "Not so loud. "),
    "bold": ("", "", "", "Ha. ", "Good. "), "earnest": ("", "", "", "Truly, ", "Honestly? "),
    "plain": ("", "", "", "Well. ", "Hm. "),
}  # fmt: skip
# How a line opens to someone the speaker resents, or trusts.
_GRUDGING = (
    "I haven't forgotten what you did. ", "Don't think this makes us friends. ",
    "I'm only saying this once. ", "Whatever you think of me, listen. ",
    "You owe me this much. ",
)  # fmt: skip
_TRUSTING = (
    "You're the only one I'd tell this. ", "Between friends, ", "I know I can say this to you. ",
    "{first}, you of all people should hear this. ",
)  # fmt: skip
_INTERJECTIONS = frozenset(
    ("Yes", "No", "Fine", "Well", "Oh", "Ha", "Hm", "Good", "Noted", "Done", "Deal", "Ah", "Not")
)
_QUESTIONS = ("How", "Do", "Can", "Would", "What", "Who", "Why", "Where", "Is", "Are", "Did",
              "Have", "Has", "Will", "Could", "Should", "Does")  # fmt: skip
_SPEECH: dict[tuple[str, str], tuple[str, ...]] = {
    ("talk", "news"): ("I found {clue}. You should know", "It's {clue}. That's what I found",
                       "There was {clue} at {place}. Think about what it means",
                       "I turned up {clue}. Tell me I'm wrong to worry",
                       "You need to see what I found: {clue}",
                       "What do you make of this? {Clue}",
                       "Look at this. {Clue}, right there at {place}",
                       "I wasn't looking for it, but there it was: {clue}",
                       "Keep this quiet: I found {clue}",
                       "We were wrong about {place}. I found {clue}",
                       "Before you say anything: {clue}. At {place}",
                       "I've got {clue}, and I don't like it",
                       "It was at {place}. {Clue}. Make of it what you will"),
    # News the speaker had from someone else: whose find it was, and where.
    ("talk", "relayed"): ("{finder} found {clue} at {place}. You should know too",
                          "Word from {finder}: {clue}. It was at {place}",
                          "{finder} turned up {clue} at {place}. Think about what it means",
                          "You haven't heard? {finder} found {clue} at {place}",
                          "It came from {finder}, not me: {clue}, at {place}",
                          "{finder} was the one who found it: {clue}. At {place}, of all places",
                          "Don't thank me, thank {finder}. {Clue}, from {place}",
                          "{finder} dug it up at {place}: {clue}",
                          "{finder} found {clue}. Don't ask me how",
                          "Ask {finder} about {clue}. {finder} found it first"),
    ("talk", "knew"): ("About {clue}, I think", "I wanted to tell you about {clue}",
                       "Have you heard about {clue}", "There's {clue}. Did you know",
                       "Someone should tell you about {clue}", "You'll want to hear about {clue}",
                       "It's about {clue}. We should talk", "Did anyone tell you about {clue}"),
    ("talk", "chat"): ("How long can we keep this up", "We can't stay at {place} forever",
                       "Tell me what you make of all this", "Do you trust any of them",
                       "What are we really doing here", "Everyone's keeping something back",
                       "I keep thinking about {topic}", "Who gains if we fail with {topic}",
                       "Did you sleep at all", "Something about {place} feels wrong",
                       "If this goes badly, I want you to know I tried",
                       "Where were you when it started",
                       "Who do you think is lying about {topic}",
                       "I don't like the look of {place}", "What happens to us after {topic}",
                       "Have you eaten anything today", "How much further do we push this",
                       "We should have been told more about {topic}",
                       "I keep going over it and it doesn't add up",
                       "Someone here knows more than they're saying",
                       "Do you ever wonder why they sent us",
                       "I never thought it would come to this",
                       "Nobody should go near {place} alone", "What did you see at {place}",
                       "I heard something at {place} I can't explain",
                       "Whoever sent us knew more about {topic} than they said",
                       "We keep circling {topic} and never landing",
                       "If {topic} goes wrong, who takes the blame",
                       "I'd leave {place} tonight if I could",
                       "Tell me honestly, {first}. Are we getting anywhere",
                       "You've been quiet since {place}",
                       "There's a way out of {topic}. I just can't see it yet"),
    ("talk", "fail"): ("Can we talk", "A word, {first}", "Got a moment",
                       "Please, just a minute", "Hear me out, {first}",
                       "Don't walk away from me"),
    ("persuade", "win"): ("Stand with me. We do this together or not at all",
                          "You know I'm right", "Hear me out before you decide",
                          "Think about {topic}. We need each other",
                          "Alone we're finished. Together we have a chance",
                          "Give me one day. That's all I ask",
                          "We can finish this, but not apart",
                          "You've seen what happens when we split up",
                          "If we wait, {topic} decides for us",
                          "I need you with me on this",
                          "Say yes. I won't ask twice", "I can't do this on my own",
                          "You know {place} better than anyone. Come with me",
                          "Whatever happened before, forget it. Help me now",
                          "We settle {topic} together or it settles us"),
    # ... arguing from a find the speaker knows of ({thing}, found by {finder} at {place}).
    ("persuade", "argued"): ("You've seen what {finder} found at {place}. It means something",
                             "You know what {thing} means as well as I do",
                             "Can you still say no, after {thing}",
                             "We have {thing}. Now we need you",
                             "{finder} didn't dig up {thing} for us to sit on it",
                             "Think about {thing}, {first}. Then tell me I'm wrong"),
    ("persuade", "fail"): ("Just listen to me", "You're making a mistake",
                           "Don't be a fool about {topic}", "You'll regret this"),
    ("deceive", "win"): ("Trust me, I've seen {place} with my own eyes",
                         "Let me hold that for you. Just for now",
                         "Let me hold {item} for you. Just for now",
                         "Give me {item}. You'll only drop it", "{Item}? I'll keep it safe",
                         "Nobody has been near it. I swear",
                         "I'd never lie about {topic}", "It's nothing. Forget you saw it",
                         "I checked {place} myself. There's nothing there",
                         "You can trust me. I've no reason to lie",
                         "The others agreed already. Ask them"),
    ("deceive", "fail"): ("Trust me on this", "Would I lie to you",
                          "I was never at {place}. Ask anyone"),
    ("trade", "win"): ("What would you take for that", "Let's make a fair swap",
                       "I'll make it worth your while", "Everyone needs something. What's yours",
                       "That for this. Fair's fair", "You'll get the better end of this",
                       "Think of it as a favour between us",
                       "I've something you'll want", "Let's not waste each other's time",
                       "My {gave} for your {got}. Fair's fair",
                       "{Gave} for {item}, and we're square",
                       "You want my {gave}? Then {item} is mine"),
    ("trade", "fail"): ("Name your price", "Everything's for sale, isn't it",
                        "Last offer. Take it or leave it"),
    ("help", "win"): ("Hold still. This will sting", "Breathe. I've got you",
                      "Easy now. Nearly done", "Bite on this. Good",
                      "Look away. That's it",
                      "Don't look at it. Look at me", "You'll live. Probably",
                      "Keep pressure here. Good"),
    ("help", "fail"): ("Stay with me", "Hold on, just hold on", "Come on, come on"),
    ("attack", "hate"): ("This ends now", "You had this coming", "No more lies",
                         "I warned you", "That's for what you did",
                         "You don't get to walk away", "I've waited for this"),
    ("attack", "cold"): ("Out of my way", "Nothing personal", "Don't make this harder",
                         "You should have stayed away",
                         "It's you or me", "Stay down"),
    ("defend", "win"): ("Stay behind me", "Nobody touches {first}", "I've got your back",
                        "Get down and stay down"),
}  # fmt: skip
_REPLIES: dict[str, tuple[str, ...]] = {
    "news": ("Then we move now", "Show me", "That changes everything",
             "Who else knows", "Keep that to yourself for now", "I was afraid of that",
             "{Thing}? At {place}? Then someone was there before us",
             "So that's what was hidden at {place}", "{Thing}. Someone wanted that kept quiet",
             "Does anyone else know about {thing}", "Then we're not done with {place}",
             "I'd never have looked at {place}", "{Thing}. Show me where"),
    # The answer to news that was someone else's find ({finder}).
    "relayed": ("Trust {finder} to find it first", "Does {finder} know what it means",
                "Why didn't {finder} tell me", "{finder} should have said so sooner",
                "{Thing}. And {finder} kept that quiet", "Then I'll ask {finder} about {place}",
                "That changes everything", "Who else knows", "I was afraid of that"),
    # The listener knew already; {finder} found it first (the listener, or someone else).
    "knew_theirs": ("I know about {thing}. {finder} found it at {place}",
                    "{Thing}? Old news. {finder} beat you to it",
                    "{Thing}? {finder} found that hours ago",
                    "I heard, {first}. {Thing} was {finder}'s find",
                    "You're late. {finder} found {thing} first",
                    "I know about {thing}. Ask {finder} where it was"),
    # ... when the find was the listener's own.
    "knew_mine": ("I know about {thing}, {first}. I found it", "{Thing}? I dug that up myself",
                  "I found {thing} before you did", "{Thing}. Yes. I was there when it turned up",
                  "Who do you think found {thing}"),
    "knew": ("I know. I found it before you did", "Old news, {first}", "I've seen it",
             "Yes. I've been thinking about little else", "I got there first, {first}",
             "You're late. I already know", "Tell me something I don't know",
             "I know all about it", "Heard it already"),
    "struck": ("You'll pay for that, {first}", "Is that the best you can do",
               "Have you lost your mind", "So that's how it is",
               "You'll regret that", "Try that again, {first}. I dare you",
               "Everyone saw that"),
    # A reply to a question answers it; a reply to a remark takes it up.
    "chat": ("Longer than they think", "Not much. Not yet", "I'm still deciding",
             "Maybe. Ask me again later", "I'd rather not say", "Ask me tomorrow",
             "No. Not one of them", "I stopped asking", "More than I'd like",
             "Does it matter now", "Not here. Later", "I wish I knew",
             "Less than you'd hope", "Ask me when this is over", "Nothing I'd swear to",
             "Enough to worry me", "Closer than it looks, I think"),
    "chat_said": ("I've wondered the same", "Keep your eyes open",
                  "It's better than the alternative", "You worry too much", "Maybe. Maybe not",
                  "I know. I feel it too", "Then we'd better be careful", "Don't say that",
                  "Nobody's giving up yet", "Let's hope you're wrong",
                  "Say that again when we're out of here", "Mm. I'd noticed",
                  "Maybe. We'll know soon enough", "I've thought it too",
                  "Keep that between us"),
    "fail": ("Not now", "I've nothing to say to you", "Leave it", "Go away, {first}",
             "Some other time"),
    "persuade_win": ("All right. I'm with you", "Fine. For now", "You've made your point",
                     "Lead on, then", "I hope you're right about this",
                     "Your way, then", "I'll follow, for now", "Very well. We try it",
                     "That's fair. I'm in",
                     "You win. What do we do first", "Go on, then. I'm listening",
                     "I suppose someone has to",
                     "Against my judgement, yes"),
    "persuade_fail": ("No. Find someone else", "I've heard enough", "Not a chance",
                      "You don't get to ask me that"),
    "deceive_fail": ("Do you take me for a fool", "I know a lie when I hear one",
                     "Try that again and see what happens"),
    "trade_win": ("Done", "Deal. Don't make me regret it", "Fair enough",
                  "You drive a hard bargain"),
    "trade_fail": ("Not for that", "You'll have to do better", "Keep it"),
    "help_win": ("Thank you", "I owe you one, {first}", "That's better. Thanks",
                 "I won't forget this", "Easy. Easy. I'm all right", "You didn't have to",
                 "That's a lot better", "I'll manage now", "Thanks. I mean that"),
}  # fmt: skip


# Lines and answers from tables large enough not to come back word for word within a
# story: only these may stand alone, with no tag or beat to tell them apart.
_MANY = (
    "chat",
    "chat_said",
    "news",
    "relayed",
    "knew",
    "knew_theirs",
    "knew_mine",
    "persuade_win",
    "help_win",
)


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
        speech = "hate" if voices(event).get(event.actor_id, ("", 0.0))[1] < -0.2 else "cold"
        # The one struck answers, if the blow left them anything to answer with.
        down = any(f.kind == "killed" and f.subject_id == event.target_id for f in event.effects)
        return speech, "" if down or not won else "struck"
    if a == "defend" and event.target_id and event.target_id != event.actor_id:
        return "win", ""
    return "", ""


def _asks(line: str) -> bool:
    """Whether the line ends on a question ("Everyone needs something. What's yours")."""
    last = line.rsplit(". ", 1)[-1]
    return last.split(" ", 1)[0].removesuffix("'s") in _QUESTIONS


# What a speaker does instead of a speech tag, by temperament, and by regard for the
# one they answer (cold, warm); {n} is the speaker, {pos} their pronoun's possessive.
_BEATS = {
    "blunt": ("{n} shrugged.", "{n} did not look up.", "{n} folded {pos} arms.",
              "{n} spat to one side.", "{n} grunted.", "{n} jerked {pos} chin at the door.",
              "{n} cracked {pos} knuckles."),
    "warm": ("{n} nodded slowly.", "{n} managed a smile.", "{n} let out a long breath.",
             "{n} squeezed {pos} eyes shut a moment.", "{n} reached for the nearest hand.",
             "{n} laughed softly.", "{n} rubbed {pos} tired eyes."),
    "sly": ("{n} smiled thinly.", "{n} tilted {pos} head.", "{n} seemed amused.",
            "{n} studied {pos} nails.", "{n} raised an eyebrow.", "{n} let the pause stretch.",
            "{n} clicked {pos} tongue."),
    "clipped": ("{n} nodded once.", "{n} kept working.", "{n} barely paused.",
                "{n} checked the time.", "{n} did not slow down.", "{n} made a note.",
                "{n} glanced up briefly."),
    "eager": ("{n} brightened.", "{n} was already on {pos} feet.", "{n} nodded hard.",
              "{n} bounced on {pos} heels.", "{n} could hardly sit still.", "{n} beamed.",
              "{n} leaned forward at once."),
    "wary": ("{n} glanced over {pos} shoulder.", "{n} lowered {pos} voice.", "{n} hesitated.",
             "{n} looked round first.", "{n} kept {pos} back to the wall.", "{n} went very still.",
             "{n} chewed {pos} lip."),
    "bold": ("{n} laughed.", "{n} squared {pos} shoulders.", "{n} grinned.",
             "{n} clapped {pos} hands together.", "{n} stood up straight.",
             "{n} threw back {pos} head.", "{n} tapped the table hard."),
    "earnest": ("{n} leaned in.", "{n} took a breath.", "{n} thought it over.",
                "{n} met the other's eyes.", "{n} pressed a hand to {pos} chest.",
                "{n} swallowed hard.", "{n} nodded gravely."),
    "plain": ("{n} thought about it.", "{n} nodded.", "{n} sighed.", "{n} scratched {pos} jaw.",
              "{n} shifted {pos} weight.", "{n} looked away.", "{n} rubbed {pos} neck."),
    "cold": ("{n} did not turn round.", "{n} gave a short, flat laugh.", "{n} stared back.",
             "{n} kept {pos} distance.", "{n} curled {pos} lip.", "{n} crossed {pos} arms."),
    "fond": ("{n} smiled at that.", "{n} relaxed a little.", "{n} bumped the other's shoulder.",
             "{n} softened.", "{n} smiled despite everything.", "{n} let {pos} guard down."),
}  # fmt: skip


def _beat(voice: str, regard: float, key: tuple[object, ...], pronoun: str) -> str:
    """What the speaker does as they speak ("smiled thinly"), from their temperament or,
    now and then, from how they feel about the other."""
    felt = "cold" if regard <= -0.3 else "fond" if regard >= 0.5 else voice
    mood = pick((felt, voice), *key, "mood")
    pos = {"she": "her", "he": "his"}.get(pronoun, "")
    # Without a pronoun from the sheet, a beat that needs one is not used.
    beats = [b for b in _BEATS.get(mood, _BEATS["plain"]) if pos or "{pos}" not in b]
    return pick(beats, *key, "beat").format(n="", pos=pos).strip().rstrip(".")


def _quote(
    text: str,
    speaker: str,
    voice: str,
    key: tuple[object, ...],
    asks: bool = False,
    pronoun: str = "",
    form: str = "tag",
    regard: float = 0.0,
) -> str:
    """The line with a speech tag (`form` "tag"), an action beat before it ("beat"), or
    alone ("bare") where the exchange already shows who speaks."""
    mark = "?" if asks or _asks(text) else ""
    if form == "bare":
        return f'"{cap(text)}{mark or "."}"'
    if form == "beat":  # one sentence, the line and what the speaker did saying it
        gesture = _beat(voice, regard, key, pronoun)
        if mark:
            return f'{speaker} {gesture} and asked: "{cap(text)}?"'
        reply = key[-1:] == ("r",)
        verbs = [
            v for v in _TAG_VERBS.get(voice, _TAG_VERBS["plain"])
            if " " not in v and (reply or v not in ("answered", "replied"))
        ]  # fmt: skip
        verb = pick(verbs, *key, "beat-verb")
        if pick(("before", "after"), *key, "beat-shape") == "before":
            return f'{speaker} {gesture} and {verb}: "{cap(text)}."'
        return f'"{cap(text)}," {speaker} {verb}, and {gesture}.'
    tag = _tag(voice, key, pronoun, key[-1:] == ("r",))
    shape = pick(("after", "before"), *key, "shape")
    if mark:  # a question is asked, and its tag comes first
        tag = pick(("asked", "wanted to know", "asked quietly"), *key, "ask")
        shape = "before"
    if shape == "before":
        return f'{speaker} {tag}: "{cap(text)}{mark or "."}"'
    return f'"{cap(text)}{mark or ","}" {speaker} {tag}.'


# What a finder says over a first find, to whoever is near or to no one.
_FOUND = (
    "{Clue}. So this is what was kept at {place}", "Well, well. {Clue}",
    "Somebody left {clue} here, and not by accident", "{Clue}. Someone has some explaining to do",
    "If this is what I think it is, {topic} was never an accident",
    "Nobody touches this until we know what it means", "Look at this. {Clue}, hidden at {place}",
    "This changes things", "{Clue}? Here? Then someone lied to us",
    "I knew there was something at {place}", "Whoever hid this did it in a hurry",
    "That's one more piece of {topic}", "Keep this between us for now",
    "Of all the places", "Now what is this doing at {place}",
    "So somebody was here before us", "I don't like what this says about {topic}",
)  # fmt: skip


# ... and over a find someone else made first ({finder}).
_FOUND_AFTER = (
    "So {finder} wasn't imagining it", "{finder} was right about this place",
    "{finder} got here first. Figures", "Then it's true, what {finder} found",
    "I'd hoped {finder} was wrong about this", "{finder} will want to know I've seen it too",
    "If {finder} saw this as well, we're not imagining things",
    "Now {finder} can't say I never looked", "Just where {finder} said it would be",
)  # fmt: skip


def names_first_finder(event: EventView, key: tuple[object, ...]) -> bool:
    """Whether `found_line` will say whose find it was before (so the telling need not)."""
    found = next((f for f in event.effects if f.kind == "clue_found"), None)
    return (
        found is not None and found.value > 0 and event.actor_id in voices(event)
        and pick(("say", "", "say"), *key, "found-say") == "say"
        and bool(source_of(event, found.detail)[0])
    )  # fmt: skip


def found_line(event: EventView, names: Names, key: tuple[object, ...], topic: str = "") -> str:
    """What the finder said over a find, in their voice; "" for many finds (a find is not
    always remarked on) and for one with no voice to say it in."""
    heard = voices(event)
    if event.actor_id not in heard or pick(("say", "", "say"), *key, "found-say") != "say":
        return ""
    found = next((f for f in event.effects if f.kind == "clue_found"), None)
    if found is None:
        return ""
    clue = found.detail
    voice = heard[event.actor_id][0]
    where = short_place(event.target_name or event.location) if event.location else "here"
    finder = source_of(event, clue)[0] if found.value else ""
    if found.value and not finder:
        return ""
    table = _FOUND_AFTER if finder else _FOUND
    usable = [t for t in table if topic or "{topic}" not in t]
    line = cycle(usable, event.turn, key[0] if key else "", event.actor_id, "found")
    named = first_name(names.short(finder)) if finder else ""
    said = line.format(clue=clue, Clue=cap(clue), place=where, topic=topic, finder=named)
    form = pick(("tag", "beat"), *key, "found-form")
    speaker = names.of(event.actor_id, event.actor_name)
    return _quote(
        said, speaker, voice, (*key, "f"), pronoun=names.pronoun(event.actor_id), form=form
    )


# What someone says when the world strikes them, a repair takes, the end is at hand or
# their own deed hurts them.
_OUTCRIES = {
    "storm": ("Get down", "Is everyone all right", "Hold on to something",
              "Of all the times for this", "Stay together, all of you", "That was too close",
              "Cover your faces", "Keep your heads down", "Nobody move until it passes",
              "Of course it's now", "Whose idea was {place}", "We can't stay at {place}"),
    "lead": ("Did you see that", "Something shifted at {place}. Look there",
             "Wait. Something's been laid bare", "That's opened something up",
             "Remember this spot. We come back here"),
    "broken": ("No, no. Not {thing}", "{Thing}'s dead. Of course it is",
               "Just what we needed", "It was working a minute ago",
               "Somebody tell me {thing} can be fixed"),
    "repaired": ("That should hold", "There. Try it now", "It'll do. For now",
                 "Don't touch it. It works", "That's as good as it gets",
                 "Told you I could fix {thing}", "It'll hold if nobody kicks it",
                 "That's one thing that works", "Now we're getting somewhere",
                 "{Thing}, working again. Don't thank me"),
    "resolution": ("This is it", "Now. While we still can", "Stand back, all of you",
                   "We end this here", "No more waiting", "Here goes everything",
                   "If this fails, it's on me", "{finder} found the way. I'm only finishing it",
                   "This one's for {finder}"),
    "injured": ("It's nothing. Keep going", "Just a scratch", "That'll hurt tomorrow",
                "Don't look at me like that. I'm fine", "I'll live", "Leave it. It's only blood",
                "Serves me right for rushing", "Not a word. Not one word"),
}  # fmt: skip


def outcry(event: EventView, names: Names, key: tuple[object, ...]) -> str:
    """A line for a moment that calls for one (a storm, a repair, the climax, a hurt of
    one's own), in the speaker's voice; "" for many of them, and when nobody has a voice."""
    heard = voices(event)
    if not heard or pick(("say", "", "say"), *key, "outcry") != "say":
        return ""
    kinds = {f.kind for f in event.effects}
    speaker = next(iter(heard)) if event.actor_id not in heard else event.actor_id
    if speaker == event.actor_id:
        own = ("resolution", "repaired") if event.actor_id not in _hurt(event) else ("injured",)
        moment = next((k for k in own if k in kinds), "")
    elif speaker in _hurt(event):  # the world struck, and the first one it struck speaks
        moment = "storm"
    else:  # or showed them something, or broke what they carried
        moment = next((k for k in ("lead", "broken") if k in kinds), "")
    if not moment:
        return ""
    thing = next(
        (short_thing(f.detail) for f in event.effects if f.kind in ("repaired", "broken")), ""
    )
    finder = next((f.subject_id for f in event.effects if f.kind == "source"), "")
    named = first_name(names.short(finder)) if finder and finder != speaker else ""
    fill = {"place": short_place(event.location) if event.location else "here",
            "thing": definite(thing), "Thing": cap(definite(thing)), "finder": named}  # fmt: skip
    usable = [t for t in _OUTCRIES[moment] if fill["finder"] or "{finder}" not in t]
    line = cycle(usable, event.turn, key[0] if key else "", speaker, moment).format(**fill)
    voice = heard[speaker][0]
    form = pick(("tag", "beat"), *key, "outcry-form")
    who = names.of(speaker)
    return _quote(line, who, voice, (*key, "o"), pronoun=names.pronoun(speaker), form=form)


def _hurt(event: EventView) -> set[str]:
    return {f.subject_id for f in event.effects if f.kind == "injured"}


def _bare(thing: str) -> str:
    """ "a med kit" -> "med kit", for "my med kit for your lamp"."""
    first, _, rest = thing.partition(" ")
    return rest if first.lower() in ("a", "an", "the", "some") and rest else thing


def _fills(line: str, fill: dict[str, str]) -> bool:
    """Whether every thing the line names is there to name."""
    return all(fill.get(k) or "{" + k + "}" not in line for k in ("item", "gave", "got"))


def quoted(event: EventView) -> tuple[str, str]:
    """(effect kind, find) a talk's lines name, which the telling of the deed need not
    name again: news told ("Kai heard about the matchbook" after "I found a matchbook"),
    or what the listener knew from someone else's find; ("", "") for neither."""
    speech = _case(event)[0]
    if speech == "news":
        return "learned", next((f.detail for f in event.effects if f.kind == "learned"), "")
    if speech == "knew":
        clue = next((f.detail for f in event.effects if f.kind == "knew"), "")
        finder = source_of(event, clue)[0]
        if finder and finder != event.actor_id:
            return "knew", clue
    return "", ""


def lines(event: EventView, names: Names, key: tuple[object, ...], topic: str = "") -> list[str]:
    """The quoted exchange for a spoken or aimed action: the actor's line, and the
    listener's reply when there is one. `topic` is what the story is about ("the
    signal"); lines that need one are left out without it."""
    speech, reply = _case(event)
    table = _SPEECH.get((event.action, speech))
    if not table:
        return []
    heard = voices(event)
    voice, regard = heard.get(event.actor_id, ("plain", 0.0))
    listener = names.of(event.target_id, event.target_name)
    clue = next((f.detail for f in event.effects if f.kind in ("learned", "knew")), "")
    where = short_place(event.location) if event.location else "here"
    # News is told from where it was found, and by whose find it was when not the speaker's.
    finder, found_at = source_of(event, clue) if speech == "news" else ("", "")
    if found_at:
        where = short_place(found_at)
    if finder and finder != event.actor_id:
        speech = "relayed"
        table = tuple(t for t in _SPEECH[("talk", speech)] if found_at or "{place}" not in t)
    argued = next((f for f in event.effects if f.kind == "source"), None)
    thing = ""
    # Now and then the case is argued from a find: whose, and where it was.
    if (
        event.action == "persuade" and speech == "win" and argued is not None
        and pick(("find", "", ""), *key, "argued") == "find"
    ):  # fmt: skip
        finder = argued.subject_id
        argued_clue, _, found_at = argued.detail.partition("|")
        where = short_place(found_at) if found_at else where
        thing = short_thing(argued_clue)
        speech = "argued"
        table = tuple(
            t for t in _SPEECH[("persuade", speech)]
            if (found_at or "{place}" not in t)
            and (finder not in (event.actor_id, event.target_id) or "{finder}" not in t)
        )  # fmt: skip
    named = first_name(names.short(finder)) if finder else ""
    fill = {"first": first_name(listener), "clue": clue, "Clue": cap(clue), "place": where,
            "topic": topic, "finder": named, "thing": thing, "Thing": cap(thing)}  # fmt: skip
    # The things that change hands, for lines that name them.
    mine = [(f.kind, f.detail) for f in event.effects if f.subject_id == event.actor_id]
    got = next((d for k, d in mine if k == "item_gained"), "")
    gave = next((d for k, d in mine if k == "item_lost"), "")
    fill |= {"item": definite(got), "Item": cap(definite(got)), "got": _bare(got),
             "gave": _bare(gave), "Gave": cap(definite(gave)) if gave else ""}  # fmt: skip
    if event.action == "deceive":
        misled = next((f.detail for f in event.effects if f.kind == "misled"), "")
        fill["place"] = short_place(misled) if misled else where
    opener = pick(_OPENERS.get(voice, _OPENERS["plain"]), *key, "open")
    if regard <= -0.3 and event.action in ("talk", "persuade"):
        opener = pick(_GRUDGING, *key, "grudge")
    elif regard >= 0.5 and event.action in ("talk", "persuade") and not opener:
        opener = pick(_TRUSTING, *key, "trust")
    usable = [t for t in table if (topic or "{topic}" not in t) and _fills(t, fill)]
    sid = key[0] if key else ""
    line = cycle(usable, event.turn, sid, event.actor_id, event.action, speech, "say")
    asks = _asks(line)
    if "{first}" in opener and "{first}" in line:
        opener = ""
    if opener.endswith(", "):
        line = line[:1].lower() + line[1:] if not line.startswith(("I ", "I'")) else line
    said = (opener + line).format(**fill)
    talked = speech in ("chat", "news", "relayed") or (
        event.action == "persuade" and speech == "win"
    )
    closers = _CLOSERS.get(voice, _CLOSERS["plain"])
    closer = "" if asks or not talked else pick(closers, *key, "close")
    if closer and regard >= 0.3 and voice in ("warm", "earnest", "plain"):
        closer = pick(_FOND, *key, "fond")  # a line to someone they trust ends warmer
    said += closer.format(first=fill["first"])
    actor = names.of(event.actor_id, event.actor_name)
    # The deed's sentence just named the speaker: their line may stand alone, or open on
    # what they do; the reply then carries its speaker (two bare lines would not).
    first = pick(("tag", "tag", "bare", "beat"), *key, "form")
    if first == "bare" and speech not in _MANY:
        first = "tag"
    out = [_quote(said, actor, voice, key, asks, names.pronoun(event.actor_id), first, regard)]
    if speech == "knew":
        out = []  # the teller is cut short: only the answer is heard
        first = "bare"
    if reply == "chat" and not asks:
        reply = "chat_said"
    if reply and reply in _REPLIES:
        their_voice = heard.get(event.target_id, ("plain", 0.0))[0]
        if reply == "news" and speech == "relayed":
            reply = "relayed"
        knew_from = source_of(event, clue) if reply == "knew" else ("", "")
        if knew_from[0] == event.target_id:
            reply = "knew_mine"  # the listener's own find
        elif knew_from[0] and knew_from[0] != event.actor_id:
            # Who the listener had it from, not the teller: the run's own fact.
            reply, named = "knew_theirs", first_name(names.short(knew_from[0]))
            found_at, where = knew_from[1], short_place(knew_from[1]) if knew_from[1] else where
        answers = [a for a in _REPLIES[reply] if found_at or "{place}" not in a]
        thing = short_thing(clue)
        answer = cycle(answers, event.turn, sid, event.target_id, reply).format(
            first=first_name(actor), thing=thing, Thing=cap(thing), place=where, finder=named
        )
        asks = _asks(answer)
        lead = "" if asks else pick(_REPLY_LEADS.get(their_voice, ("",)), *key, "reply-lead")
        if answer.split(" ", 1)[0].strip(".,!?") in _INTERJECTIONS:
            lead = ""  # not "Yes, yes. Yes. I know"
        if lead.endswith(", ") and not answer.startswith(("I ", "I'")):
            answer = answer[:1].lower() + answer[1:]  # "Oh, you drive a hard bargain"
        answer = lead + answer
        # In a two-person exchange the answer needs no tag after a tagged line.
        form = pick(("bare", "bare", "beat", "tag"), *key, "r", "form")
        if form == "bare" and first != "tag":
            form = "beat"  # not two lines with no speaker named
        elif form == "bare" and reply not in _MANY:
            form = "tag"
        their_regard = heard.get(event.target_id, ("plain", 0.0))[1]
        out.append(_quote(answer, names.short(event.target_id, listener), their_voice,
                          (*key, "r"), asks, names.pronoun(event.target_id), form,
                          their_regard))  # fmt: skip
    return out
