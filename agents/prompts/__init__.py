"""The agents' prompts: one module per cognitive act.

Each module has builders (keyword-only, typed fields) that return a model request
from `agents.requests`, and, for free-text requests, a parser that returns a typed
value or raises `PromptParseError`, which cognition answers with a defined
fallback. Prefer the `Choose`/`Rate` builders wherever the answer is one of a
known set: they need no parsing. `base` explains the shared prompt layout.
"""

from agents.prompts.base import PromptParseError

__all__ = ["PromptParseError"]
