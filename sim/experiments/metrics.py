"""The experiment's measures, as pure functions of plain rows (hand-built in the tests).

- diffusion: the share of residents whose probe answer names the truth, at
  each checkpoint; beside it the share the event log says *could* know
  (`exposure`: the one who intends it, then whoever an exposed speaker told);
- relationship-network density: pairs who talked or whose memories name each
  other, over n(n-1)/2;
- attendance: residents who spent at least 15 game minutes in the event's
  place during its window, from their logged moves;
- hallucination share: probe answers that assert a false claim about another
  resident (a claim the scenario and the event log contradict);
- probe accuracy: answers consistent with the ground truth (the truth when the
  resident could know it; not a claim at all when it could not);
- model-call statistics from a run's `model_call` rows.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations

from replays.events import LogEvent

ATTENDANCE_MINUTES = 15.0

Tile = tuple[int, int]
Pair = frozenset[str]


@dataclass(frozen=True, slots=True)
class ProbeAnswer:
    """One resident's answer to one probe at one checkpoint, with its ground truth."""

    checkpoint: int
    kind: str  # "intention" or "person"
    probe: str
    agent: str
    subject: str
    choice: int
    correct: int
    unknown: int
    false_claims: tuple[int, ...]
    could_know: bool

    @property
    def right(self) -> bool:
        return self.choice == self.correct

    @property
    def false_claim(self) -> bool:
        return self.choice in self.false_claims

    @property
    def consistent(self) -> bool:
        """The truth when the resident could know it; no claim about it when it could not."""
        if self.could_know:
            return self.right
        return not self.right and not self.false_claim

    def to_json(self) -> dict[str, object]:
        return {"checkpoint": self.checkpoint, "kind": self.kind, "probe": self.probe,
                "agent": self.agent, "subject": self.subject, "choice": self.choice,
                "correct": self.correct, "unknown": self.unknown,
                "false_claims": list(self.false_claims), "could_know": self.could_know}


def share(flags: Iterable[bool]) -> float | None:
    """The share of true flags; None for no flags at all."""
    values = list(flags)
    return sum(values) / len(values) if values else None


# --- knowledge ---------------------------------------------------------------------------------

def mentions(text: str, phrases: Sequence[str]) -> bool:
    """Whether `text` names any of `phrases` (case-insensitive); no phrases: anything counts."""
    folded = text.casefold()
    return not phrases or any(phrase.casefold() in folded for phrase in phrases)


def exposure(source: str, phrases: Sequence[str], events: Iterable[LogEvent]) -> dict[str, int]:
    """The first tick each resident could know of an intention, from the event log.

    `source` knows from the start; a listener knows once a speaker who knew said
    something that mentions a phrase to it; a whispered thought that mentions one
    counts too. Residents absent from the result never heard of it.
    """
    known = {source: 0}
    for event in sorted(events, key=lambda e: e.tick):
        text = str(event.payload.get("text", ""))
        if event.kind == "utterance" and event.agent in known and mentions(text, phrases):
            known.setdefault(str(event.payload["to"]), event.tick)
        elif event.kind == "whisper" and event.agent is not None and mentions(text, phrases):
            known.setdefault(event.agent, event.tick)
    return known


def awareness(answers: Iterable[ProbeAnswer], subject: str, checkpoint: int) -> float | None:
    """The share of residents whose answer about `subject` at `checkpoint` names the truth."""
    return share(a.right for a in answers if a.subject == subject and a.checkpoint == checkpoint)


def could_know_share(known: Mapping[str, int], residents: Sequence[str],
                     checkpoint: int) -> float | None:
    """The share of residents the log says could know by `checkpoint`."""
    return share(name in known and known[name] <= checkpoint for name in residents)


def probe_accuracy(answers: Iterable[ProbeAnswer]) -> float | None:
    return share(a.consistent for a in answers)


def hallucination_share(answers: Iterable[ProbeAnswer]) -> float | None:
    """The share of answers that claim something about another resident that is false."""
    return share(a.false_claim for a in answers)


# --- relationships -----------------------------------------------------------------------------

def mention_pairs(names: Sequence[str], memories: Iterable[tuple[str, str]]) -> set[Pair]:
    """Pairs where one's memories (owner, text) name the other in full (case-insensitive)."""
    folded = {name: name.casefold() for name in names}
    pairs: set[Pair] = set()
    for owner, text in memories:
        lowered = text.casefold()
        for name, name_folded in folded.items():
            if name != owner and name_folded in lowered:
                pairs.add(frozenset((owner, name)))
    return pairs


def network_density(names: Sequence[str], pairs: Iterable[Pair]) -> float:
    """Linked pairs among `names` over n(n-1)/2 (0 for fewer than two residents)."""
    residents = set(names)
    possible = len(residents) * (len(residents) - 1) // 2
    if possible == 0:
        return 0.0
    linked = {pair for pair in pairs if len(pair) == 2 and pair <= residents}
    return len(linked) / possible


def talk_pairs(talks: Iterable[tuple[str, str, int]], until: int) -> set[Pair]:
    return {frozenset((a, b)) for a, b, tick in talks if tick <= until and a != b}


def all_pairs(names: Sequence[str]) -> set[Pair]:
    return {frozenset(pair) for pair in combinations(sorted(set(names)), 2)}


# --- attendance --------------------------------------------------------------------------------

def minutes_inside(start_tiles: Mapping[str, Tile], moves: Iterable[LogEvent],
                   inside: Callable[[Tile], bool], first: int, end: int,
                   tick_seconds: int) -> dict[str, float]:
    """Game minutes each resident spent where `inside` holds, over ticks `first` to `end` - 1.

    `start_tiles` are the tiles at `first`; a move logged at tick t puts its
    resident on the new tile from t on. Moves outside (first, end) are ignored.
    """
    tiles = dict(start_tiles)
    since = dict.fromkeys(tiles, first)
    ticks: Counter[str] = Counter()

    def settle(name: str, until: int) -> None:
        if name in tiles and inside(tiles[name]):
            ticks[name] += max(0, until - since[name])

    for move in sorted(moves, key=lambda e: e.tick):
        if move.kind != "move" or move.agent is None or not first < move.tick < end:
            continue
        settle(move.agent, move.tick)
        x, y = move.payload["tile"]
        tiles[move.agent], since[move.agent] = (int(x), int(y)), move.tick
    for name in tiles:
        settle(name, end)
    return {name: ticks[name] * tick_seconds / 60 for name in sorted(tiles)}


def attendees(minutes: Mapping[str, float],
              at_least: float = ATTENDANCE_MINUTES) -> list[str]:
    return sorted(name for name, spent in minutes.items() if spent >= at_least)


# --- model calls -------------------------------------------------------------------------------

def call_stats(calls: Iterable[tuple[str, int, int, int, float]], agents: int,
               game_hours: float) -> dict[str, object]:
    """(kind, batch_id, prompt_tokens, completion_tokens, latency_s) rows -> a run's figures.

    A batch is the requests that share a batch id; generate, choose and rate
    calls count per agent-hour (embeddings do not, as in the run summary).
    """
    by_kind: Counter[str] = Counter()
    batches: Counter[int] = Counter()
    prompt = completion = 0
    seconds = 0.0
    for kind, batch_id, prompt_tokens, completion_tokens, latency in calls:
        by_kind[kind] += 1
        batches[batch_id] += 1
        prompt += prompt_tokens
        completion += completion_tokens
        seconds += latency
    total = sum(by_kind.values())
    agent_hours = agents * game_hours
    counted = total - by_kind["embed"]
    return {
        "calls": total,
        "calls_by_kind": dict(sorted(by_kind.items())),
        "batches": len(batches),
        "mean_batch": total / len(batches) if batches else 0.0,
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "model_seconds": seconds,
        "calls_per_agent_hour": counted / agent_hours if agent_hours > 0 else None,
        "tokens_per_agent_hour": (prompt + completion) / agent_hours if agent_hours > 0 else None,
    }


# --- across seeds ------------------------------------------------------------------------------

def mean_std(values: Iterable[float | None]) -> tuple[float | None, float | None, int]:
    """Mean, sample standard deviation (None below two values) and count, skipping Nones."""
    present = [float(v) for v in values if v is not None and not math.isnan(float(v))]
    if not present:
        return None, None, 0
    mean = sum(present) / len(present)
    if len(present) < 2:
        return mean, None, len(present)
    variance = sum((v - mean) ** 2 for v in present) / (len(present) - 1)
    return mean, math.sqrt(variance), len(present)
