"""Appointments: what a resident holds with a time today, placed into its plan by code.

A small model asked to keep "a party at Hobbs Cafe from 5pm to 7pm" in a day plan
often leaves it out or moves it. So an intention (a whisper, a scenario intention)
or a memory that names a time, and a date that is today, becomes an `Appointment`,
and the plan is made to hold it at that time whatever the model wrote. An intention
without a date is taken to be for today (it is held today); a memory needs today's
date ("February 14th", "Feb 14", "14 February").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from agents.prompts.base import clean_phrase, format_clock, read_clock
from agents.state import ScheduledActivity

DEFAULT_MINUTES = 60
"""How long an appointment written with a start only lasts."""

_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august",
           "september", "october", "november", "december")
_MONTH = r"(?P<month>" + "|".join(f"{m[:3]}(?:{m[3:]})?\\.?" for m in _MONTHS) + r")"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_DATES = (re.compile(rf"\b{_MONTH}\s+{_DAY}\b", re.IGNORECASE),
          re.compile(rf"\b{_DAY}\s+(?:of\s+)?{_MONTH}", re.IGNORECASE))
_OTHER_DAY = re.compile(r"\b(?:tomorrow|yesterday|next week|last week)\b", re.IGNORECASE)
_TIME = r"(?P<{0}h>\d{{1,2}})(?:[:.](?P<{0}m>\d{{2}}))?\s*(?P<{0}p>[ap]\.?\s?m\b\.?)?"
_RANGE = re.compile(r"(?:from\s+|between\s+)?" + _TIME.format("a")
                    + r"\s*(?:-|\u2013|to|until|till|and)\s*" + _TIME.format("b"),
                    re.IGNORECASE)
_DATE_WORDS = re.compile(r"\s*\b(?:on|this)\b(?:\s+the)?(?:\s+\w+day\b,?)?\s*$", re.IGNORECASE)
_LEFT_OVER = re.compile(r"\s\b(?:on|at|from|by)(?:\s+the)?\s*(?=,|\.|$|\s(?:on|at|from|by)\b)"
                        r"|\s+(?=[,.])", re.IGNORECASE)
_CLAUSE_END = re.compile(r",\s*(?:and|but|so|where|because)\b|;|\.\s|\.$|\s+and\s+(?:wants|"
                         r"hopes|plans|will)\b", re.IGNORECASE)
_AUXILIARY = re.compile(
    r"^(?:(?:is|are|am|was|has|have|had)\b)?\s*(?:been\s+)?(?:(?:planning|plans|planned|going|decided|"
    r"wants|want|wanted|promised|promises|intends|intend|hopes|hope|would like|will|needs|"
    r"need|agreed|has to|have to)\b)?\s*(?:to\s+)?", re.IGNORECASE)
_INVITED = r"\b(?:invited|asked|told)\s+(?:{names})\b\s*(?:to|about)\s+(?P<rest>.+)"
_LEADING = re.compile(r"^\s*(?:(?:on|at|from|by|today|this)\b(?:\s+the)?\s*,?\s*)+",
                      re.IGNORECASE)
_POSSESSIVE = re.compile(r"^(?:her|his|their|my|your|our)\s+", re.IGNORECASE)
_ARTICLE = re.compile(r"^(?:a|an|the)\s", re.IGNORECASE)
_TIME_WORDS = re.compile(r"\s*\b(?:from|at|between|by|around|starting at)\s*$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Appointment:
    """From `start_minute` to `end_minute` (minutes after today's midnight), `description`."""

    start_minute: int
    end_minute: int
    description: str

    def line(self) -> str:
        return (f"{format_clock(self.start_minute)}-{format_clock(self.end_minute)} "
                f"{self.description}")


def mentions_date(text: str) -> date | None:
    """The first month-and-day date in `text` (in `year`-less form: year 2000), or None."""
    for pattern in _DATES:
        match = pattern.search(text)
        if match is not None:
            month = next(i for i, m in enumerate(_MONTHS, 1)
                         if m.startswith(match["month"].lower().rstrip(".")[:3]))
            try:
                return date(2000, month, int(match["day"]))
            except ValueError:
                return None
    return None


def _is_today(text: str, today: date, undated_is_today: bool) -> bool:
    named = mentions_date(text)
    if named is None:
        return undated_is_today and _OTHER_DAY.search(text) is None
    return (named.month, named.day) == (today.month, today.day)


def _minute(hour: str, minute: str | None, meridiem: str | None) -> int | None:
    h, m = int(hour), int(minute or 0)
    if meridiem and 1 <= h <= 12:
        h = h % 12 + (12 if meridiem.lower().startswith("p") else 0)
    return h * 60 + m if h < 24 and m < 60 else None


def _times(text: str) -> tuple[int, int, tuple[int, int]] | None:
    """(start, end, span of the words that say it) of the first time or time range."""
    match = _RANGE.search(text)
    if match is not None and (match["ap"] or match["bp"] or match["am"] or match["bm"]):
        shared = match["bp"] if not match["ap"] else match["ap"]
        start = _minute(match["ah"], match["am"], match["ap"] or shared)
        end = _minute(match["bh"], match["bm"], match["bp"] or match["ap"])
        if start is not None and end is not None:
            if end <= start and not match["ap"] and end + 12 * 60 > start:
                end += 12 * 60
            if end > start:
                return start, end, match.span()
    clock = _CLOCK_AT.search(text)
    if clock is None:
        return None
    read = read_clock(clock[0])
    if read is None:
        return None
    return read[0], read[0] + DEFAULT_MINUTES, clock.span()


_CLOCK_AT = re.compile(
    r"(?<![\d:])\d{1,2}(?:[:.]\d{2}\s*(?:[ap]\.?\s?m\b\.?)?|\s*[ap]\.?\s?m\b\.?)", re.IGNORECASE)


def _phrase(text: str, span: tuple[int, int], names: Sequence[str]) -> str:
    """What the resident does, from the words of the intention or memory."""
    words = _TIME_WORDS.sub("", text[:span[0]]) + " " + text[span[1]:]
    for pattern in _DATES:
        words = pattern.sub(" ", words)
    words = _LEFT_OVER.sub(" ", " ".join(words.split()))
    words = _LEADING.sub("", words)
    words = _CLAUSE_END.split(words, maxsplit=1)[0]
    alternatives = "|".join(re.escape(n) for n in names if n)
    invited = re.search(_INVITED.format(names=alternatives), words, re.IGNORECASE)
    if invited is not None:
        words = invited["rest"]
    else:
        words = re.sub(rf"^(?:{alternatives})\b\s*", "", words, flags=re.IGNORECASE)
        words = _AUXILIARY.sub("", words, count=1)
    words = _POSSESSIVE.sub("the ", words.strip())
    if _ARTICLE.match(words):
        words = "go to " + words
    return clean_phrase(_DATE_WORDS.sub("", words), 80)


def find_appointment(text: str, *, agent: str, today: date,
                     undated_is_today: bool = False) -> Appointment | None:
    """The appointment `text` gives `agent` today, or None (no time, or another day)."""
    if not _is_today(text, today, undated_is_today):
        return None
    times = _times(text)
    if times is None:
        return None
    start, end, span = times
    names = (agent, agent.split()[0], "you", "I")
    description = _phrase(text, span, names)
    if len(description.split()) < 2:
        return None
    return Appointment(start, end, description)


def appointments(intentions: Iterable[str], memories: Iterable[str], *, agent: str,
                 today: date) -> list[Appointment]:
    """Today's appointments in time order, one per start time: intentions first (undated
    ones count as today), then memories that name today's date."""
    found = [a for text in intentions
             if (a := find_appointment(text, agent=agent, today=today, undated_is_today=True))]
    found += [a for text in memories if (a := find_appointment(text, agent=agent, today=today))]
    unique: dict[int, Appointment] = {}
    for appointment in found:
        unique.setdefault(appointment.start_minute, appointment)
    return sorted(unique.values(), key=lambda a: a.start_minute)


def keep_appointments(plan: Sequence[ScheduledActivity], kept: Sequence[Appointment],
                      ) -> list[ScheduledActivity]:
    """`plan` (contiguous) with each appointment inside its span holding that span, the
    plan's own items cut around it; appointments outside the plan's span are left out."""
    if not plan:
        return []
    start, end = plan[0].start_minute, plan[-1].end_minute
    result = [ScheduledActivity(a.start_minute, a.duration, a.description) for a in plan]
    for appointment in kept:
        lo, hi = max(appointment.start_minute, start), min(appointment.end_minute, end)
        if hi <= lo:
            continue
        pieces: list[ScheduledActivity] = []
        for item in result:
            if item.end_minute <= lo or item.start_minute >= hi:
                pieces.append(item)
                continue
            if item.start_minute < lo:
                pieces.append(ScheduledActivity(item.start_minute, lo - item.start_minute,
                                                item.description))
            if item.end_minute > hi:
                pieces.append(ScheduledActivity(hi, item.end_minute - hi, item.description))
        pieces.append(ScheduledActivity(lo, hi - lo, appointment.description))
        result = sorted(pieces, key=lambda item: item.start_minute)
    return result
