"""The constants cognition runs by, filled from the scenario by `sim`.

`agents` cannot import `sim.config` (dependencies point one way), so the
scenario's settings reach cognition through this plain value.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from agents.memory import RetrievalConfig


@dataclass(frozen=True, slots=True)
class CognitionConfig:
    retrieval: RetrievalConfig
    tick_seconds: int = 10
    observation: bool = True
    planning: bool = True
    reflection: bool = True
    reflection_threshold: int = 150
    reflection_recent: int = 100
    reflection_questions: int = 3
    reflection_insights: int = 5
    retention: int = 8
    max_rounds: int = 8
    cooldown_minutes: int = 120
    hourly_by_model: bool = False
    chunk_minutes: int = 60
    action_min_minutes: int = 5
    action_max_minutes: int = 15
    react_importance: int = 5
    conversation_memories: int = 4
    reflection_memories: int = 8
    interview_memories: int = 8
    intentions_kept: int = 5
    reuse_importance: bool = True
    known_support: float = 0.135
    temperature: float = 0.7
    top_p: float = 0.95
    max_tokens: dict[str, int] = field(default_factory=dict)
    prompt_memories: int = 6

    def tokens(self, tag: str, default: int) -> int:
        return self.max_tokens.get(tag, default)
