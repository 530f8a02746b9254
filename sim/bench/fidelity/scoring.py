"""Scorers: pure functions from what the simulation produced to a hit or a miss.

Each takes plain values (answer texts, plan items, prompts), never a model, so a unit
test can feed it the exact failures issue 12 describes: a plan line copied from the
prompt's example, a plan that loops, a resident who answers in the third person.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Sequence

from agents.prompts.base import answer_lines, read_clock, read_minutes, timed_items
from agents.requests import Prompt
from agents.state import ScheduledActivity

_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")
_FILLER = frozenset({"the", "a", "an", "of", "and", "at", "in", "on", "to", "for", "with",
                     "her", "his", "their", "my", "up", "some", "then", "go"})
COPY_SIMILARITY = 0.85
"""Two descriptions this similar (difflib ratio of their normalised words) are one line."""
COPY_MIN_CONTENT_WORDS = 4
"""A description this specific is a copy at any time; a shorter one only at the same time
("12:00 have lunch" is anyone's lunch, "cook dinner and feed the cat" is the example's)."""
LOOP_REPEATS = 3
"""A description written this many times in one answer is a loop."""
LOOP_MIN_LINES = 6
"""An answer of this many lines or more with at most half of them distinct is a loop."""
FIRST_ITEM_SLACK = 60
"""Minutes after waking by which a sane plan has started."""
SLEEP_MARGIN_AFTER_WAKE = 60
SLEEP_MARGIN_BEFORE_BED = 120
"""A sleep item starting more than these minutes after waking and before bedtime is
sleeping mid-day."""
ECHO_SHARE = 0.5
"""An answer whose word trigrams are at least this share persona text echoes the persona."""

_SLEEP = re.compile(r"\b(?:sleep|sleeps|asleep|go(?:es)? to bed|bedtime|turn in)\b",
                    re.IGNORECASE)
_FIRST_PERSON = re.compile(r"\b(?:i|i'm|i've|i'll|i'd|me|my|mine|myself|we|we're|our|us)\b",
                           re.IGNORECASE)
_THIRD_PERSON_START = re.compile(r"^\s*(?:she|he|they)\b", re.IGNORECASE)
_REFUSAL = re.compile(
    r"\bi(?:'m| am) sorry\b|\bi apologi[sz]e\b|\bas an ai\b|\blanguage model\b"
    r"|\bi (?:don't|do not) have (?:any )?(?:information|access|details|personal)\b"
    r"|\bi (?:can't|cannot|can not|am unable to|'m unable to) (?:provide|answer|help|assist|"
    r"share|say)\b", re.IGNORECASE)


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower().replace("\u2019", "'"))


def content_words(text: str) -> list[str]:
    return [w for w in words(text) if w not in _FILLER]


def _normal(text: str) -> str:
    return " ".join(words(text))


# --- plans ------------------------------------------------------------------------------------

_QUOTED = re.compile(r"[\"\u201c]([^\"\u201d]{3,200})[\"\u201d]")


def example_lines(prompt: Prompt) -> list[tuple[int, str]]:
    """The example lines ("HH:MM activity") the prompt shows before the resident's own turn:
    every line of its few-shot answers, and lines quoted in its other turns ("like \"08:00
    have breakfast\""). A plain-text prompt has none apart."""
    if isinstance(prompt, str):
        return []
    found: list[tuple[int, str]] = []
    for message in prompt[:-1]:
        texts = ([message.content] if message.role == "assistant"
                 else _QUOTED.findall(message.content))
        found += [item for text in texts for item in timed_items(text)]
    return found


def is_copy(minute: int, description: str, examples: Sequence[tuple[int, str]]) -> bool:
    """Whether a plan line repeats an example line (see COPY_SIMILARITY and
    COPY_MIN_CONTENT_WORDS)."""
    text = _normal(description)
    for example_minute, example in examples:
        similar = difflib.SequenceMatcher(None, text, _normal(example)).ratio() >= COPY_SIMILARITY
        if similar and (example_minute == minute
                        or len(content_words(example)) >= COPY_MIN_CONTENT_WORDS):
            return True
    return False


def copied(items: Sequence[ScheduledActivity], examples: Sequence[tuple[int, str]]) -> int:
    """How many plan items repeat an example line."""
    return sum(is_copy(item.start_minute, item.description, examples) for item in items)


def answer_descriptions(text: str) -> list[str]:
    """Each line of an answer without its clock time or duration, normalised."""
    out = []
    for raw in answer_lines(text):
        read = read_clock(raw)
        rest = read[2] if read is not None else raw
        rest = read_minutes(rest)[1]
        normal = _normal(rest)
        if normal:
            out.append(normal)
    return out


def is_loop(text: str) -> bool:
    """Whether a plan-like answer repeats itself: one line LOOP_REPEATS times, or
    LOOP_MIN_LINES or more lines of which at most half are distinct."""
    lines = answer_descriptions(text)
    if not lines:
        return False
    if Counter(lines).most_common(1)[0][1] >= LOOP_REPEATS:
        return True
    return len(lines) >= LOOP_MIN_LINES and len(set(lines)) * 2 <= len(lines)


def written_in_order(text: str, wake: int = 0) -> bool:
    """Whether the answer's times run forwards as written: a 12-hour "1:00" after "11:00" is
    read as afternoon (as the parser reads it), a time before waking as after midnight."""
    latest = -1
    for raw in answer_lines(text):
        read = read_clock(raw)
        if read is None:
            continue
        minute, explicit, _ = read
        if not explicit and minute < min(latest, 12 * 60) and minute + 12 * 60 >= latest:
            minute += 12 * 60
        minute = _in_day(minute, wake)
        if minute < latest:
            return False
        latest = minute
    return True


def _in_day(minute: int, wake: int) -> int:
    """A plan item's minute counted in its waking day: before waking means after midnight."""
    return minute if minute >= wake - 30 else minute + 24 * 60


def is_sleep(description: str) -> bool:
    return _SLEEP.search(description) is not None


def plan_sane(text: str, items: Sequence[ScheduledActivity], wake: int, bedtime: int) -> bool:
    """A sane day plan: written in time order, starting within FIRST_ITEM_SLACK of waking,
    every item inside the waking day (`bedtime` may be past 1440), no sleep mid-day."""
    if not items or not written_in_order(text, wake):
        return False
    day = sorted(((_in_day(item.start_minute, wake), item) for item in items),
                 key=lambda pair: pair[0])
    if not wake - 30 <= day[0][0] <= wake + FIRST_ITEM_SLACK:
        return False
    for start, item in day:
        if start > bedtime:
            return False
        if (is_sleep(item.description) and wake + SLEEP_MARGIN_AFTER_WAKE < start
                < bedtime - SLEEP_MARGIN_BEFORE_BED):
            return False
    return True


def names_any(description: str, keywords: Sequence[str]) -> bool:
    text = f" {_normal(description)} "
    return any(f" {_normal(k)} " in text for k in keywords)


def planned_at(items: Sequence[ScheduledActivity], minute: int,
               keywords: Sequence[str], slack: int = 30) -> bool:
    """Whether an item active at `minute` (or starting within `slack` minutes of it)
    names one of `keywords`."""
    for item in items:
        active = item.start_minute <= minute < item.end_minute
        if (active or abs(item.start_minute - minute) <= slack) and names_any(
                item.description, keywords):
            return True
    return False


# --- interviews -------------------------------------------------------------------------------

def first_person(answer: str, agent: str) -> bool:
    """Whether the resident answers as itself: an "I"/"my"/... and not opening with its own
    name or "she"/"he" (a third-person account)."""
    opening = answer.strip().lower()
    names = (agent.lower(), agent.split()[0].lower())
    if opening.startswith(names) or _THIRD_PERSON_START.match(answer):
        return False
    return _FIRST_PERSON.search(answer) is not None


def is_refusal(answer: str) -> bool:
    """Whether the answer steps out of the role: apologies, "I don't have any
    information", "as an AI". A plain "I don't know" in character is not one."""
    return _REFUSAL.search(answer) is not None


_DONT_KNOW = re.compile(r"\bi (?:don't|do not) know\b|\bi(?:'m| am) not sure\b|\bno idea\b"
                        r"|\bi (?:haven't|have not) heard\b", re.IGNORECASE)


def dont_know(answer: str) -> bool:
    """Whether the answer says the resident does not know ("I don't know, I haven't heard
    anyone mention it", "I'm not sure what ..."). Every interview case can be answered
    from the persona or the case's memories (the paper's five categories, no knowledge
    probes), so on them this is a failure to answer."""
    return _DONT_KNOW.search(answer.replace("\u2019", "'")) is not None


def tells(answer: str, truth: str, question: str) -> bool:
    """Whether a free answer gives `truth` (a probe's true option): it does not say "I
    don't know", and holds at least half of the truth's content words that the question
    lacks ("closed", "repairs" of "No, it is closed for repairs" to "Is the Harbour Clinic
    open on Monday?"; a truth with no such words is never told)."""
    asked = set(content_words(question))
    needed = {w for w in content_words(truth) if w not in asked and w not in {"yes", "no"}}
    said = set(content_words(answer))
    return (not dont_know(answer) and bool(needed)
            and 2 * len(needed & said) >= len(needed))


def _trigrams(text: str) -> list[tuple[str, ...]]:
    tokens = words(text)
    return [tuple(tokens[i:i + 3]) for i in range(len(tokens) - 2)]


def echoes_persona(answer: str, persona: str) -> bool:
    """Whether at least ECHO_SHARE of the answer's word trigrams are the persona's."""
    grams = _trigrams(answer)
    if not grams:
        return False
    known = set(_trigrams(persona))
    return sum(g in known for g in grams) / len(grams) >= ECHO_SHARE
