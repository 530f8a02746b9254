"""The short pictogram shown over an acting agent, chosen from a fixed set.

The options scored are the pictograms' one-word names, each a single token in the
Qwen2.5 vocabulary (checked), so no option is favoured for being short; the whole
list sits in the system message, so requests differ only in the activity.
"""

from __future__ import annotations

from dataclasses import dataclass

from agents.prompts.base import chat, line
from agents.requests import Choose

TAG = "pictogram"


@dataclass(frozen=True, slots=True)
class Pictogram:
    name: str
    emoji: str


PICTOGRAMS: tuple[Pictogram, ...] = tuple(Pictogram(name, emoji) for name, emoji in (
    ("sleep", "\U0001f634"), ("wake", "\u23f0"), ("wash", "\U0001f6bf"),
    ("dress", "\U0001f455"), ("eat", "\U0001f37d\ufe0f"), ("coffee", "\u2615"),
    ("cook", "\U0001f373"), ("bread", "\U0001f950"), ("drink", "\U0001f37a"),
    ("work", "\U0001f4bc"), ("computer", "\U0001f4bb"), ("write", "\u270d\ufe0f"),
    ("read", "\U0001f4d6"), ("study", "\U0001f393"), ("lesson", "\U0001f9d1\u200d\U0001f3eb"),
    ("paint", "\U0001f3a8"), ("music", "\U0001f3b5"), ("talk", "\U0001f4ac"),
    ("phone", "\U0001f4de"), ("walk", "\U0001f6b6"), ("exercise", "\U0001f3c3"),
    ("shop", "\U0001f6d2"), ("serve", "\U0001f6ce\ufe0f"), ("clean", "\U0001f9f9"),
    ("plant", "\U0001f331"), ("party", "\U0001f389"), ("think", "\U0001f4ad"),
    ("rest", "\U0001f6cb\ufe0f"), ("medicine", "\U0001f48a"), ("plan", "\U0001f4cb"),
))
NAMES: tuple[str, ...] = tuple(p.name for p in PICTOGRAMS)
SLEEP_EMOJI = PICTOGRAMS[NAMES.index("sleep")].emoji
"""Over a resident put to bed by the run itself (no model asked)."""
TALK_EMOJI = PICTOGRAMS[NAMES.index("talk")].emoji
"""Over a resident in a conversation (no model asked)."""

SYSTEM = ("You pick the icon that best shows what a person is doing. The icons are: "
          + ", ".join(NAMES) + ". Answer with one icon name.")

SHOTS = (
    ("Activity: brushing teeth and taking a shower", "wash"),
    ("Activity: serving customers at the counter", "serve"),
    ("Activity: writing a chapter of a novel", "write"),
    ("Activity: jogging around the park", "exercise"),
)


def pictogram_request(*, activity: str) -> Choose:
    """Which pictogram shows `activity`; the answer's index is an index into PICTOGRAMS."""
    prompt = chat(system=SYSTEM, shots=SHOTS, agent_part="",
                  task=f"Activity: {line(activity, 120)}")
    return Choose(prompt, options=NAMES, tag=TAG)
