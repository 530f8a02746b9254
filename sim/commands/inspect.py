"""`python -m sim inspect RUN [AGENT] [--json]`: a run's figures and its residents' state."""

from __future__ import annotations

import argparse
import json
import textwrap

from agents.state import talking_with
from sim.inspect import (
    Inspection,
    MemoryLine,
    Overview,
    PlanLine,
    ResidentView,
    WaitingItem,
    inspect_run,
)

LABEL = 14
"""Width of the label column; the values line up after it."""


def main(args: argparse.Namespace) -> int:
    inspection = inspect_run(args.run, args.agent)
    if args.json:
        print(json.dumps(inspection.to_json(), indent=2, ensure_ascii=False))
    else:
        print(render(inspection))
    return 0


def render(inspection: Inspection) -> str:
    blocks = [render_overview(inspection.overview)]
    today = inspection.overview.reached[:10]
    blocks.extend(render_resident(resident, today) for resident in inspection.residents)
    return "\n\n".join(blocks)


def render_overview(o: Overview) -> str:
    today = o.reached[:10]
    memories = sum(o.memories.values())
    kinds = ", ".join(f"{kind} {n}" for kind, n in sorted(o.memories.items()))
    lines = [
        _row("run", o.run),
        _row("scenario", f"{o.scenario}, seed {o.seed}"),
        _row("model", o.model),
        _row("game time", f"{o.start} -> {o.reached}; {o.status}"),
        _row("residents", str(o.residents)),
        _row("memories", f"{memories}" + (f" ({kinds})" if kinds else "")),
        _row("talk", f"{o.conversations} conversations, {o.utterances} utterances, "
                     f"{o.reflections} reflections"),
        _row("inbox", f"{o.inbox_pending} pending, {o.inbox_delivered} delivered"),
        *(_row("", _waiting(item, today)) for item in o.waiting_events),
        _row("fallbacks", _fallbacks(o)),
    ]
    lines.extend(_calls_table(o))
    return "\n".join(lines)


def _fallbacks(o: Overview) -> str:
    if not o.fallbacks:
        return "none"
    by_tag = ", ".join(f"{tag} {n}" for tag, n in o.fallbacks.items())
    return f"{sum(o.fallbacks.values())} unusable model answers ({by_tag})"


def _calls_table(o: Overview) -> list[str]:
    if not o.model_calls:
        return [_row("model calls", "none")]
    header = ("kind", "tag", "calls", "prompt tok", "computed", "output tok")
    rows = [(c.kind, c.tag or "-", f"{c.calls:,}", f"{c.prompt_tokens:,}",
             f"{c.computed_prompt_tokens:,}", f"{c.completion_tokens:,}") for c in o.model_calls]
    rows.append(("all", "", f"{sum(c.calls for c in o.model_calls):,}",
                 f"{sum(c.prompt_tokens for c in o.model_calls):,}",
                 f"{sum(c.computed_prompt_tokens for c in o.model_calls):,}",
                 f"{sum(c.completion_tokens for c in o.model_calls):,}"))
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def line(cells: tuple[str, ...]) -> str:
        left = [cells[i].ljust(widths[i]) for i in (0, 1)]
        right = [cells[i].rjust(widths[i]) for i in (2, 3, 4, 5)]
        return "  ".join([*left, *right])

    table = [line(header), *(line(row) for row in rows)]
    return [_row("model calls" if i == 0 else "", text) for i, text in enumerate(table)]


def render_resident(r: ResidentView, today: str = "") -> str:
    """One resident's block; times of `today` (an ISO date) are shown as bare clock times."""
    lines = [f"{r.name}  ({'asleep' if r.asleep else 'awake'}, tile {r.tile[0]},{r.tile[1]})"]
    lines.append(_row("  now", _action(r, today)))
    plan = _merged_plan(r.plan)
    lines.extend(_row("  plan today" if i == 0 else "", text) for i, text in enumerate(plan))
    if not plan:
        lines.append(_row("  plan today", "none yet"))
    lines.append(_row("  memories", f"{r.memories} in all, newest first:"
                      if r.recent_memories else "none"))
    lines.extend(_row("", _memory(m, today)) for m in r.recent_memories)
    reflection = r.last_reflection
    lines.append(_row("  reflection", _memory(reflection, today) if reflection else "none yet"))
    partners = ", ".join(f"{p.name} ({p.conversations}x, last {_when(p.last_at, today)})"
                         for p in r.talked_with)
    lines.append(_row("  talked with", partners or "nobody yet"))
    lines.extend(_row("  waiting" if i == 0 else "", _waiting(item, today))
                 for i, item in enumerate(r.waiting_whispers))
    return "\n".join(lines)


def _waiting(item: WaitingItem, today: str) -> str:
    """One undelivered inbox item: what, for whom or where, when sent, and its text."""
    where = f" at {item.to}" if item.kind == "event" else ""
    return (f"{item.kind} #{item.id}{where} (sent {_when(item.sent, today)}, not delivered yet): "
            f"{_short(item.text, 70)!r}")


def _merged_plan(plan: list[PlanLine]) -> list[str]:
    """The schedule with runs of the same activity shown once; ">" marks the one under way."""
    merged: list[tuple[str, str, str, bool]] = []
    for item in plan:
        if merged and merged[-1][2] == item.description and merged[-1][1] == item.start:
            start, _end, text, current = merged[-1]
            merged[-1] = (start, item.end, text, current or item.current)
        else:
            merged.append((item.start, item.end, item.description, item.current))
    return [f"{'>' if current else ' '} {start}-{end}  {_short(text, 70)}"
            for start, end, text, current in merged]


def _action(r: ResidentView, today: str) -> str:
    if r.talking_with is not None:
        return talking_with(r.talking_with)
    if r.action is None:
        return "nothing under way"
    span = (f" ({_when(r.action_since, today)}-{_when(r.action_until, today)})"
            if r.action_since and r.action_until else "")
    place = f" @ {r.action_place}" if r.action_place else ""
    return f"{_short(r.action, 60)}{place}{span}"


def _memory(m: MemoryLine, today: str) -> str:
    return (f"{_when(m.created_at, today):>5}  {m.kind:<11} {m.importance:>2}  "
            f"{_short(m.description, 66)}")


def _when(time: str | None, today: str) -> str:
    """A game time as a bare clock time ("08:05") when it falls on `today`."""
    if time is None:
        return "?"
    return time[11:] if today and time.startswith(today) else time


def _row(label: str, value: str) -> str:
    return f"{label:<{LABEL}}{value}".rstrip()


def _short(text: str, width: int) -> str:
    return textwrap.shorten(" ".join(text.split()), width=width, placeholder="...")
