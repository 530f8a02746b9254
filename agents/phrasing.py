"""What others see a resident doing, as an English sentence.

Plans and actions are written as commands ("start the day at the cafe", "wake up and get
ready"); an observation is a statement about the resident ("Maria Lopez is starting the
day at the cafe"). Before this, observations read "Maria Lopez is start the day at the
cafe", and the 0.5B model copied that grammar into its answers. The verb forms come from
lemminflect's English lexicon, not from our own suffix rules.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from lemminflect import getAllLemmas, getInflection

_WORD = re.compile(r"[A-Za-z]+")
_CLAUSE_BREAK = re.compile(r"(,\s*(?:and\s+|then\s+)?|\s+(?:and|then|or)\s+)", re.IGNORECASE)
_VERB_PHRASE_NEXT = frozenset({
    "a", "an", "the", "some", "up", "out", "in", "on", "off", "to", "with", "for", "at",
    "her", "his", "their", "my", "your", "its", "our", "ready", "back", "down", "over"})
"""Words that follow a verb rather than a noun: "and read the news", "and get ready"."""


@lru_cache(maxsize=4096)
def progressive(activity: str) -> str:
    """`activity` as what follows "<name> is": "start the day" -> "starting the day",
    "wake up and get ready" -> "waking up and getting ready". Already progressive
    ("sleeping", "talking with Sam") or an adjective alone ("idle") is kept; a phrase
    that does not begin with a verb ("dinner with family") becomes "busy with ...".
    Cached: every resident's activity is phrased every tick, and the lexicon lookups take
    ~0.12 ms a phrase (3 ms a tick for 25 residents, where the scheduler's own tick on the
    fake model takes ~24 ms); a cached phrase takes ~5 us."""
    text = activity.strip()
    first = _WORD.match(text)
    if first is None:
        return f"busy with {text}" if text else text
    head = first[0]
    lemmas = getAllLemmas(head.lower())
    if head.lower().endswith("ing") or (text == head and "ADJ" in lemmas):
        return text
    if head.lower() not in lemmas.get("VERB", ()):
        return f"busy with {text}"
    parts = _CLAUSE_BREAK.split(text)
    phrased = [_inflected(parts[0], after_verb=None)]
    verb_before = phrased[0] != parts[0]
    for separator, clause in zip(parts[1::2], parts[2::2], strict=True):
        inflected = _inflected(clause, after_verb=verb_before)
        verb_before = inflected != clause
        phrased += [separator, inflected]
    return "".join(phrased)


def _inflected(clause: str, *, after_verb: bool | None) -> str:
    """`clause` with its first word in the -ing form when it is a verb in its base form.

    `after_verb` is None for the activity's first clause, whose first word is taken as a
    verb whenever it can be one. After "and", a word that is also a noun ("bread and
    butter") is taken as a verb only when the next word is one that follows verbs ("and
    read the news"), or when more words follow and the clause before was a verb phrase
    ("opening the cafe and serve customers")."""
    words = clause.split(" ")
    head = words[0].lower()
    lemmas = getAllLemmas(head)
    if not head.isalpha() or head not in lemmas.get("VERB", ()):
        return clause
    if after_verb is not None and "NOUN" in lemmas and not (
            len(words) > 1 and (after_verb or words[1].lower() in _VERB_PHRASE_NEXT)):
        return clause
    forms = getInflection(head, tag="VBG")
    return " ".join([forms[0], *words[1:]]) if forms else clause


def being(name: str, activity: str) -> str:
    """The observation of `name` doing `activity`: "Maria Lopez is starting the day"."""
    return f"{name} is {progressive(activity)}"


def is_participle(word: str) -> bool:
    """Whether `word` is a verb's participle, the form after "being" ("played", "slept",
    "used"), rather than an adjective or a base form ("ready", "open")."""
    lemmas = getAllLemmas(word.lower()).get("VERB", ())
    return bool(lemmas) and word.lower() not in lemmas


@lru_cache(maxsize=8192)
def _lemmas(word: str) -> frozenset[str]:
    """`word` (lower case) and every lemma lemminflect gives it ("bakes" -> "bake"); kept
    per word, as a persona's words come back in every request of its resident."""
    word = word.lower()
    return frozenset({word, *(lemma for forms in getAllLemmas(word).values()
                              for lemma in forms)})


def foreign_words(words: Iterable[str], own_text: str) -> tuple[str, ...]:
    """The `words` (an example's, in order) that `own_text` does not use in any form:
    "bake" is the baker's own when her persona says "bakes", "walnut" is not the
    chemist's. Read by a request's `avoid_words`."""
    own = {lemma for word in _WORD.findall(own_text) for lemma in _lemmas(word)}
    return tuple(word for word in words if not _lemmas(word) & own)
