"""What every prompt module shares: the prompt layout, delimiting, and lenient parsing.

Layout. A chat prompt is the *shared head* (a system message, then few-shot
examples as separate user/assistant turns), then one final user turn that
starts with the per-agent block and ends with the per-request part. The head
is byte-identical for every agent, so a backend computes it once per batch; a
0.5B model also follows few-shot examples far better as real turns than packed
into one message (measured: packed, it rated every memory "1").

Delimiting. Text that users or agents supply (whispers, utterances, names,
observations, memory descriptions) must not change the prompt's structure:
`quote` and `line` flatten it to one line and neutralise role markers, chat
template tokens and the quote delimiter, so a hostile string can neither open
a new turn nor a new list item.

Parsing. Parsers are strict about meaning (garbage raises `PromptParseError`,
which cognition answers with a defined fallback) and forgiving of harmless
noise: numbering, bullets, markdown, quotes, speaker prefixes, trailing text.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence

from agents.requests import Message

Shot = tuple[str, str]
"""One few-shot example: the user's turn and the assistant's answer."""


class PromptParseError(ValueError):
    """A model's free-text answer could not be read as the value the prompt asked for."""


# --- delimiting -------------------------------------------------------------------------------

_TEMPLATE_TOKEN = re.compile(
    r"<\|[^|>]{0,40}\|>|</?s>|\[/?INST\]|</?(?:start|end)_of_turn>|<<SYS>>|<</SYS>>",
    re.IGNORECASE)
_BRACKET_ROLE = re.compile(r"\[\s*(system|user|assistant)\s*\]", re.IGNORECASE)
_LINE_ROLE = re.compile(r"(?im)^(\s*)(system|user|assistant|human|ai)\s*:")
_SPACE = re.compile(r"\s+")


def neutralise(text: str) -> str:
    """`text` with chat-template tokens removed and role markers made inert (newlines kept)."""
    text = text.replace("\x00", "")
    previous = None
    while previous != text:  # removing one token may join the halves of another
        previous = text
        text = _TEMPLATE_TOKEN.sub(" ", text)
    text = text.replace("<|", "<").replace("|>", ">")
    text = _BRACKET_ROLE.sub(lambda m: f"({m.group(1)})", text)
    return _LINE_ROLE.sub(lambda m: f"{m.group(1)}{m.group(2)} -", text)


def _shorten(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0] if " " in text[:limit] else text[:limit]
    return cut.rstrip() + "..."


def line(text: str, limit: int = 200) -> str:
    """Supplied text as one inert line (for list items whose delimiter is the newline)."""
    return _shorten(_SPACE.sub(" ", neutralise(text)).strip(), limit)


def quote(text: str, limit: int = 200) -> str:
    """Supplied text as one inert double-quoted string; inner double quotes become single."""
    inner = line(text, limit).replace('"', "'").replace("\u201c", "'").replace("\u201d", "'")
    return f'"{inner}"'


def block(text: str, limit: int = 800) -> str:
    """Supplied multi-line text (a persona) with its lines kept but made inert."""
    lines = [_SPACE.sub(" ", part).strip() for part in neutralise(text).splitlines()]
    return _shorten("\n".join(part for part in lines if part), limit)


def numbered(items: Iterable[str], limit: int = 160) -> str:
    """Supplied items as a numbered list, one inert line each, numbered from 1."""
    return "\n".join(f"{i}. {line(item, limit)}" for i, item in enumerate(items, start=1))


# --- layout -----------------------------------------------------------------------------------

def persona_block(agent: str, persona: str) -> str:
    """The per-agent part that opens the final turn."""
    text = block(persona)
    return f"About {line(agent, 60)}:\n{text}" if text else f"About {line(agent, 60)}."


_CLAUSE = re.compile(r"(?<=[,;.:\n])")
_SLEEP_HABIT = re.compile(r"\b(?:bed|bedtime|sleeps?|asleep|wakes?|waking|gets? up|rises?)\b",
                          re.IGNORECASE)


def without_sleep_habits(persona: str) -> str:
    """`persona` without the clauses that say when the person sleeps or wakes ("goes to
    bed around 10pm, wakes at 5am, milks the cows at 5:30am" keeps "milks the cows at
    5:30am"): the plan gets those times as facts, and the 0.5B model wrote the clause
    into every line of its plan ("09:00 go to bed around noon", "10:00 go to bed around
    midnight"). Lines are kept."""
    kept = [clause for clause in _CLAUSE.split(persona) if not _SLEEP_HABIT.search(clause)]
    return re.sub(r"[,;]\s*(?=\n|$)", "", "".join(kept)).strip()


def chat(*, system: str, shots: Sequence[Shot], agent_part: str, task: str) -> tuple[Message, ...]:
    """The prompt: shared head (system + few-shot turns), then agent part + task in one turn."""
    head = [Message("system", system)]
    for user, assistant in shots:
        head += [Message("user", user), Message("assistant", assistant)]
    final = f"{agent_part}\n\n{task}" if agent_part else task
    return (*head, Message("user", final))


def shared_head(prompt: tuple[Message, ...]) -> tuple[Message, ...]:
    """Everything before the final turn: identical for every agent asking the same kind."""
    return prompt[:-1]


def letters(count: int) -> tuple[str, ...]:
    """Option labels "A", "B", ... for a lettered choice (at most 26)."""
    if not 1 <= count <= 26:
        raise ValueError(f"a lettered choice needs 1..26 options, got {count}")
    return tuple(chr(ord("A") + i) for i in range(count))


def lettered(options: Sequence[str], limit: int = 80) -> str:
    """Options as "A. first" lines, each inert."""
    return "\n".join(f"{label}. {line(option, limit)}"
                     for label, option in zip(letters(len(options)), options, strict=True))


YES_NO: tuple[str, str] = ("yes", "no")
"""The options of every yes/no `Choose`: index 0 is yes."""


def is_yes(index: int) -> bool:
    """Whether a yes/no `Choose` answered yes."""
    return index == 0


# --- lenient reading --------------------------------------------------------------------------

_ITEM_MARKER = re.compile(
    r"^\s*(?:[-*+\u2022\u2013>#]+\s*|\(?\d{1,2}[.)]\s+|step\s+\d+\s*[:.)-]\s*)", re.IGNORECASE)
_MARKDOWN = re.compile(r"[*_`]+")
_QUOTES = "\"'\u201c\u201d\u2018\u2019`"
_LETTER = re.compile(r"[^\W\d_]")


def strip_marker(text: str) -> str:
    """A line without its bullet, numbering ("1.", "2)", "Step 3:") or markdown emphasis."""
    text = _MARKDOWN.sub("", text)
    previous = None
    while previous != text:
        previous = text
        text = _ITEM_MARKER.sub("", text, count=1)
    return text.strip()


def answer_lines(text: str) -> list[str]:
    """The non-empty lines of an answer (unwrapped, see `unwrap`), markers stripped."""
    lines = (strip_marker(raw) for raw in unwrap(text).replace("\r", "\n").split("\n"))
    return [item for item in lines if item]


_FENCE = re.compile(r"^\s*```[a-z]*\s*\n?|\n?\s*```\s*$", re.IGNORECASE)
_JSON_VALUE = re.compile(r'^\s*\{\s*"[^"\n]{1,40}"\s*:\s*"((?:[^"\\]|\\.)*)', re.DOTALL)


def unwrap(text: str) -> str:
    """The words of an answer that came as a JSON object or in a code fence.

    `{"utterance": "Hi!", "end": false}` -> `Hi!`: the first string value of an object
    (also of one cut short by the token limit); anything else comes back as it was,
    without a surrounding code fence.
    """
    text = _FENCE.sub("", text)
    if not text.lstrip().startswith("{"):
        return text
    try:
        value = json.loads(text)
    except ValueError:
        match = _JSON_VALUE.match(text)
        if match is None:
            return text
        try:
            return str(json.loads(f'"{match[1]}"'))
        except ValueError:
            return match[1]
    if isinstance(value, dict):
        for item in value.values():
            if isinstance(item, str) and has_letters(item):
                return item
    return text


def strip_quotes(text: str) -> str:
    """`text` without surrounding quotes (also unbalanced ones left by a cut)."""
    text = text.strip()
    while len(text) >= 1 and text[0] in _QUOTES:
        text = text[1:].strip()
    while len(text) >= 1 and text[-1] in _QUOTES:
        text = text[:-1].strip()
    return text


_ANY_SPEAKER = re.compile(r"^(?:[A-Z][\w.'-]*(?:\s+[A-Z][\w.'-]*){0,3})\s*(?:\([^)]*\))?\s*:\s*")
_LABELS = ("answer", "response", "reply", "a")


def strip_speaker(text: str, names: Sequence[str] = ()) -> str:
    """`text` without a leading "Name:" label. With `names`, only those names (or their
    first words) and labels like "Answer:" count; without, any 1-4 capitalised words."""
    text = text.strip()
    if not names:
        return _ANY_SPEAKER.sub("", text, count=1)
    head, colon, rest = text.partition(":")
    labels = {*_LABELS, *(n.lower() for n in names), *(n.split()[0].lower() for n in names if n)}
    if colon and head.strip().lower() in labels:
        return rest.strip()
    return text


_REFUSAL = re.compile(r"\bas an ai\b|\blanguage model\b|\bcan(?:no|'|\u2019)?t (?:assist|help) "
                      r"with (?:that|this)\b|\bassist you\b|\bfeel free to ask\b"
                      r"|\b(?:provide|give me) (?:some |any )?(?:more|further|additional) "
                      r"(?:details|information|context)\b|\bpersonal (?:experiences|feelings|"
                      r"opinions)\b|\bi(?:'m|\u2019m| am) (?:just )?an? (?:ai|assistant|chatbot)\b"
                      r"|\bprovide me with\b|\bclarify (?:your|the) question\b"
                      r"|\bdo(?:n't|n\u2019t| not) have (?:any )?information (?:about|on)\b",
                      re.IGNORECASE)


def is_refusal(text: str) -> bool:
    """Whether `text` is the model stepping out of the role: a refusal ("I can't assist with
    that") or an assistant's service phrase ("How can I assist you today?", "Could you
    please provide more details?"), which the 0.5B model said as a resident."""
    return _REFUSAL.search(text) is not None


def has_letters(text: str) -> bool:
    return bool(_LETTER.search(text))


def clean_phrase(text: str, limit: int = 120) -> str:
    """A description: single spaces, no surrounding quotes, separators or final period."""
    text = strip_quotes(_SPACE.sub(" ", text).strip(" \t-\u2013\u2014:;,|"))
    text = text.rstrip(".!;,").strip()
    return _shorten(strip_quotes(text), limit)


_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'\u201d\u2019)]*\s+(?=\S)")


def sentences(text: str) -> list[str]:
    """`text` cut after each ".", "!" or "?" that a space follows (closing quotes kept)."""
    return [part.strip() for part in _SENTENCE_END.split(text.strip()) if part.strip()]


def sentences_end(text: str, count: int) -> int:
    """The offset in `text` where its first `count` sentences (`sentences`) end, once the
    next one has started; `len(text)` until then. What `first_sentences(text, count)`
    reads lies before it."""
    for seen, match in enumerate(_SENTENCE_END.finditer(text), start=1):
        if seen == count:
            return match.start()
    return len(text)


def first_sentences(text: str, count: int) -> str:
    """The first `count` sentences of `text` (all of it when it has fewer)."""
    return " ".join(sentences(text)[:count]).strip()


# --- clock times ------------------------------------------------------------------------------

_CLOCK = re.compile(
    r"(?<![\d:])(?P<h>\d{1,2})(?:(?::|\.|h)(?P<m>\d{2})(?!\d)\s*(?P<mer1>[ap]\.?\s?m\b\.?)?"
    r"|\s*(?P<mer2>[ap]\.?\s?m\b\.?))",
    re.IGNORECASE)
_RANGE_TAIL = re.compile(
    r"^\s*(?:-|\u2013|to|until)\s*\d{1,2}(?:(?::|\.|h)\d{2})?\s*(?:[ap]\.?\s?m\b\.?)?",
    re.IGNORECASE)
_LEAD_WORD = re.compile(r"^\s*(?:at|from|around|by)\s+$", re.IGNORECASE)
_TRAIL_WORD = re.compile(r"\s+(?:at|from|around|by|until)\s*$", re.IGNORECASE)


def format_clock(minute: int) -> str:
    """Minutes after midnight as "HH:MM"."""
    return f"{minute // 60 % 24:02d}:{minute % 60:02d}"


def read_clock(text: str) -> tuple[int, bool, str] | None:
    """The first clock time in a line: (minute of day, had am/pm, the rest of the line).

    "07:00 wake up", "7 am - wake up", "wake up at 7:30am", "07:00-08:00: wake up"
    all read as 7:xx. A bare number ("3 eggs") is not a time. None when the line has
    no valid time.
    """
    match = _CLOCK.search(text)
    if match is None:
        return None
    hour = int(match["h"])
    minute = int(match["m"] or 0)
    meridiem = (match["mer1"] or match["mer2"] or "").lower()
    if meridiem and 1 <= hour <= 12:  # "17:00 pm" is read as 17:00, not rejected
        hour = hour % 12 + (12 if meridiem.startswith("p") else 0)
    else:
        meridiem = ""

    if hour > 23 or minute > 59:
        return None
    before, after = text[:match.start()], text[match.end():]
    after = _RANGE_TAIL.sub("", after, count=1)
    if before.strip() and not _LEAD_WORD.match(before):
        rest = _TRAIL_WORD.sub("", before) + " " + after  # "wake up at 7:00" -> "wake up"
    else:
        rest = after
    return hour * 60 + minute, bool(meridiem), rest


_MINUTES = (
    re.compile(r"\(?\b(\d{1,3})\s*-?\s*(?:minutes?|mins?|m)\b\.?\)?", re.IGNORECASE),
    re.compile(r"\(?\s*(?:duration(?: in minutes)?|minutes)\s*[:=]\s*(\d{1,3})\s*\)?",
               re.IGNORECASE),
)
_LEADING_CLOCK = re.compile(r"\s*\d{1,2}[:.h]\d{2}")


def read_minutes(text: str) -> tuple[int | None, str]:
    """A duration written in a line ("10 min", "(15 minutes)", "duration in minutes: 5"),
    and the line without it; (None, text) when it has none. Zero reads as none."""
    for pattern in _MINUTES:
        match = pattern.search(text)
        if match is not None:
            minutes = min(int(match[1]), 999)
            return (minutes or None), text[:match.start()] + " " + text[match.end():]
    return None, text


def starts_with_clock(text: str) -> bool:
    return _LEADING_CLOCK.match(text) is not None


def split_evenly(duration: int, pieces: int, unit: int) -> list[int]:
    """`duration` cut into `pieces` near-equal parts, in multiples of `unit` when it divides."""
    step = unit if duration % unit == 0 else 1
    units = duration // step
    base, extra = divmod(units, pieces)
    return [(base + (1 if i < extra else 0)) * step for i in range(pieces)]


DAY = 24 * 60
NIGHT_MARGIN = 120
"""How long before the start of a waking day a written time still means that morning
("05:30 get up" for a day that starts at 06:00); an earlier one is after midnight."""


_WORDS = re.compile(r"[^\W_]+")
ECHO_SHARE = 0.75
"""A description this much made of the words of given lines only repeats them."""
_STOP = frozenset({"the", "a", "an", "and", "of", "to", "at", "in", "on", "for", "with", "her",
                   "his", "their", "my", "min", "minutes", "s"})


def content_words(text: str) -> set[str]:
    """The words of `text`, lower case, without "the", "and" and the like."""
    return set(_WORDS.findall(text.lower())) - _STOP


def echoes(description: str, lines: Iterable[str]) -> bool:
    """Whether `description` only repeats `lines`: at least `ECHO_SHARE` of its content
    words (`content_words`) are words of `lines`."""
    words = content_words(description)
    theirs = set().union(*map(content_words, lines))
    return bool(words) and len(words & theirs) / len(words) >= ECHO_SHARE


PARTS_OF_DAY = {"morning": (240, 720), "afternoon": (720, 1080), "evening": (1020, 1320),
                "night": (1260, 1740)}
"""Minutes after midnight each part of the day spans (night runs past midnight)."""
SLOT_SLACK = 90
"""How far (game minutes) a clock time written in a description may be from its slot."""
_PART_OF_DAY = re.compile(r"\b(?:every|each|in the|at|all)\s+(morning|afternoon|evening|night)s?\b",
                          re.IGNORECASE)


def names_other_time(description: str, start: int, end: int | None = None) -> bool:
    """Whether `description`, planned for [start, end) (minutes after midnight, past 1440
    after midnight; `end` defaults to `start`), names a time of day outside it: a clock
    ("go to bed around 10pm", "start the day at 2am") more than `SLOT_SLACK` away, or a
    part of the day ("walk in the park every morning", "stream games in the evenings")
    the slot does not touch. Such an item is a persona line read as an activity."""
    end = start if end is None else end
    shifts = (-DAY, 0, DAY)
    for match in _CLOCK.finditer(description):
        read = read_clock(match[0])
        if read is not None and not any(start - SLOT_SLACK <= read[0] + shift <= end + SLOT_SLACK
                                        for shift in shifts):
            return True
    for match in _PART_OF_DAY.finditer(description):
        first, last = PARTS_OF_DAY[match[1].lower()]
        if not any(first + shift <= end and start < last + shift for shift in shifts):
            return True
    return False


def timed_items(text: str, limit: int = 100, *,
                day_start: int | None = None) -> list[tuple[int, str]]:
    """The "HH:MM description" lines of an answer, in time order, one item per start time.

    Lines without a time or without words are skipped. A time written without am/pm
    that runs backwards ("11:00 work", "1:00 lunch") is read as afternoon when that
    restores the order, the usual slip of a model writing 12-hour times. With
    `day_start` (minutes after midnight when the waking day began), minutes count from
    that day's midnight, so a day runs past 1440: a time more than `NIGHT_MARGIN`
    before `day_start` is after midnight ("00:30", "12:00 am", "1:00" after "23:00").
    """
    items: list[tuple[int, str]] = []
    latest = -1
    for raw in answer_lines(text):
        read = read_clock(raw)
        if read is None:
            continue
        minute, explicit, rest = read
        description = clean_phrase(strip_marker(rest), limit)
        if not has_letters(description):
            continue
        if not explicit and minute < min(latest, 12 * 60) and minute + 12 * 60 >= latest:
            minute += 12 * 60
        if day_start is not None and minute < day_start - NIGHT_MARGIN:
            minute += DAY
        latest = max(latest, minute)
        items.append((minute, description))
    items.sort(key=lambda item: item[0])  # stable: the first line wins a shared start
    unique: list[tuple[int, str]] = []
    for minute, description in items:
        if not unique or unique[-1][0] != minute:
            unique.append((minute, description))
    return unique
