"""The figures a run reports: what it covered, what it cost, how the model was used."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sim.run import RunSession


@dataclass(frozen=True, slots=True)
class RunSummary:
    start: str
    end: str
    game_hours: float
    ticks: int
    wall_seconds: float
    agents: int
    calls: int
    calls_by_kind: dict[str, int]
    cache_hits: int
    prompt_tokens: int
    computed_prompt_tokens: int
    completion_tokens: int
    mean_batch: float
    model_seconds: float
    conversations: int
    utterances: int
    reflections: int
    fallbacks: int

    @property
    def agent_hours(self) -> float:
        return max(self.game_hours * self.agents, 1e-9)

    @property
    def calls_per_agent_hour(self) -> float:
        """Generate, choose and rate calls; embeddings and cache hits are not counted."""
        counted = sum(n for kind, n in self.calls_by_kind.items() if kind != "embed")
        return counted / self.agent_hours

    @property
    def tokens_per_agent_hour(self) -> float:
        return (self.prompt_tokens + self.completion_tokens) / self.agent_hours

    @property
    def computed_prompt_tokens_per_agent_hour(self) -> float:
        """Prompt tokens the model actually ran (cached and shared prefixes excluded)."""
        return self.computed_prompt_tokens / self.agent_hours

    @property
    def prefix_cache_hit_rate(self) -> float:
        """The share of requested prompt tokens not run, their keys and values reused."""
        if not self.prompt_tokens:
            return 0.0
        return 1.0 - self.computed_prompt_tokens / self.prompt_tokens

    @property
    def model_share(self) -> float:
        return self.model_seconds / self.wall_seconds if self.wall_seconds else 0.0

    def to_json(self) -> dict[str, object]:
        data = asdict(self)
        data.update(calls_per_agent_hour=self.calls_per_agent_hour,
                    tokens_per_agent_hour=self.tokens_per_agent_hour,
                    computed_prompt_tokens_per_agent_hour=(
                        self.computed_prompt_tokens_per_agent_hour),
                    prefix_cache_hit_rate=self.prefix_cache_hit_rate,
                    model_share=self.model_share)
        return data

    def render(self) -> str:
        per_s = self.ticks / self.wall_seconds if self.wall_seconds else 0.0
        game_min_per_s = self.game_hours * 60 / self.wall_seconds if self.wall_seconds else 0.0
        kinds = ", ".join(f"{k} {n}" for k, n in sorted(self.calls_by_kind.items()))
        return "\n".join([
            f"game time   {self.start} -> {self.end} ({self.game_hours:.2f} h, "
            f"{self.ticks} ticks computed)",
            f"wall time   {self.wall_seconds:.1f} s ({per_s:.2f} ticks/s, "
            f"{game_min_per_s:.2f} game-min per wall-s)",
            f"model       {self.calls} calls ({kinds}); {self.cache_hits} answered from cache; "
            f"mean batch {self.mean_batch:.1f}; {self.model_share:.0%} of wall time",
            f"per agent-game-hour  {self.calls_per_agent_hour:.1f} calls, "
            f"{self.tokens_per_agent_hour:.0f} tokens, "
            f"{self.computed_prompt_tokens_per_agent_hour:.0f} prompt tokens computed "
            f"({self.prefix_cache_hit_rate:.0%} of the prompt tokens reused)",
            f"residents   {self.agents}: {self.conversations} conversations "
            f"({self.utterances} utterances), {self.reflections} reflections, "
            f"{self.fallbacks} fallbacks from unreadable answers",
        ])


def summarise(session: RunSession, start_tick: int) -> RunSummary:
    clock = session.clock
    end_tick = session.last_tick if session.last_tick is not None else start_tick
    stats = session.recorder.stats
    hits = session.cache.hits
    return RunSummary(
        start=clock.format(start_tick), end=clock.format(end_tick),
        game_hours=clock.hours_between(start_tick, end_tick + 1), ticks=session.stats.ticks,
        wall_seconds=session.stats.wall_seconds, agents=len(session.minds),
        calls=stats.total_calls, calls_by_kind=dict(stats.calls), cache_hits=int(hits),
        prompt_tokens=stats.prompt_tokens, computed_prompt_tokens=stats.computed_prompt_tokens,
        completion_tokens=stats.completion_tokens,
        mean_batch=stats.mean_batch_size(), model_seconds=stats.model_seconds,
        conversations=session.stats.conversations, utterances=session.stats.utterances,
        reflections=session.stats.reflections, fallbacks=session.fallbacks.total)
