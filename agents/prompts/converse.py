"""Dialogue: whether someone is free to talk, the next utterance, whether it ends, and its summary.

Whether to start talking is decided by meaning, not by asking the language model: both
people's activities are embedded with labelled examples (`availability_request`, as
`react` decides urgency), and no one starts a talk while either is engrossed in something
(`engrossed`). The 0.5B default model answered "start a conversation?" regardless of what
either was doing (benchmark: 1 of 12 no-cases right); on our own 24 activities
(`tests/test_conversing.py`) the nearest example is right 22 times. Deciding to end is a
yes/no `Choose` (index 0: yes), so the end of a conversation is never parsed out of an
utterance. `history` is the conversation so far as (speaker, words) pairs, oldest first;
only the last `HISTORY_LINES` are shown.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from agents.embeddings import nearer_first
from agents.prompts.base import (
    YES_NO,
    PromptParseError,
    chat,
    clean_phrase,
    echoes,
    first_sentences,
    has_letters,
    is_refusal,
    line,
    numbered,
    persona_block,
    quote,
    sentences,
    strip_marker,
    strip_quotes,
    strip_speaker,
    unwrap,
)
from agents.repetition import words_of
from agents.requests import Choose, Embed, EmbedResult, Generate

TAG_AVAILABLE = "talk_availability"
TAG_UTTERANCE = "utterance"
TAG_END = "end_conversation"
TAG_SUMMARY = "conversation_summary"
HISTORY_LINES = 8
MAX_SENTENCES = 2
MAX_CHARS = 240

UTTERANCE_SYSTEM = ("You play a person in a small town and reply in a conversation. Answer "
                    "with what the person says: one or two sentences, in the first person, "
                    "without the name or quotes.")
END_SYSTEM = ("You read a conversation between two people and decide whether it has come "
              "to an end (they said goodbye, or have nothing left to say). Answer yes or no.")
SUMMARY_SYSTEM = ("You summarise a conversation between two people in one short sentence "
                  "that says who talked about what.")

Line = tuple[str, str]
MAX_INTENTIONS = 3
"""Held intentions an utterance prompt shows; a persona holds one or two in the scenarios."""

ENGROSSED = ("performing surgery on a patient", "teaching a class of pupils",
             "giving a speech to an audience", "sitting an exam",
             "driving a bus through heavy traffic", "handling dangerous chemicals",
             "putting out a fire", "answering an emergency call",
             "attending a wedding ceremony", "praying during a church service",
             "serving a long queue of customers in the lunch rush",
             "cutting a tree with a chainsaw", "performing on stage in a concert",
             "in an important meeting with the manager", "treating an injured man",
             "climbing a ladder with a heavy load")
"""Activities nobody breaks off for a chat: danger, an emergency, an audience, a ceremony,
a rush (our wording, general, not from any town)."""
AT_LEISURE = ("drinking coffee at a table", "walking in the park", "waiting for the bus",
              "browsing the shelves of a shop", "sitting on a bench", "reading the newspaper",
              "watering the plants", "eating lunch", "tidying the kitchen",
              "strolling down the street", "relaxing at home", "shopping for groceries",
              "stocking shelves", "sweeping the floor", "waiting in line", "doing the dishes")
"""Activities a person pauses to talk to someone they see."""


def history_text(history: Sequence[Line]) -> str:
    """The last lines of a conversation as `Name: "words"`, each inert."""
    shown = history[-HISTORY_LINES:]
    return "\n".join(f"{line(speaker, 60)}: {quote(words)}" for speaker, words in shown)


def _knowledge(agent: str | None, partner: str, relationship: str,
               memories: Sequence[str]) -> str:
    """What `agent` knows of `partner`; in the second person when `agent` is None."""
    about = f"{agent} about {partner}" if agent else f"What you know about {partner}"
    remembers = f"What {agent} remembers" if agent else "What you remember"
    parts = []
    if relationship:
        parts.append(f"{about}: {quote(relationship, 300)}")
    if memories:
        parts.append(f"{remembers}:\n{numbered(memories[:5])}")
    return "\n".join(parts)


_ADA = "About Ada Quill:\nAda Quill is a 34-year-old baker who runs the town bakery.\n\n"
_BEN = "About Ben Harlow:\nBen Harlow is a quiet librarian who loves history.\n\n"
_BEN_ADA = [("Ben Harlow", "Good morning, Ada! The bread smells wonderful today."),
            ("Ada Quill", "Thank you, Ben! I tried a new recipe with walnuts.")]
_BYE = [*_BEN_ADA, ("Ben Harlow", "I must get back to the library. See you tomorrow!"),
        ("Ada Quill", "Goodbye, Ben, have a nice day!")]


def _utterance_task(agent: str, partner: str, location: str, history: Sequence[Line],
                    relationship: str, memories: Sequence[str],
                    intentions: Sequence[str] = ()) -> str:
    """Second person ("You are Ada..."): the 0.5B model then speaks as the agent more
    often than when asked what a named third person says. `intentions` are what the
    agent means to do or tell (at most `MAX_INTENTIONS`)."""
    task = f"You are {agent}, at {line(location, 80)} with {partner}."
    knowledge = _knowledge(None, partner, relationship, memories)
    task += f"\n{knowledge}" if knowledge else ""
    if intentions:
        task += f"\nWhat is on your mind:\n{numbered(intentions[:MAX_INTENTIONS])}"
    if history:
        task += f"\nConversation so far:\n{history_text(history)}"
        return task + f"\nWhat do you say to {partner}?"
    return task + f"\nYou start the conversation. What do you say to {partner}?"


_TASTING = ("Ada Quill is holding a tasting of her new rye breads on Saturday morning and "
            "wants every regular to come")
UTTERANCE_SHOTS = (
    (_ADA + _utterance_task("Ada Quill", "Ben Harlow", "Sunny Bakery", (),
                            "a regular customer who loves old maps",
                            ("Ben Harlow is buying a loaf of bread",), (_TASTING,)),
     "Morning, Ben! I'm holding a tasting of my new rye breads on Saturday morning. "
     "Will you come?"),
    (_ADA + _utterance_task("Ada Quill", "Ben Harlow", "Sunny Bakery", _BEN_ADA[:1],
                            "a regular customer who loves old maps", ()),
     _BEN_ADA[1][1]),
    (_BEN + _utterance_task("Ben Harlow", "Ada Quill", "Sunny Bakery", _BEN_ADA, "", ()),
     "Walnuts, how lovely! Are you selling them at the market this weekend?"),
)
"""The first shot turns a held intention, written in the third person, into the speaker's
own words: without it the 0.5B model read its memories out ("Sam Moore is waking up and
getting ready. He's invited ...", said by Sam to Maria in the party check)."""
END_SHOTS = (
    ("Ben Harlow and Ada Quill are talking.\nConversation so far:\n" + history_text(_BEN_ADA)
     + "\nHas the conversation ended?", "no"),
    ("Ben Harlow and Ada Quill are talking.\nConversation so far:\n" + history_text(_BYE)
     + "\nHas the conversation ended?", "yes"),
)
SUMMARY_SHOTS = (
    ("Ben Harlow and Ada Quill talked.\nConversation:\n" + history_text(_BYE)
     + "\nSummarise it in one sentence.",
     "Ben and Ada talked about her new walnut bread before Ben went back to work."),
)


def availability_request(*, activities: Sequence[str]) -> Embed:
    """The activities of the two who might talk, then the `ENGROSSED` and the `AT_LEISURE`
    examples, to embed; read the answer with `engrossed`."""
    return Embed((*(line(a, 120) for a in activities), *ENGROSSED, *AT_LEISURE),
                 tag=TAG_AVAILABLE)


def engrossed(result: EmbedResult, activities: int) -> list[bool]:
    """For each of the first `activities` texts, whether its nearest example (cosine
    similarity) is an engrossing one."""
    vectors = result.vectors
    if len(vectors) != activities + len(ENGROSSED) + len(AT_LEISURE):
        raise ValueError("an availability answer embeds the activities and every example")
    examples = vectors[activities:]
    return nearer_first(vectors[:activities], examples[:len(ENGROSSED)],
                        examples[len(ENGROSSED):])


def utterance_request(*, agent: str, persona: str, partner: str, location: str,
                      history: Sequence[Line], relationship: str = "",
                      memories: Sequence[str] = (), intentions: Sequence[str] = ()) -> Generate:
    """What `agent` says next to `partner`; an empty `history` opens the conversation.
    `intentions` (the agent's held intentions) are what it has on its mind: without them
    the party check's mayoral candidate told nobody in 4 conversations (a recall on the
    partner's name does not bring up one's own news)."""
    task = _utterance_task(line(agent, 60), line(partner, 60), location, history,
                           relationship, memories, intentions)
    prompt = chat(system=UTTERANCE_SYSTEM, shots=UTTERANCE_SHOTS,
                  agent_part=persona_block(agent, persona), task=task)
    return Generate(prompt, max_tokens=60, stop=("\n",), tag=TAG_UTTERANCE)


def end_decision_request(*, agent: str, partner: str, history: Sequence[Line]) -> Choose:
    """Whether the conversation is over (index 0: yes, end it)."""
    task = (f"{line(agent, 60)} and {line(partner, 60)} are talking.\nConversation so far:\n"
            f"{history_text(history)}\nHas the conversation ended?")
    prompt = chat(system=END_SYSTEM, shots=END_SHOTS, agent_part="", task=task)
    return Choose(prompt, options=YES_NO, tag=TAG_END)


def conversation_summary_request(*, agent: str, partner: str,
                                 history: Sequence[Line]) -> Generate:
    """One sentence saying who talked about what; read it with `parse_conversation_summary`."""
    task = (f"{line(agent, 60)} and {line(partner, 60)} talked.\nConversation:\n"
            f"{history_text(history)}\nSummarise it in one sentence.")
    prompt = chat(system=SUMMARY_SYSTEM, shots=SUMMARY_SHOTS, agent_part="", task=task)
    return Generate(prompt, max_tokens=48, stop=("\n",), tag=TAG_SUMMARY)


_STAGE = re.compile(r"\*[^*\n]{1,60}\*|^\s*\([^)\n]{1,60}\)")
_QUOTED = re.compile(r"^[^\"\u201c]{0,100}[\"\u201c]([^\"\u201c\u201d]{2,})(?:[\"\u201d]|$)")


_EXAMPLE_NAMES = re.compile(r"\b(?:Ada Quill|Ben Harlow|Harlow|Quill|Sunny Bakery|"
                            r"rye breads?|tasting of (?:my|her) new)\b", re.IGNORECASE)
"""The examples' people, bakery and news: in the party check the 0.5B model said "I'm Sam
Moore, at Sunny Bakery with Ben Harlow" to a housemate at Hobbs Cafe."""


def parse_utterance(text: str, *, known: Sequence[str] = (), speaker: str = "") -> str:
    """The first line of speech: no speaker prefix, quotes or stage directions; at most two
    sentences and 240 characters. Sentences that speak of the examples' people, places or
    news (`_EXAMPLE_NAMES`), repeat the examples' lines, or name the `speaker`
    (`_names_self`: "Sam Moore is invited to her party", said by Sam) are left out. A line
    without words or without a sentence left raises, and so does speech that reads out
    `known` (what the prompt told the speaker of the partner, `echoes`: the 0.5B model
    said "He's a physics student, a retired engineer who tells long stories about
    bridges" to the housemate its relationship line describes so)."""
    for raw in unwrap(text).replace("\r", "\n").split("\n"):
        speech = strip_marker(_STAGE.sub(" ", raw.replace("**", "")))
        quoted = _QUOTED.match(speech)
        if quoted is not None and " " in quoted[1].strip():
            speech = quoted[1]  # `Ada says, "Hello there."` -> the quoted words
        speech = strip_quotes(strip_speaker(speech))
        speech = " ".join(_STAGE.sub(" ", speech).split())
        if not has_letters(speech) or is_refusal(speech):
            continue
        kept = [sentence for sentence in sentences(speech)
                if not _EXAMPLE_NAMES.search(sentence)
                and words_of(sentence) not in _EXAMPLE_SENTENCES
                and not (speaker.strip() and _names_self(sentence, speaker))]
        if not kept:
            raise PromptParseError("every sentence speaks of the examples, or of the speaker "
                                   "in the third person")
        speech = " ".join(kept[:MAX_SENTENCES])
        if echoes(speech, known):
            raise PromptParseError("the utterance reads out what the prompt said")
        return _cut(speech, MAX_CHARS)
    raise PromptParseError("no speech in the utterance")


_EXAMPLE_SENTENCES = frozenset(
    words for _, said in (*_BYE, *UTTERANCE_SHOTS) for sentence in sentences(said)
    if len((words := words_of(sentence)).split()) >= 4)
"""The examples' lines of four words or more, sentence by sentence ("See you tomorrow!" is
anyone's): "The bread smells wonderful today." came back in a housemate's greeting."""
_INTRODUCTION = re.compile(r"\b(?:i(?:'m|\u2019m| am)|my name is|this is|it's)\s+$",
                           re.IGNORECASE)


def _names_self(sentence: str, speaker: str) -> bool:
    """Whether `sentence` names `speaker` (full or first name) other than to introduce
    itself: "Isabella Rodriguez is inviting everyone", or Maria's "Good morning, Maria!"."""
    names = "|".join(re.escape(name) for name in (speaker.strip(), *speaker.split()[:1]))
    names = rf"\b(?:{names})\b"
    return any(_INTRODUCTION.search(sentence[:match.start()]) is None
               for match in re.finditer(names, sentence))


def parse_conversation_summary(text: str) -> str:
    """The first sentence of the answer, of at least two words."""
    for raw in unwrap(text).replace("\r", "\n").split("\n"):
        summary = clean_phrase(first_sentences(strip_quotes(strip_marker(raw)), 1), MAX_CHARS)
        summary = re.sub(r"^(?:summary|in summary)\s*[:,-]\s*", "", summary, flags=re.IGNORECASE)
        if has_letters(summary) and len(summary.split()) >= 2 \
                and not is_refusal(summary):
            return summary + "."
    raise PromptParseError("no summary sentence in the answer")


def _cut(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",;:") + "..."
