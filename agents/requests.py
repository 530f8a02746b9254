"""The typed model requests that agent cognition yields, and their answers.

Cognition never calls a model: it yields one of these and receives the matching
result. The scheduler gathers the requests of every agent in a phase and hands
them to a backend (in `sim.models`) as one batch per kind, so these types are
plain, hashable values: a backend may answer identical requests once, and the
recording wrapper can key a logged call by `fingerprint()`.

A prompt is either plain text or a tuple of chat messages. Put what is shared by
many requests first (a system message, few-shot turns, an agent's persona) and
what differs last: backends compute a head shared across a batch only once.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import Field, asdict, dataclass, field
from typing import ClassVar, Literal, TypeAlias

import numpy as np

Role: TypeAlias = Literal["system", "user", "assistant"]


@dataclass(frozen=True, slots=True)
class Message:
    """One chat turn."""

    role: Role
    content: str


Prompt: TypeAlias = str | tuple[Message, ...]


def _canonical(value: object) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


class _Request:
    """Shared behaviour of the request dataclasses (a mixin, no fields)."""

    __slots__ = ()
    __dataclass_fields__: ClassVar[dict[str, Field[object]]]  # set by each @dataclass
    kind: str

    def to_json(self) -> dict[str, object]:
        data = asdict(self)
        data["kind"] = self.kind
        return data

    def fingerprint(self) -> str:
        """A stable digest of everything that determines the answer."""
        return hashlib.sha256(_canonical(self.to_json()).encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Generate(_Request):
    """Free text continuation. `temperature == 0` means greedy decoding.

    `stop_at_loop`: the answer ends where its lines start to loop
    (`agents.repetition.loop_start`); the in-process backend stops decoding there, and
    every backend cuts the text there. `no_repeat_ngram`: no run of this many tokens
    occurs twice in the answer (transformers' `no_repeat_ngram_size`, over the answer's
    own tokens; 0 is off); the in-process backend enforces it (the OpenAI API has no such
    field, so a server's answer gets only the loop cut). `pattern`: a regular expression the
    whole answer matches ("" is free text); the in-process backend masks every token that
    would leave it (`sim.models.formats`), a server gets it as its structured-output regex.
    `avoid_words`: words the answer may not use; the in-process backend gives no
    probability to each spelling of one that is a single token (with or without a leading
    space or a capital), a server gets no such field (the OpenAI API's `logit_bias` needs
    the server's token ids). `max_sentences`: the answer ends after this many sentences
    (`agents.prompts.base.sentences`; 0 is no limit), for a prompt whose parser reads no
    further; the in-process backend stops decoding when the next one starts, and every
    backend cuts the text there.
    """

    prompt: Prompt
    max_tokens: int = 64
    stop: tuple[str, ...] = ()
    temperature: float = 0.0
    top_p: float = 1.0
    top_k: int = 50
    seed: int = 0
    tag: str = ""
    stop_at_loop: bool = False
    no_repeat_ngram: int = 0
    pattern: str = ""
    avoid_words: tuple[str, ...] = ()
    max_sentences: int = 0
    kind: str = field(default="generate", init=False)


@dataclass(frozen=True, slots=True)
class Choose(_Request):
    """Pick one of `options` by scoring each as the answer's continuation.

    The score of an option is the summed log-likelihood of its tokens after the
    prompt (the answer start of a chat prompt). No text is parsed.
    """

    prompt: Prompt
    options: tuple[str, ...]
    tag: str = ""
    kind: str = field(default="choose", init=False)

    def __post_init__(self) -> None:
        if not self.options:
            raise ValueError("Choose needs at least one option")


@dataclass(frozen=True, slots=True)
class Rate(_Request):
    """An integer in `low..high`, chosen by scoring each whole number as an option.

    Scoring whole numbers (not single tokens) matters: "10" is two tokens in
    many vocabularies, so a next-token argmax could never answer it.
    """

    prompt: Prompt
    low: int = 1
    high: int = 10
    tag: str = ""
    kind: str = field(default="rate", init=False)

    def __post_init__(self) -> None:
        if self.low > self.high:
            raise ValueError(f"Rate range is empty: {self.low}..{self.high}")

    @property
    def options(self) -> tuple[str, ...]:
        return tuple(str(n) for n in range(self.low, self.high + 1))


@dataclass(frozen=True, slots=True)
class Embed(_Request):
    """Sentence embeddings, one unit-length vector per text."""

    texts: tuple[str, ...]
    tag: str = ""
    kind: str = field(default="embed", init=False)


ModelRequest: TypeAlias = Generate | Choose | Rate | Embed


@dataclass(frozen=True, slots=True)
class GenerateResult:
    """`prompt_tokens` is the prompt's length; `computed_prompt_tokens` how many of them the
    backend ran through the model for this request (cached or shared prefixes excluded; not
    part of equality, as it describes the work and not the answer)."""

    text: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    computed_prompt_tokens: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class ChooseResult:
    """The chosen option's index and every option's score.

    `matched` is False when the model's answer named no option (a server that can only
    generate text said something else); `index` is then meaningless and the caller takes
    its defined fallback.
    """

    index: int
    logprobs: tuple[float, ...]
    prompt_tokens: int = 0
    matched: bool = True
    computed_prompt_tokens: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class RateResult:
    """The rating in `low..high` and every value's score; `matched` as for `ChooseResult`."""

    value: int
    logprobs: tuple[float, ...]
    prompt_tokens: int = 0
    matched: bool = True
    computed_prompt_tokens: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True, eq=False)
class EmbedResult:
    """`vectors` has shape (len(texts), dim), float32, rows of unit length."""

    vectors: np.ndarray

    def __eq__(self, other: object) -> bool:
        return isinstance(other, EmbedResult) and np.array_equal(self.vectors, other.vectors)

    __hash__ = None  # type: ignore[assignment]


ModelResult: TypeAlias = GenerateResult | ChooseResult | RateResult | EmbedResult


def prompt_text(prompt: Prompt) -> str:
    """A readable rendering of a prompt, for logs and for backends without chat."""
    if isinstance(prompt, str):
        return prompt
    return "\n".join(f"[{m.role}] {m.content}" for m in prompt)


def request_from_json(data: dict[str, object]) -> ModelRequest:
    """Inverse of `to_json`, used by the replay backend and the call log."""
    data = dict(data)
    kind = data.pop("kind")
    raw_prompt = data.get("prompt")
    if isinstance(raw_prompt, list | tuple):
        data["prompt"] = tuple(Message(**m) for m in raw_prompt)
    for key, value in data.items():  # every sequence field is a tuple (hashable requests)
        if key != "prompt" and isinstance(value, list):
            data[key] = tuple(value)
    types: dict[object, type] = {"generate": Generate, "choose": Choose, "rate": Rate,
                                 "embed": Embed}
    if kind not in types:
        raise ValueError(f"unknown request kind {kind!r}")
    request: ModelRequest = types[kind](**data)
    return request
