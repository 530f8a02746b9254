"""A model served over an OpenAI-compatible HTTP API: vLLM, SGLang, `transformers serve`, llama.cpp.

A batch becomes concurrent HTTP requests (a thread pool); the server batches them itself.
String prompts go to /v1/completions, chat prompts to /v1/chat/completions. `top_k` is not
sent: it is not part of the OpenAI API and strict servers reject unknown fields.

Servers differ most in how `choose` and `rate` can be answered. What the server can do is
probed once, the first time it matters, and the best method used from then on:

1. prompt log-likelihoods, which give exactly the contract's scores: completions with
   `echo` + `logprobs` (vLLM, SGLang) for string prompts, vLLM's `prompt_logprobs` with
   `continue_final_message` for chat prompts; an option scores
   logprob(prompt + option) - logprob(prompt);
2. `transformers serve`'s /v1/systemone: the probability of each option's letter label;
3. constrained decoding (vLLM `structured_outputs` or `guided_choice`, SGLang `regex`): one
   option comes back, scored 0 against -inf for the others;
4. generating with the options listed and matching the text to an option. When nothing
   matches, the result says so (`matched=False`, every option scoring log(1/n)) and the
   caller takes its defined fallback; such answers are also counted in `unmatched`.

A `Generate.pattern` goes to the same constrained decoding, as a regex (`structured_outputs`
regex, `guided_regex`, SGLang `regex`); a server without one answers in free text.

Embeddings come from /v1/embeddings when the server has it, else from a local embedder.
"""

from __future__ import annotations

import math
import re
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from enum import StrEnum
from functools import partial
from typing import Any, NamedTuple

import httpx
import numpy as np

from agents.requests import (
    Choose,
    ChooseResult,
    Embed,
    EmbedResult,
    Generate,
    GenerateResult,
    Message,
    Prompt,
    Rate,
    RateResult,
    prompt_text,
)
from sim.models.base import (
    LanguageModel,
    ModelError,
    ModelInfo,
    answer_text,
    choose_from_scores,
    rate_from_scores,
)
from sim.models.embedder import MiniLMEmbedder, TextEmbedder
from sim.models.retry import TransientModelError

Json = dict[str, Any]
_LETTERS = 26  # systemone labels options A..Z
_PROBE_OPTIONS = ("qzx", "vjk")  # words no model says unprompted: a match means it was enforced


class EndpointRejected(ModelError):
    """The server refused a request with a 4xx answer: a field or route it does not support."""


class Feature(StrEnum):
    ECHO_LOGPROBS = "echo-logprobs"
    PROMPT_LOGPROBS = "prompt-logprobs"
    SYSTEMONE = "systemone"
    STRUCTURED_OUTPUTS = "structured-outputs"
    GUIDED_CHOICE = "guided-choice"
    REGEX = "regex"
    EMBEDDINGS = "embeddings"


GENERATE_AND_MATCH = "generate-and-match"
_CONSTRAINED = (Feature.STRUCTURED_OUTPUTS, Feature.GUIDED_CHOICE, Feature.REGEX)


class _Scores(NamedTuple):
    logprobs: list[float]
    prompt_tokens: int
    matched: bool = True


class OpenAICompatibleModel(LanguageModel):
    """A LanguageModel answered by a server at `base_url` (with or without the trailing /v1)."""

    def __init__(self, base_url: str, model: str | None = None, *, concurrency: int = 8,
                 timeout_s: float = 300.0, embedder: TextEmbedder | None = None,
                 disable: Iterable[Feature] = (),
                 transport: httpx.BaseTransport | None = None) -> None:
        """`disable` names features to treat as missing without probing (to force a fallback)."""
        root = base_url.rstrip("/")
        self.base_url = root if root.endswith("/v1") else root + "/v1"
        self.model = model
        self.timeout_s = timeout_s
        self.info = ModelInfo(name=model or "(served model)", backend="openai-http",
                              device="remote", source=self.base_url)
        self.methods_used: Counter[str] = Counter()
        self.unmatched = 0
        self._client = httpx.Client(base_url=self.base_url, transport=transport,
                                    timeout=httpx.Timeout(timeout_s, connect=10.0))
        self._pool = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="openai-http")
        self._embedder = embedder
        self._features: dict[Feature, bool] = dict.fromkeys(disable, False)
        self._probe_lock = threading.Lock()

    def close(self) -> None:
        self._pool.shutdown(wait=True)
        self._client.close()

    # --- the interface ---------------------------------------------------------------

    def generate(self, requests: Sequence[Generate]) -> list[GenerateResult]:
        return list(self._pool.map(self._generate_one, requests))

    def choose(self, requests: Sequence[Choose]) -> list[ChooseResult]:
        return [replace(choose_from_scores(s.logprobs), prompt_tokens=s.prompt_tokens,
                        matched=s.matched, computed_prompt_tokens=s.prompt_tokens)
                for s in self._score_options(requests)]

    def rate(self, requests: Sequence[Rate]) -> list[RateResult]:
        return [replace(rate_from_scores(r, s.logprobs), prompt_tokens=s.prompt_tokens,
                        matched=s.matched, computed_prompt_tokens=s.prompt_tokens)
                for r, s in zip(requests, self._score_options(requests), strict=True)]

    def embed(self, requests: Sequence[Embed]) -> list[EmbedResult]:
        if requests and self.supports(Feature.EMBEDDINGS):
            return list(self._pool.map(self._embed_remote, requests))
        return self._local_embedder().embed(requests)

    def supports(self, feature: Feature) -> bool:
        """Whether the server has `feature`, probed on first use and remembered."""
        with self._probe_lock:
            if feature not in self._features:
                self._features[feature] = self._probe(feature)
            return self._features[feature]

    # --- generate ----------------------------------------------------------------------

    def _generate_one(self, request: Generate) -> GenerateResult:
        if request.max_tokens <= 0:
            return GenerateResult(text="")
        body: Json = {"max_tokens": request.max_tokens, "temperature": request.temperature,
                      "top_p": request.top_p, "seed": request.seed}
        if request.stop:
            body["stop"] = list(request.stop)
        if request.pattern:
            body.update(self._format_fields(request.pattern))
        text, usage = self._complete(request.prompt, body)
        text = answer_text(request, text)
        prompt_tokens = int(usage.get("prompt_tokens", 0))
        details = usage.get("prompt_tokens_details") or {}  # OpenAI's and vLLM's prefix caching
        cached = int(details.get("cached_tokens") or 0) if isinstance(details, dict) else 0
        return GenerateResult(text, prompt_tokens, int(usage.get("completion_tokens", 0)),
                              computed_prompt_tokens=prompt_tokens - cached)

    def _format_fields(self, pattern: str) -> Json:
        """The fields that keep an answer to `pattern` on this server; none where it has no
        constrained decoding (the answer is then read as free text)."""
        for feature in _CONSTRAINED:
            if self.supports(feature):
                return _regex_constraint(feature, pattern)
        return {}

    def _complete(self, prompt: Prompt, body: Json) -> tuple[str, Json]:
        """Text and usage of one completion: a string prompt as text, a chat prompt as messages."""
        if isinstance(prompt, str):
            data = self._post("/completions", {"prompt": prompt, **body})
            text = _dig(data, "choices", 0, "text")
        else:
            data = self._post("/chat/completions", {"messages": _messages(prompt), **body})
            text = _dig(data, "choices", 0, "message", "content") or ""
        return str(text), data.get("usage") or {}

    # --- choose and rate -----------------------------------------------------------------

    def _score_options(self, requests: Sequence[Choose | Rate]) -> list[_Scores]:
        methods = [self._choice_method(r.prompt, r.options) for r in requests]
        self.methods_used.update(methods)
        likelihood = {Feature.ECHO_LOGPROBS, Feature.PROMPT_LOGPROBS}
        # Likelihood scoring makes one call per option plus one for the bare prompt: they are
        # flattened into one pool map, so that no pool task waits on another.
        jobs = [(r.prompt, option) for r, m in zip(requests, methods, strict=True)
                if m in likelihood for option in ("", *r.options)]
        totals = iter(self._pool.map(lambda job: self._prompt_logprob(*job), jobs))
        singles = iter(self._pool.map(self._score_one, [
            (m, r) for r, m in zip(requests, methods, strict=True) if m not in likelihood]))
        results: list[_Scores] = []
        for request, method in zip(requests, methods, strict=True):
            if method in likelihood:
                base, prompt_tokens = next(totals)
                scores = [next(totals)[0] - base for _ in request.options]
                results.append(_Scores(scores, prompt_tokens))
            else:
                results.append(next(singles))
        self.unmatched += sum(not s.matched for s in results)
        return results

    def _choice_method(self, prompt: Prompt, options: Sequence[str]) -> str:
        likelihood = Feature.ECHO_LOGPROBS if isinstance(prompt, str) else Feature.PROMPT_LOGPROBS
        if self.supports(likelihood):
            return likelihood
        if len(set(options)) == len(options) <= _LETTERS and self.supports(Feature.SYSTEMONE):
            return Feature.SYSTEMONE
        for feature in _CONSTRAINED:
            if self.supports(feature):
                return feature
        return GENERATE_AND_MATCH

    def _prompt_logprob(self, prompt: Prompt, answer: str) -> tuple[float, int]:
        """Summed log-likelihood of the prompt's tokens with `answer` appended, and their count."""
        if isinstance(prompt, str):
            data = self._post("/completions", {"prompt": prompt + answer, "max_tokens": 1,
                                               "echo": True, "logprobs": 1, "temperature": 0})
            n_prompt = int(_dig(data, "usage", "prompt_tokens"))
            logprobs = _dig(data, "choices", 0, "logprobs", "token_logprobs")[:n_prompt]
            return sum(lp for lp in logprobs if lp is not None), n_prompt
        data = self._post("/chat/completions", {
            "messages": _messages(_with_answer(prompt, answer)), "max_tokens": 1,
            "temperature": 0, "add_generation_prompt": False, "continue_final_message": True,
            "prompt_logprobs": 0})
        entries = _dig(data, "prompt_logprobs")
        total = 0.0
        for entry in entries:
            if entry is None:
                continue
            if len(entry) != 1:
                raise ModelError(f"{self.base_url}: prompt_logprobs gave {len(entry)} candidates "
                                 "for a prompt token; expected only the token itself")
            total += float(next(iter(entry.values()))["logprob"])
        return total, len(entries)

    def _score_one(self, job: tuple[str, Choose | Rate]) -> _Scores:
        """Scores from one call: label probabilities, a constrained answer, or a matched one."""
        method, request = job
        options = request.options
        if method == Feature.SYSTEMONE:
            data = self._post("/systemone", {"state": prompt_text(request.prompt), "questions": {
                "answer": {"type": "choice", "criteria": dict.fromkeys(options)}}})
            probabilities = _dig(data, "answers", "answer", "probabilities")
            logprobs = [math.log(p) if p > 0 else -math.inf
                        for p in (float(probabilities[o]) for o in options)]
            return _Scores(logprobs, int(data.get("usage", {}).get("input_tokens", 0)))
        if method in _CONSTRAINED:
            body = {"max_tokens": max(16, max(len(o) for o in options)), "temperature": 0,
                    **_constraint(Feature(method), options)}
            text, usage = self._complete(request.prompt, body)
        else:
            body = {"max_tokens": 16, "temperature": 0}
            text, usage = self._complete(_listing_prompt(request.prompt, request), body)
        index = (match_rating(text, request.low, request.high) if isinstance(request, Rate)
                 else match_option(text, options))
        prompt_tokens = int(usage.get("prompt_tokens", 0))
        if index is None:
            return _Scores([-math.log(len(options))] * len(options), prompt_tokens, matched=False)
        one_hot = [0.0 if i == index else -math.inf for i in range(len(options))]
        return _Scores(one_hot, prompt_tokens)

    # --- embed ---------------------------------------------------------------------------

    def _embed_remote(self, request: Embed) -> EmbedResult:
        if not request.texts:
            return EmbedResult(np.zeros((0, 0), dtype=np.float32))
        data = self._post("/embeddings", {"input": list(request.texts)})
        rows = sorted(_dig(data, "data"), key=lambda row: row["index"])
        vectors = np.asarray([row["embedding"] for row in rows], dtype=np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return EmbedResult(vectors / np.where(norms == 0, 1.0, norms))

    def _local_embedder(self) -> TextEmbedder:
        if self._embedder is None:
            self._embedder = MiniLMEmbedder()
        return self._embedder

    # --- HTTP ----------------------------------------------------------------------------

    def _post(self, path: str, body: Json) -> Json:
        if self.model is not None:
            body = {"model": self.model, **body}
        url = self.base_url + path
        try:
            response = self._client.post(path, json=body)
        except httpx.TimeoutException as exc:
            raise TransientModelError(f"POST {url} timed out after {self.timeout_s:g} s") from exc
        except httpx.TransportError as exc:
            raise TransientModelError(f"POST {url} failed: {exc}") from exc
        status, snippet = response.status_code, response.text[:300]
        if status == 429 or status >= 500:
            raise TransientModelError(f"POST {url} answered {status}: {snippet}")
        if status >= 400:
            raise EndpointRejected(f"POST {url} answered {status}: {snippet}")
        try:
            data = response.json()
        except ValueError as exc:
            raise ModelError(f"POST {url} answered something that is not JSON: {snippet}") from exc
        if not isinstance(data, dict):
            raise ModelError(f"POST {url} answered JSON that is not an object: {snippet}")
        return data

    def _keeps_to_options(self, constraint: Feature) -> bool:
        """Whether a short answer under `constraint` is one of the probe's options."""
        text, _ = self._complete("Say a word:", {
            "max_tokens": 8, "temperature": 0, **_constraint(constraint, _PROBE_OPTIONS)})
        return text.strip() in _PROBE_OPTIONS

    def _probe(self, feature: Feature) -> bool:
        """Try `feature` once on a tiny request; a refusal or a non-conforming answer means no."""
        probes: dict[Feature, Callable[[], bool]] = {
            Feature.ECHO_LOGPROBS: lambda: self._prompt_logprob("The cat sat", " on a mat")[1] > 1,
            Feature.PROMPT_LOGPROBS: lambda: self._prompt_logprob(
                (Message("user", "Say hello."),), "Hello")[1] > 1,
            Feature.SYSTEMONE: lambda: self._score_one(
                (Feature.SYSTEMONE, Choose("The sky is blue.", ("blue", "green")))
            ).logprobs[0] > -math.inf,
            Feature.EMBEDDINGS: lambda: self._embed_remote(Embed(("probe",))).vectors.shape[0] == 1,
        }
        for constrained in _CONSTRAINED:
            probes[constrained] = partial(self._keeps_to_options, constrained)
        try:
            return probes[feature]()
        except TransientModelError:
            raise
        except (ModelError, KeyError, IndexError, TypeError, ValueError):
            return False


def _dig(data: Any, *path: str | int) -> Any:
    """`data[path[0]][path[1]]...`, or a ModelError naming the missing field."""
    for i, key in enumerate(path):
        try:
            data = data[key]
        except (KeyError, IndexError, TypeError) as exc:
            where = "".join(f"[{k!r}]" for k in path[: i + 1])
            raise ModelError(f"server answer has no {where}") from exc
    return data


def _messages(prompt: tuple[Message, ...]) -> list[Json]:
    return [{"role": m.role, "content": m.content} for m in prompt]


def _with_answer(prompt: tuple[Message, ...], answer: str) -> tuple[Message, ...]:
    """The chat with `answer` as (the end of) the assistant's turn."""
    if prompt and prompt[-1].role == "assistant":
        return (*prompt[:-1], Message("assistant", prompt[-1].content + answer))
    return (*prompt, Message("assistant", answer))


def _constraint(feature: Feature, options: Sequence[str]) -> Json:
    if feature == Feature.STRUCTURED_OUTPUTS:
        return {"structured_outputs": {"choice": list(options)}}
    if feature == Feature.GUIDED_CHOICE:
        return {"guided_choice": list(options)}
    return {"regex": "(" + "|".join(re.escape(o) for o in options) + ")"}


def _regex_constraint(feature: Feature, pattern: str) -> Json:
    if feature == Feature.STRUCTURED_OUTPUTS:
        return {"structured_outputs": {"regex": pattern}}
    if feature == Feature.GUIDED_CHOICE:
        return {"guided_regex": pattern}
    return {"regex": pattern}


def _listing_prompt(prompt: Prompt, request: Choose | Rate) -> Prompt:
    """The prompt with the allowed answers spelled out, for servers that can only generate."""
    if isinstance(request, Rate):
        low, high = request.low, request.high
        note = f"Answer with one whole number from {low} to {high}, and nothing else."
    else:
        listing = "\n".join(f"{i}. {option}" for i, option in enumerate(request.options, 1))
        note = f"Options:\n{listing}\nAnswer with the number of one option, and nothing else."
    if isinstance(prompt, str):
        return f"{prompt.rstrip()}\n\n{note}\nAnswer:"
    if prompt and prompt[-1].role == "user":
        return (*prompt[:-1], Message("user", f"{prompt[-1].content}\n\n{note}"))
    return (*prompt, Message("user", note))


def _normalize(text: str) -> str:
    return " ".join(text.lower().split()).strip(" \t\n\"'`.,;:!?*()[]")


_LABEL = re.compile(r"(?:(?:the )?(?:answer|option|choice)(?: is)?:? )?\(?([a-z])(?:[.):]|$)")
"""A one-letter option label as an answer starts it: "B", "B.", "(B) the kitchen", "Answer: B"."""


def match_option(answer: str, options: Sequence[str]) -> int | None:
    """The option an answer names, else None.

    Verbatim; by its listed number ("2. the park"); a one-letter label only as the answer's
    label ("B.", "(B) ..."), never a letter inside words ("a" in "a bakery"); else the
    earliest option of several letters named as whole words ("No, thanks" but not "I know").
    """
    said = _normalize(answer)
    normalized = [_normalize(option) for option in options]
    if said in normalized:
        return normalized.index(said)
    number = re.match(r"(\d+)\b", said)
    if number and 1 <= int(number[1]) <= len(options):
        return int(number[1]) - 1
    label = _LABEL.match(said)
    if label and label[1] in normalized:
        return normalized.index(label[1])
    found = [(hit.start(), -len(o), i) for i, o in enumerate(normalized) if len(o) > 1
             for hit in [re.search(rf"(?<!\w){re.escape(o)}(?!\w)", said)] if hit]
    return min(found)[2] if found else None


_SCALE = re.compile(r"(-?\d+)\s*(?:to|-|–|through)\s*(-?\d+)")
_OUT_OF = re.compile(r"(?:out of|/)\s*-?\d+")


def match_rating(answer: str, low: int, high: int) -> int | None:
    """The position (from `low`) of the rating in `answer`, else None.

    The first whole number in low..high that is not part of the scale itself: "On a
    scale of 1 to 10, I would rate this a 7." and "7/10" and "7 out of 10" read as 7.
    """
    def drop_scale(span: re.Match[str]) -> str:
        return " " if (int(span[1]), int(span[2])) == (low, high) else span[0]

    text = _SCALE.sub(drop_scale, _OUT_OF.sub(" ", answer.lower()))
    for number in re.findall(r"-?\d+", text):
        if low <= int(number) <= high:
            return int(number) - low
    return None
