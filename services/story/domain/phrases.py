"""Phrase tables: how each action, outcome and check reads in past-tense prose.

Every clause starts with "{actor} " so a motive can sit before or after it.
Placeholders: {actor}, {target}, {place} (where it happened).
"""

from __future__ import annotations

Templates = dict[str, tuple[str, ...]]

# Outcome keys fall back: critical_success -> success, critical_failure -> failure,
# none -> success.
CLAUSES: dict[str, Templates] = {
    "observe": {
        "success": (
            "{actor} watched {place} closely",
            "{actor} took careful stock of {place}",
            "{actor} studied everyone and everything at {place}",
            "{actor} kept an eye on the comings and goings at {place}",
            "{actor} hung back and watched {place}",
            "{actor} took the measure of {place}",
            "{actor} watched the others at {place} without a word",
            "{actor} stayed back and watched",
        ),
        "failure": (
            "{actor} kept watch over {place} but noticed little",
            "{actor} studied {place} and learned nothing",
        ),
    },
    "move": {
        "success": (
            "{actor} left {place} for {target}",
            "{actor} started off toward {target}",
            "{actor} trudged to {target}",
            "{actor} crossed to {target}",
            "{actor} made the trip to {target}",
            "{actor} went straight to {target}",
            "{actor} picked a way across to {target}",
            "{actor} set off for {target}",
            "{actor} made a move toward {target}",
            "{actor} hiked to {target}",
            "{actor} set out from {place} toward {target}",
            "{actor} made for {target}",
            "{actor} slogged to {target}",
            "{actor} took the path to {target}",
            "{actor} pressed ahead to {target}",
            "{actor} struck out for {target}",
        ),
    },
    "investigate": {
        "critical_success": (
            "{actor} combed {part}{target} with uncanny insight",
            "{actor} read {part}{target} like an open book",
        ),
        "success": (
            "{actor} searched {part}{target}",
            "{actor} went over {part}{target} inch by inch",
            "{actor} examined {part}{target}",
            "{actor} combed through {part}{target}",
            "{actor} poked around {target}",
            "{actor} turned {target} upside down",
            "{actor} went through {part}{target} with care",
            "{actor} scoured {part}{target}",
            "{actor} picked through {part}{target}",
            "{actor} sifted through {part}{target}",
            "{actor} worked slowly through {part}{target}",
            "{actor} checked {part}{target}",
            "{actor} raked through {part}{target}",
            "{actor} swept {part}{target}",
        ),
        "failure": (
            "{actor} searched {part}{target} without result",
            "{actor} hunted through {part}{target} but turned up nothing",
            "{actor} went through {part}{target} and came away empty-handed",
            "{actor} looked over {target}, but nothing stood out",
            "{actor} spent a long while at {target} for nothing",
            "{actor} scoured {part}{target} and found only dust",
            "{actor} picked through {part}{target} to no purpose",
            "{actor} checked {part}{target} twice and saw nothing new",
        ),
        "critical_failure": (
            "{actor} blundered through a careless search of {target}",
            "{actor} made a mess of searching {target}",
            "{actor} tore through {target} in a hurry and missed everything",
            "{actor} knocked things over all across {target} and learned nothing",
            "{actor} rushed a search of {target} and spoiled it",
        ),
    },
    "talk": {
        "critical_success": ("{actor} talked with {target} like an old confidant",),
        "success": (
            "{actor} talked with {target}",
            "{actor} spoke at length with {target}",
            "{actor} sat down with {target} to talk",
            "{actor} drew {target} aside",
            "{actor} fell into conversation with {target}",
            "{actor} caught up with {target}",
            "{actor} found a quiet corner to talk with {target}",
            "{actor} stopped to trade a few words with {target}",
            "{actor} pulled {target} aside for a word",
            "{actor} made time to talk with {target}",
            "{actor} talked things over with {target}",
            "{actor} shared a few quiet minutes with {target}",
            "{actor} listened to {target} for a while",
            "{actor} had a long talk with {target}",
        ),
        "failure": (
            "{actor} tried to talk with {target}, but the words would not come",
            "{actor} reached out to {target} and was met with silence",
            "{actor} tried to talk to {target}, who turned away",
        ),
        "critical_failure": ("{actor} said exactly the wrong thing to {target}",),
    },
    "help": {
        "critical_success": ("{actor} worked something close to a miracle on {target}",),
        "success": (
            "{actor} tended {target}'s wounds",
            "{actor} knelt beside {target} and bound the wounds",
            "{actor} cleaned and dressed {target}'s cuts",
            "{actor} saw to {target}'s injuries",
            "{actor} patched {target} up",
            "{actor} stopped {target}'s bleeding",
            "{actor} cleaned {target}'s wounds and strapped them",
        ),
        "failure": (
            "{actor} tried to tend {target}'s wounds, to little effect",
            "{actor} worked on {target}'s wounds, but the bleeding would not stop",
            "{actor} did what could be done for {target}, which was not much",
        ),
        "critical_failure": ("{actor} tried to help {target} but only made things worse",),
    },
    "persuade": {
        "critical_success": ("{actor} won {target} over completely",),
        "success": (
            "{actor} talked {target} round",
            "{actor} persuaded {target} to listen",
            "{actor} brought {target} round to a point of view",
            "{actor} made a case to {target}, and it landed",
            "{actor} won {target} over to the plan",
            "{actor} argued {target} into agreement",
            "{actor} gave {target} reasons that were hard to refuse",
            "{actor} got {target} to see it another way",
            "{actor} brought {target} over, one argument at a time",
            "{actor} found the words that moved {target}",
            "{actor} changed {target}'s mind",
            "{actor} put it to {target} plainly, and {target} agreed",
        ),
        "failure": (
            "{actor} pressed {target} hard, but got nowhere",
            "{actor} tried to sway {target} and failed",
            "{actor} argued with {target} to no end",
            "{actor} tried every argument on {target}, and none took",
            "{actor} could not move {target} an inch",
        ),
        "critical_failure": ("{actor} pushed {target} too far, and it backfired",),
    },
    "deceive": {
        "critical_success": ("{actor} fooled {target} utterly",),
        "success": (
            "{actor} spun a convincing lie for {target}",
            "{actor} deceived {target} with a straight face",
            "{actor} fed {target} a story that went down whole",
            "{actor} lied to {target} without blinking",
            "{actor} told {target} a tidy half-truth",
            "{actor} pulled the wool over {target}'s eyes",
            "{actor} led {target} astray with a careful story",
        ),
        "failure": (
            "{actor} tried to deceive {target} and was caught out",
            "{actor} lied to {target}, who saw straight through it",
            "{actor} tried a lie on {target} that fell apart",
        ),
        "critical_failure": ("{actor} told {target} a lie that collapsed on the spot",),
    },
    "trade": {
        "success": (
            "{actor} struck a bargain with {target}",
            "{actor} traded with {target}",
            "{actor} did a deal with {target}",
            "{actor} haggled with {target} and came to terms",
            "{actor} and {target} agreed on a swap",
            "{actor} talked {target} into a trade",
            "{actor} came to an arrangement with {target}",
            "{actor} bartered with {target}",
            "{actor} made an exchange with {target}",
        ),
        "failure": (
            "{actor} haggled with {target}, but no deal was struck",
            "{actor} offered {target} a trade and was turned down",
            "{actor} and {target} could not agree on a price",
        ),
        "critical_failure": ("{actor} insulted {target} with a miserly offer",),
    },
    "attack": {
        "critical_success": ("{actor} landed a devastating blow on {target}",),
        "success": (
            "{actor} struck at {target}",
            "{actor} fell upon {target}",
            "{actor} attacked {target}",
            "{actor} went for {target}",
            "{actor} rounded on {target} and struck",
            "{actor} lashed out at {target}",
            "{actor} closed with {target} and struck hard",
            "{actor} turned on {target} with a weapon drawn",
        ),
        "failure": (
            "{actor} lunged at {target} but found only air",
            "{actor} swung at {target} and missed",
            "{actor} went for {target}, who twisted away",
        ),
        "critical_failure": ("{actor} lunged at {target} and stumbled badly",),
    },
    "defend": {
        "success": (
            "{actor} stood guard over {target}",
            "{actor} took up a place at {target}'s side",
            "{actor} kept close to {target}",
        ),
    },
    "defend_self": {
        "success": (
            "{actor} braced for whatever might come",
            "{actor} stood ready to defend against any attack",
            "{actor} put their back to the wall and waited",
            "{actor} stayed on guard",
            "{actor} kept a weapon close and waited",
            "{actor} took up a spot with a clear view of every approach",
            "{actor} settled in to wait for trouble",
            "{actor} stayed alert, ready for anything",
            "{actor} refused to be caught off guard",
            "{actor} kept watch over their own back",
        ),
    },
    "repair": {
        "critical_success": ("{actor} restored {target} with masterful skill",),
        "success": (
            "{actor} repaired {target}",
            "{actor} coaxed {target} back to working order",
            "{actor} got {target} working again",
            "{actor} patched up {target}",
            "{actor} put {target} right",
            "{actor} mended {target}",
            "{actor} brought {target} back to life",
        ),
        "failure": (
            "{actor} worked on {target} without success",
            "{actor} spent the hour on {target} and got nowhere",
            "{actor} took {target} apart and could not make it run",
        ),
        "critical_failure": ("{actor} fumbled the repair of {target}",),
    },
    "scout": {
        "critical_success": ("{actor} surveyed {target} from afar with perfect clarity",),
        "success": (
            "{actor} scouted ahead toward {target}",
            "{actor} crept out to look over {target}",
            "{actor} went ahead to look at {target}",
            "{actor} edged out toward {target} for a look",
            "{actor} slipped off to size up {target}",
            "{actor} went to get the lie of the land at {target}",
            "{actor} took a long look toward {target}",
            "{actor} climbed to a vantage point over {target}",
            "{actor} reconnoitred the way to {target}",
        ),
        "failure": (
            "{actor} tried to scout {target} but saw nothing useful",
            "{actor} went to look at {target} and came back none the wiser",
            "{actor} could make out nothing at {target}",
        ),
        "critical_failure": ("{actor} slipped while scouting toward {target}",),
    },
    "rest": {
        "success": (
            "{actor} rested",
            "{actor} took a moment to recover",
            "{actor} sat down to rest",
            "{actor} closed their eyes for a while",
        ),
    },
    "flee": {
        "success": (
            "{actor} fled to {target}",
            "{actor} broke away and ran for {target}",
            "{actor} bolted for {target}",
        ),
        "failure": (
            "{actor} tried to flee toward {target} but was cut off",
            "{actor} ran for {target} and found the way blocked",
        ),
        "critical_failure": ("{actor} tried to run for {target} and fell hard",),
    },
}

# Grander wording for the epic style, where it differs.
EPIC_CLAUSES: dict[str, Templates] = {
    "move": {"success": ("{actor} journeyed from {place} to {target}",
                         "{actor} strode out from {place} toward {target}")},
    "attack": {"success": ("{actor} brought steel and fury down upon {target}",
                           "{actor} fell upon {target} like a storm"),
               "failure": ("{actor} struck at {target}, but the blow went wide",)},
    "investigate": {"success": ("{actor} laid bare the secrets of {target}",
                                "{actor} searched the shadows of {target}")},
    "help": {"success": ("{actor} bent over {target} and bound the wounds with care",)},
    "talk": {"success": ("{actor} spoke long and earnestly with {target}",)},
    "flee": {"success": ("{actor} fled headlong toward {target}",)},
}  # fmt: skip

GENERIC_CLAUSE = "{actor} chose to {action}"

# Which part of a place a search went over: "every corner of", "the far end of".
PARTS = (
    "", "", "", "every corner of ", "the far end of ", "the edges of ", "the length of ",
    "the dark corners of ", "what was left of ", "the back of ", "the quieter parts of ",
    "the approaches to ", "the shadows of ", "the near side of ",
    "the ground around ", "the worst-lit stretch of ", "the nooks behind ", "the floor of ",
    "the clutter around ", "the forgotten corners of ", "the outskirts of ", "the heart of ",
)  # fmt: skip

# A manner or circumstance after the clause, keyed by (action, "win" | "lose"); the empty
# entry keeps many clauses bare. Varies the sentence's shape, not only its words.
TAILS: dict[tuple[str, str], tuple[str, ...]] = {
    # No "once more" or "a second time": a chapter cannot know it is true.
    ("investigate", "win"): ("", " by lamplight", " on hands and knees", " patiently",
                             " while the others talked", " thoroughly", " in the half-dark",
                             " without hurry", " in silence", " piece by piece", " by touch",
                             " with growing impatience", " yard by yard", " methodically",
                             " for the better part of the hour", " with a borrowed light",
                             " with a practised eye", " twice over", " on a hunch",
                             " against the clock", " with a stub of candle", " bit by bit"),
    ("investigate", "lose"): ("", " until the light failed", ", muttering", " in the dark",
                              ", cursing under their breath", " for what felt like hours",
                              " with mounting frustration", ", losing patience"),
    ("move", "win"): ("", " without a word", " at a run", " alone", ", keeping low",
                      " before anyone could object", " in a hurry", " at a steady pace",
                      " without looking back", ", head down", " by the long way round",
                      " in silence", ", glancing back once", " as fast as the ground allowed",
                      " with a last look round", " on tired legs",
                      " at first light", " with the wind behind", " on a borrowed map",
                      " and kept going", " the short way", " grumbling all the way"),
    ("scout", "win"): ("", " as quietly as possible", " alone", ", keeping to cover",
                       " while it was still quiet", ", moving carefully", " from a safe distance",
                       ", eyes narrowed", " before the light changed", " without being seen",
                       " from high ground", " with a spyglass", " flat on the ground",
                       " at a careful crawl"),
    ("talk", "win"): ("", " in low voices", " for a while", " out of earshot of the rest",
                      " over a shared flask", " in a quiet corner", " between other tasks",
                      " as they walked", " while the others were busy", " over the noise",
                      " across a cold meal", " by a dying fire", " in half-sentences",
                      " with heads bent together"),
    ("observe", "win"): ("", " from the shadows", " for a long while", " without moving",
                         " from a quiet corner", " with half-closed eyes", " without a word"),
    ("repair", "win"): ("", " with borrowed tools", " after a long struggle", " by feel alone",
                        " with a curse and a kick", " with patient hands", " in record time",
                        " with a length of wire and some luck", ", muttering the whole time"),
    ("attack", "win"): ("", " without warning", " in a sudden rage", " with cold intent",
                        " before anyone could step in"),
    ("help", "win"): ("", " with steady hands", " as best they could", " in silence",
                      " while the others kept watch", " gently", " with what little was to hand",
                      " talking softly all the while"),
    ("trade", "win"): ("", " after some haggling", " with a handshake", " without much fuss",
                       " at a price both could live with"),
    ("persuade", "win"): ("", " in the end", " after a long argument", " without raising a voice",
                          " with a few well-chosen words"),
    ("deceive", "win"): ("", " smoothly", " without a flicker", " with a warm smile",
                         " and never blinked"),
    ("defend", "win"): ("", " without being asked", " and did not move", " all hour"),
    ("defend_self", "win"): ("", " through the hour", ", not trusting the quiet", " in silence",
                             ", jumping at every sound", " without a word to anyone"),
}  # fmt: skip

ROLLS: Templates = {
    "critical_success": (
        "Fortune smiled outright: {roll} against a needed {difficulty}.",
        "It could hardly have gone better, {roll} against {difficulty}.",
    ),
    "success": (
        "The odds asked for {difficulty}; {actor} answered with {roll}.",
        "It was close enough to matter: {roll} against {difficulty}.",
        "Needing {difficulty}, {actor} managed {roll}.",
    ),
    "failure": (
        "It needed {difficulty}, but {actor} could muster only {roll}.",
        "The moment called for {difficulty} and got {roll}.",
    ),
    "critical_failure": (
        "Fate turned cruel: {roll} against {difficulty}.",
        "Everything went wrong at once, {roll} against {difficulty}.",
    ),
}

# The director's world happenings, framed per style; {happening} is the event's motive.
HAPPENINGS: dict[str, tuple[str, ...]] = {
    "epic": (
        "Then the world itself took a hand: {happening}.",
        "The land would not stay silent: {happening}.",
        "Then the powers of the world stirred: {happening}.",
        "And lo, {happening}.",
        "Hard upon that hour, {happening}.",
        "The world was not done with them: {happening}.",
    ),
    "detailed": (
        "Without warning, {happening}.",
        "Around that time, {happening}.",
        "Then, with no warning at all, {happening}.",
        "{Happening}.",
        "Nobody saw it coming: {happening}.",
        "In the middle of it all, {happening}.",
        "It happened fast: {happening}.",
        "Then something changed: {happening}.",
        "All at once, {happening}.",
        "There was a shout, and then {happening}.",
        "Just when it seemed quiet, {happening}.",
        "Unexpectedly, {happening}.",
        "Somewhere nearby, {happening}.",
        "Before anyone could react, {happening}.",
        "Out of nowhere, {happening}.",
        "No one was ready when {happening}.",
        "Then came trouble: {happening}.",
        "A moment later, {happening}.",
        "As if on cue, {happening}.",
        "Meanwhile, {happening}.",
    ),
    "concise": ("{Happening}.",),
}
