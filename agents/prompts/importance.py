"""How important a new memory is to its owner, rated 1 (mundane) to 10 (life-changing).

The most frequent prompt of all (every observation is rated), so it is a `Rate`
(no text generated or parsed) and the per-agent part is only the owner's name.
"""

from __future__ import annotations

from agents.prompts.base import chat, line, quote
from agents.requests import Rate

TAG = "importance"
LOW = 1
HIGH = 10

SYSTEM = ("You rate how important a memory is to the person who has it, on a scale from "
          "1 to 10. 1 is an everyday routine, such as brushing teeth, making the bed or "
          "seeing an idle table. 10 is life-changing, such as a break-up, a death in the "
          "family or a college acceptance. Answer with the number only.")

SHOTS = (
    ("Memory of Ben Harlow: \"Ben Harlow is brushing his teeth\"", "1"),
    ("Memory of Ada Quill: \"Ada Quill's sister had a baby girl\"", "8"),
    ("Memory of Nora Finch: \"Nora Finch is having lunch at home\"", "2"),
    ("Memory of Ben Harlow: \"the shop counter is idle\"", "1"),
    ("Memory of Ada Quill: \"Ada Quill was asked to marry her partner\"", "10"),
    ("Memory of Nora Finch: \"Nora Finch is watering the plants\"", "1"),
    ("Memory of Ben Harlow: \"Ada Quill told Ben she is moving to another city\"", "6"),
    ("Memory of Ada Quill: \"Ada Quill is reading the newspaper\"", "2"),
)


def importance_request(*, agent: str, memory: str) -> Rate:
    """Rate how important `memory` (a record's description) is to `agent`."""
    prompt = chat(system=SYSTEM, shots=SHOTS, agent_part="",
                  task=f"Memory of {line(agent, 60)}: {quote(memory, 240)}")
    return Rate(prompt, low=LOW, high=HIGH, tag=TAG)
