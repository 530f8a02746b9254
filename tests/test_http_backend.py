"""The OpenAI-compatible backend: against in-process fake servers of each capability, against an
unreachable port, and (marked `model`) against a real `transformers serve` on loopback."""

from __future__ import annotations

import json
import math
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest

from agents.requests import Choose, Embed, Generate, Message, Rate
from sim.models.base import ModelError
from sim.models.embedder import TextEmbedder
from sim.models.fake import hashed_embedding
from sim.models.http import Feature, OpenAICompatibleModel, match_option, match_rating
from sim.models.retry import RetryingModel


def word_logprob(word: str) -> float:
    """The fake server's log-likelihood of a token (a word): longer words are less likely."""
    return -0.1 * len(word)


@dataclass
class FakeServer:
    """An OpenAI-compatible server in-process, with the capabilities a test switches on.

    Tokens are whitespace-separated words. Unknown fields are refused with 422, as strict
    servers (`transformers serve`) do.
    """

    echo: bool = False
    systemone: bool = False
    constrained: str | None = None  # "structured_outputs", "guided_choice" or "regex"
    embeddings: bool = False
    reply: str = "Fine, thanks."
    paths: list[str] = field(default_factory=list)
    bodies: list[dict[str, Any]] = field(default_factory=list)

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def handle(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path.removeprefix("/v1")
        body = json.loads(request.content)
        self.paths.append(path)
        self.bodies.append(body)
        known = {"model", "prompt", "messages", "max_tokens", "temperature", "top_p", "seed",
                 "stop", "echo", "logprobs", "input", "state", "questions"}
        if self.constrained:
            known.add(self.constrained)
        if self.constrained == "guided_choice":  # vLLM before structured_outputs
            known.add("guided_regex")
        if self.echo:  # vLLM's extensions for prompt log-likelihoods of a chat
            known |= {"prompt_logprobs", "add_generation_prompt", "continue_final_message"}
        if set(body) - known:
            return httpx.Response(422, json={"detail": f"unexpected {set(body) - known}"})
        if path == "/completions":
            return self.completion(body, body["prompt"])
        if path == "/chat/completions" and "prompt_logprobs" in body:
            words = " ".join(m["content"] for m in body["messages"]).split()
            entries = [None] + [{"7": {"logprob": word_logprob(w)}} for w in words[1:]]
            return httpx.Response(200, json={"choices": [{"message": {"content": "zzz"}}],
                                             "prompt_logprobs": entries})
        if path == "/chat/completions":
            text = self.generated(body, body["messages"][-1]["content"])
            return httpx.Response(200, json={"choices": [{"message": {"content": text}}],
                                             "usage": {"prompt_tokens": 3, "completion_tokens": 2}})
        if path == "/systemone" and self.systemone:
            options = list(body["questions"]["answer"]["criteria"])
            weights = np.array([len(o) for o in options], dtype=float)
            probabilities = dict(zip(options, (weights / weights.sum()).tolist(), strict=True))
            answers = {"answer": {"probabilities": probabilities}}
            return httpx.Response(200, json={"answers": answers, "usage": {"input_tokens": 12}})
        if path == "/embeddings" and self.embeddings:
            data = [{"index": i, "embedding": (2 * hashed_embedding(t)).tolist()}
                    for i, t in enumerate(body["input"])]
            return httpx.Response(200, json={"data": data[::-1]})
        return httpx.Response(404, json={"detail": "Not Found"})

    def completion(self, body: dict[str, Any], prompt: str) -> httpx.Response:
        words = prompt.split()
        choice: dict[str, Any] = {"text": self.generated(body, prompt)}
        if self.echo and body.get("echo"):
            generated = "zzz"
            choice["text"] = prompt + " " + generated
            choice["logprobs"] = {"token_logprobs": [None] + [word_logprob(w) for w in words[1:]]
                                  + [word_logprob(generated)]}
        usage = {"prompt_tokens": len(words), "completion_tokens": 1}
        return httpx.Response(200, json={"choices": [choice], "usage": usage})

    def generated(self, body: dict[str, Any], prompt: str) -> str:
        """The last option of a constrained choice; else the reply (a format's regex is
        recorded in `bodies`, not enforced)."""
        constraint = body.get(self.constrained or "")
        if isinstance(constraint, dict) and "choice" in constraint:
            return constraint["choice"][-1]
        if isinstance(constraint, list):
            return constraint[-1]
        if isinstance(constraint, str) and constraint.startswith("(") and constraint.endswith(")"):
            return constraint.strip("()").split("|")[-1]
        return self.reply


def model_for(server: FakeServer, **kwargs: Any) -> OpenAICompatibleModel:
    return OpenAICompatibleModel("http://fake:8000", transport=server.transport(), **kwargs)


class HashEmbedder(TextEmbedder):
    """The fake model's hashed bag of words, standing in for MiniLM."""

    dim = 384

    def embed_texts(self, texts: Sequence[str]) -> np.ndarray:
        return np.stack([hashed_embedding(t) for t in texts])


def test_generate_uses_completions_for_text_and_chat_for_messages() -> None:
    server = FakeServer(reply="Hello there! How are you?")
    model = model_for(server, model="tiny")
    chat = (Message("system", "Be brief."), Message("user", "Hi"))
    text, message = model.generate([Generate("Hi", max_tokens=9, stop=("!",), seed=3),
                                    Generate(chat, temperature=0.5)])
    assert text.text == "Hello there"  # cut at the stop string even if the server keeps it
    assert message.text == "Hello there! How are you?"
    assert (message.prompt_tokens, message.completion_tokens) == (3, 2)
    assert sorted(server.paths) == ["/chat/completions", "/completions"]
    sent = server.bodies[server.paths.index("/completions")]
    assert sent == {"model": "tiny", "prompt": "Hi", "max_tokens": 9, "temperature": 0.0,
                    "top_p": 1.0, "seed": 3, "stop": ["!"]}


def test_choose_and_rate_score_options_by_prompt_log_likelihood() -> None:
    server = FakeServer(echo=True)
    model = model_for(server)
    choose = Choose("Where now? Answer:", (" the park", " a very faraway place", " home"))
    (chosen,) = model.choose([choose])
    expected = [sum(word_logprob(w) for w in option.split()) for option in choose.options]
    assert chosen.logprobs == pytest.approx(expected)
    assert chosen.index == 2  # " home": the fewest letters, the likeliest for this server
    (rated,) = model.rate([Rate("Poignancy from 1 to 10:", low=1, high=10)])
    assert rated.value == 1  # one letter for 1..9, so the tie goes to the lowest
    assert model.methods_used == {Feature.ECHO_LOGPROBS: 2}
    assert model.unmatched == 0


def test_chat_options_are_scored_as_the_assistant_turn() -> None:
    server = FakeServer(echo=True)
    model = model_for(server)
    chat = (Message("user", "Where now?"), Message("assistant", "I will go to"))
    (chosen,) = model.choose([Choose(chat, (" the park", " the cafe nearby"))])
    assert chosen.logprobs == pytest.approx([-0.7, -1.3])
    assert chosen.index == 0
    scored = server.bodies[-1]
    assert scored["messages"][-1]["content"] == "I will go to the cafe nearby"
    assert scored["continue_final_message"] and not scored["add_generation_prompt"]
    assert model.methods_used == {Feature.PROMPT_LOGPROBS: 1}


def test_systemone_gives_label_probabilities() -> None:
    server = FakeServer(systemone=True)
    model = model_for(server)
    (chosen,) = model.choose([Choose((Message("user", "Where?"),), ("park", "library"))])
    assert chosen.index == 1
    assert chosen.logprobs == pytest.approx([math.log(4 / 11), math.log(7 / 11)])
    assert chosen.prompt_tokens == 12
    assert model.supports(Feature.SYSTEMONE) and not model.supports(Feature.PROMPT_LOGPROBS)


@pytest.mark.parametrize("field_name", ["structured_outputs", "guided_choice", "regex"])
def test_constrained_choice_when_the_server_can_enforce_it(field_name: str) -> None:
    model = model_for(FakeServer(constrained=field_name))
    (chosen,) = model.choose([Choose("Pick one:", ("tea", "coffee"))])
    assert (chosen.index, chosen.logprobs) == (1, (-math.inf, 0.0))
    (rated,) = model.rate([Rate("How much?", low=1, high=3)])
    assert rated.value == 3


@pytest.mark.parametrize(("field_name", "sent"), [
    ("structured_outputs", lambda body: body["structured_outputs"]["regex"]),
    ("guided_choice", lambda body: body["guided_regex"]),
    ("regex", lambda body: body["regex"])])
def test_a_format_pattern_goes_to_the_servers_constrained_decoding(
        field_name: str, sent: Callable[[dict[str, Any]], str]) -> None:
    server = FakeServer(constrained=field_name, reply="07:00 wake up")
    model = model_for(server)
    pattern = r"[0-2][0-9]:[0-5][0-9] [a-z ]+"
    (answer,) = model.generate([Generate("Plan the day:", pattern=pattern)])
    assert answer.text == "07:00 wake up"
    assert sent(server.bodies[-1]) == pattern


def test_a_server_without_constrained_decoding_gets_no_pattern_field() -> None:
    server = FakeServer(reply="at seven I wake up")  # strict: an unknown field is a 422
    (answer,) = model_for(server).generate([Generate("Plan:", pattern=r"[0-9]+ [a-z ]+")])
    assert answer.text == "at seven I wake up"  # read as free text by the prompt's parser
    assert not {"regex", "guided_regex", "structured_outputs"} & set(server.bodies[-1])


def test_generate_and_match_when_nothing_better_exists() -> None:
    server = FakeServer(reply="2. the park")
    model = model_for(server)
    chosen, = model.choose([Choose("Where?", ("the cafe", "the park"))])
    assert (chosen.index, chosen.logprobs) == (1, (-math.inf, 0.0))
    listing = server.bodies[-1]["prompt"]
    assert "1. the cafe\n2. the park" in listing
    server.reply = "I would say 7 out of 10."
    (rated,) = model.rate([Rate("How poignant?", low=1, high=10)])
    assert rated.value == 7
    server.reply = "no idea"
    (unread,) = model.rate([Rate("How poignant?", low=1, high=10)])
    assert not unread.matched  # the caller takes its fallback; the value means nothing
    assert unread.logprobs == pytest.approx([-math.log(10)] * 10)
    assert model.unmatched == 1
    assert model.methods_used == {"generate-and-match": 3}


def test_numbers_in_prose_and_invented_places_behind_a_generating_server() -> None:
    """Issue 12's exact answers: a rating in a sentence that also names its scale, and a
    place the model invents for a lettered place choice (no option, so unmatched)."""
    server = FakeServer(reply="On a scale of 1 to 10, I would rate this a 7.")
    model = model_for(server)
    (rated,) = model.rate([Rate("How poignant?", low=1, high=10)])
    assert (rated.value, rated.matched) == (7, True)
    server.reply = "Isabella Rodriguez would go to the Willow Market Cafe."
    (chosen,) = model.choose([Choose("Where? Answer with a letter.", ("A", "B", "C"))])
    assert not chosen.matched
    server.reply = "B. Hobbs Cafe"
    (chosen,) = model.choose([Choose("Where? Answer with a letter.", ("A", "B", "C"))])
    assert (chosen.index, chosen.matched) == (1, True)


def test_capabilities_are_probed_once() -> None:
    server = FakeServer(reply="1")
    model = model_for(server)
    model.choose([Choose("a", ("x", "y"))])
    probes = len(server.paths) - 1
    model.choose([Choose("b", ("x", "y")), Choose("c", ("x", "y"))])
    assert len(server.paths) == probes + 1 + 2
    assert probes == 5  # echo, systemone, and the three constrained-decoding dialects


def test_embeddings_from_the_server_or_a_local_embedder() -> None:
    texts = ("a party at the cafe", "the tractor")
    remote = model_for(FakeServer(embeddings=True)).embed([Embed(texts)])[0].vectors
    local = model_for(FakeServer(), embedder=HashEmbedder()).embed([Embed(texts)])[0].vectors
    np.testing.assert_allclose(remote, local, rtol=1e-6)  # server rows re-ordered and normalised
    np.testing.assert_allclose(np.linalg.norm(remote, axis=1), 1.0, rtol=1e-6)


def test_matching_an_answer_to_options() -> None:
    options = ("the cafe", "the park", "stay home")
    assert match_option("The Park.", options) == 1
    assert match_option("3", options) == 2
    assert match_option("I'd rather stay home, or the cafe", options) == 2
    assert match_option("the moon", options) is None
    assert match_option("I know what I will do", ("yes", "no")) is None  # not "no" in "know"
    assert match_option("No, thanks.", ("yes", "no")) == 1
    letters = ("A", "B", "C", "D")
    assert match_option("a bakery by the river", letters) is None  # not the word "a"
    assert [match_option(said, letters) for said in ("C", "(C) the kitchen", "Answer: D",
                                                     "option b")] == [2, 2, 3, 1]
    assert match_rating("Rating: 12, no, 8", 1, 10) == 7
    assert match_rating("none", 1, 10) is None
    assert [match_rating(said, 1, 10) for said in ("7/10", "7 out of 10", "1-10: 3",
                                                   "10")] == [6, 6, 2, 9]


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_an_unreachable_endpoint_fails_after_bounded_retries() -> None:
    url = f"http://127.0.0.1:{closed_port()}"
    slept: list[float] = []
    model = RetryingModel(OpenAICompatibleModel(url, timeout_s=5), tries=3, sleep=slept.append)
    with pytest.raises(ModelError, match=rf"endpoint {url}/v1 unreachable after 3 tries: "
                                         r"POST .*/completions failed"):
        model.generate([Generate("hello")])
    assert len(slept) == 2
    model.close()


# --- a real server ---------------------------------------------------------------------------


def embedded_model_dir() -> Path:
    from sim.models.embedded import prepare_embedded
    return prepare_embedded(progress=False)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`transformers serve` on a free loopback port with the embedded model; its base URL."""
    pytest.importorskip("fastapi", reason="needs transformers[serving]")
    cli = Path(sys.executable).with_name("transformers")
    port = closed_port()
    log_path = tmp_path_factory.mktemp("serve") / "serve.log"
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            [str(cli), "serve", str(embedded_model_dir()), "--host", "127.0.0.1",
             "--port", str(port), "--device", "cpu"], stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_ready(server, url, log_path, deadline_polls=600)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def wait_until_ready(server: subprocess.Popen[bytes], url: str, log_path: Path,
                     deadline_polls: int) -> None:
    """Poll /health (twice a second, at most `deadline_polls` times) until the server answers."""
    for _ in range(deadline_polls):
        try:
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        try:
            code = server.wait(timeout=0.5)  # doubles as the pause between polls
        except subprocess.TimeoutExpired:
            continue
        pytest.fail(f"transformers serve exited with {code}:\n{log_path.read_text()[-2000:]}")
    pytest.fail(f"transformers serve not ready at {url}:\n{log_path.read_text()[-2000:]}")


@pytest.mark.model
def test_transformers_serve_generates_chooses_and_rates(served: str) -> None:
    model = OpenAICompatibleModel(served, embedder=HashEmbedder())
    chat = (Message("user", "Name a fruit."),)
    twice = [Generate(chat, max_tokens=8)] * 2
    first, again, plain = model.generate([*twice, Generate("Once upon a time", max_tokens=8)])
    assert first.text and first == again  # greedy decoding is repeatable
    assert 0 < plain.completion_tokens <= 8 and plain.prompt_tokens > 0
    question = (Message("user", "Is the sky blue or green on a clear day?"),)
    chosen, = model.choose([Choose(question, ("blue", "green", "purple"))])
    assert chosen.index in (0, 1, 2) and len(chosen.logprobs) == 3
    assert sum(math.exp(lp) for lp in chosen.logprobs) == pytest.approx(1.0, abs=1e-3)
    rated, = model.rate([Rate("On a scale of 1 to 10, how poignant is a house fire?", 1, 10)])
    assert 1 <= rated.value <= 10 and len(rated.logprobs) == 10
    assert model.methods_used == {Feature.SYSTEMONE: 2}
    (embedded,) = model.embed([Embed(("a fire", "a party"))])  # no /v1/embeddings: local
    assert embedded.vectors.shape == (2, 384) and not model.supports(Feature.EMBEDDINGS)
    model.close()


@pytest.mark.model
def test_transformers_serve_without_systemone_generates_and_matches(served: str) -> None:
    model = OpenAICompatibleModel(served, disable=[Feature.SYSTEMONE])
    choose = Choose((Message("user", "Which is a colour?"),), ("blue", "table"))
    rate = Rate("How poignant is a house fire?", 1, 10)
    chosen, = model.choose([choose])
    rated, = model.rate([rate])
    assert chosen.index in (0, 1) and 1 <= rated.value <= 10
    assert model.methods_used == {"generate-and-match": 2}
    matched_or_not = ({0.0, -math.inf}, {-math.log(10)})  # one-hot, or uniform when unmatched
    assert set(rated.logprobs) in matched_or_not
    model.close()
