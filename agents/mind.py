"""One resident at run time: who it is, what it carries, what it remembers and knows.

The scheduler keeps one `Mind` per resident for the whole run and persists its
state and new memories at the end of every tick; cognition steps read and
change it in memory only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from agents.config import CognitionConfig
from agents.context import TickContext
from agents.memory import MemoryRecord, MemoryStream, NewMemory
from agents.persona import Persona
from agents.requests import Choose, ChooseResult, Embed, EmbedResult, Rate, RateResult
from agents.state import SLEEPING, AgentState, talking_with
from agents.steps import Step, embed
from agents.tables import MemoryKind
from world.spatial_memory import SpatialMemory


@dataclass(slots=True)
class FallbackCounter:
    """How often a model answer could not be used and a defined fallback was taken."""

    by_tag: dict[str, int] = field(default_factory=dict)
    unlogged: list[tuple[str, str]] = field(default_factory=list)
    """(agent, tag) of each fallback since the scheduler last wrote them to the event log."""

    def count(self, tag: str, agent: str) -> None:
        self.by_tag[tag] = self.by_tag.get(tag, 0) + 1
        self.unlogged.append((agent, tag))

    def take_unlogged(self) -> list[tuple[str, str]]:
        taken, self.unlogged = self.unlogged, []
        return taken

    @property
    def total(self) -> int:
        return sum(self.by_tag.values())


class Mind:
    def __init__(self, agent_id: int, persona: Persona, state: AgentState,
                 memory: MemoryStream, places: SpatialMemory, config: CognitionConfig,
                 fallbacks: FallbackCounter | None = None) -> None:
        self.agent_id = agent_id
        self.persona = persona
        self.state = state
        self.memory = memory
        self.places = places
        self.config = config
        self.fallbacks = fallbacks if fallbacks is not None else FallbackCounter()

    def fell_back(self, tag: str) -> None:
        """A model answer (of prompt `tag`) was unusable and the defined fallback was taken."""
        self.fallbacks.count(tag, self.name)

    def option(self, request: Choose, answer: ChooseResult, fallback: int) -> int:
        """The index of the option the model chose; `fallback` (logged as a fallback) when its
        answer named none of the options."""
        if answer.matched:
            return answer.index
        self.fell_back(request.tag)
        return fallback

    def rating(self, request: Rate, answer: RateResult, fallback: int) -> int:
        """The model's rating; `fallback` (logged as a fallback) when its answer named none."""
        if answer.matched:
            return answer.value
        self.fell_back(request.tag)
        return fallback

    @property
    def name(self) -> str:
        return self.persona.name

    def persona_text(self) -> str:
        """The block that heads this agent's prompts: its summary once it has one."""
        return self.state.summary or self.persona.identity()

    def activity(self) -> str:
        if self.state.asleep:
            return SLEEPING
        if self.state.conversation is not None:
            return talking_with(self.state.conversation.partner)
        return self.state.action.description if self.state.action else "idle"

    def remember(self, ctx: TickContext, kind: MemoryKind, texts: Sequence[str],
                 importances: Sequence[int], vectors: np.ndarray,
                 evidence: Sequence[Sequence[int]] | None = None,
                 conversation_id: int | None = None) -> list[MemoryRecord]:
        """Append records made at this tick; reflections carry their evidence ids."""
        items = [NewMemory(kind=kind, description=text, importance=max(1, min(10, int(score))),
                           embedding=vector, created_tick=ctx.tick,
                           created_at=ctx.now.isoformat(timespec="minutes"),
                           evidence_ids=tuple(evidence[i]) if evidence else (),
                           conversation_id=conversation_id)
                 for i, (text, score, vector) in enumerate(zip(texts, importances, vectors,
                                                               strict=True))]
        records = self.memory.add_many(items)
        if kind is not MemoryKind.REFLECTION:
            self.state.importance_since_reflection += sum(r.importance for r in records)
        return records

    def recall(self, ctx: TickContext, queries: Sequence[str], k: int | None = None,
               kinds: Sequence[MemoryKind] | None = None,
               touch: bool = True) -> Step[list[list[MemoryRecord]]]:
        """Retrieve for each query (one embedding request for all), best first."""
        if not queries or len(self.memory) == 0:
            return [[] for _ in queries]
        vectors = yield from embed_texts(queries)
        k = k or self.config.prompt_memories
        return [[scored.memory for scored in self.memory.retrieve(
                    vector, ctx.tick, k=k, kinds=kinds, touch=touch)]
                for vector in vectors]


def embed_texts(texts: Sequence[str]) -> Step[np.ndarray]:
    result: EmbedResult = yield from embed(Embed(tuple(texts)))
    return result.vectors
