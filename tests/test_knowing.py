"""Knowing from memory (`agents.knowing`) and probes answered by it: the support rule on
hand-made vectors, and its threshold measured on calibration probes of our own (six
residents unlike any benchmark town's) with the real MiniLM embedder."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from agents.knowing import supports
from agents.requests import EmbedResult
from agents.tables import MemoryKind
from sim.batching import drive
from sim.config import load_scenario
from sim.config.settings import MemorySettings
from sim.experiments.probes import (
    DONT_KNOW,
    ProbeQuestion,
    answer_probe,
    intention_probes,
    known_answer,
    probe_texts,
)
from sim.models.embedder import MiniLMEmbedder
from sim.models.fake import FakeModel, hashed_embedding
from sim.run import RunSession

Q, A, B, C = np.eye(4, dtype=np.float32)


def test_a_memory_supports_an_answer_only_when_it_is_about_question_and_answer() -> None:
    both = ((Q + A) / np.sqrt(2)).astype(np.float32)
    only_answer, only_question = B, Q
    got = supports(Q, np.stack([A, B, C]), np.stack([both, only_answer, only_question]))
    assert got == pytest.approx([0.5, 0.0, 0.0])
    assert supports(Q, np.stack([A, B]), np.zeros((0, 4), dtype=np.float32)).tolist() == [0, 0]
    # negative cosines count as nothing, never as support
    assert supports(Q, np.stack([-A]), np.stack([both])).tolist() == [0.0]


def probe(*options: str) -> ProbeQuestion:
    return ProbeQuestion("q", "test", "Ada Quill", "q", "Where is the fair?",
                         (*options, DONT_KNOW), correct=0, unknown=len(options),
                         false_claims=())


def test_the_supported_claim_is_picked_and_nothing_supported_is_not_known() -> None:
    question = probe("In the hall", "On the square")
    assert probe_texts(question).texts == (
        "Where is the fair?", "In the hall", "On the square",
        "Where is the fair? In the hall", "Where is the fair? On the square")
    # question, two answers, two claims; the memory is about the question and claim 2
    # (cosines: question 2/3, both answers 1/3, claim 1 1/3, claim 2 2/3)
    texts = EmbedResult(np.stack([Q, A, A, A, B]))
    memory = np.stack([(2 * Q + A + 2 * B) / 3]).astype(np.float32)
    assert known_answer(question, texts, memory, threshold=0.2) == 1  # support 2/9
    assert known_answer(question, texts, memory, threshold=0.25) == question.unknown
    assert known_answer(question, texts, np.zeros((0, 4), np.float32), 0.0) == question.unknown
    with pytest.raises(ValueError, match="every claim"):
        known_answer(question, EmbedResult(np.stack([Q, A])), memory, 0.3)


# --- the threshold, measured ------------------------------------------------------------------

RESIDENTS = {
    "Tomas": ["Tomas Berg repairs clocks in his shop on Mill Lane",
              "Tomas Berg's daughter Ida studies music in the city",
              "Tomas Berg plays chess with Walter Hahn every Tuesday",
              "Tomas Berg likes to walk along the canal after work"],
    "Priya": ["Priya Nair teaches maths at the secondary school",
              "Priya Nair grows tomatoes in the community garden",
              "Priya Nair is saving money for a trip to Kerala",
              "Priya Nair sings in the church choir"],
    "Walter": ["Walter Hahn drives the number 4 bus through the old town",
               "Walter Hahn's wife Ruth runs the flower stall at the market",
               "Walter Hahn plays chess with Tomas Berg every Tuesday",
               "Walter Hahn fishes at the reservoir on Sundays"],
    "Ines": ["Ines Moreau owns the bookshop next to the town square",
             "Ines Moreau organises a poetry evening every month",
             "Ines Moreau adopted a grey cat called Pip",
             "Ines Moreau is learning to play the cello"],
    "Olga": ["Olga Petrov runs the laundrette on Station Road",
             "Olga Petrov's son Misha plays football for the town team",
             "Olga Petrov bakes honey cake for her neighbours",
             "Olga Petrov takes the train to visit her sister every month"],
    "Femi": ["Femi Adeyemi is a nurse at the town clinic",
             "Femi Adeyemi runs five kilometres every morning",
             "Femi Adeyemi is renovating the kitchen of his flat",
             "Femi Adeyemi volunteers at the food bank on Fridays"],
}
KNOWN = [  # (resident, what it was told, question, options, the true option)
    ("Tomas", "Walter Hahn told Tomas Berg that the canal bridge will be closed next week "
     "for repairs", "Can people cross the canal bridge next week?",
     ["Yes, as usual", "No, it is closed for repairs", "Only on foot"], 1),
    ("Tomas", "Ines Moreau told Tomas Berg that the antiques fair moved to the school hall",
     "Where is the antiques fair this year?",
     ["In the church", "In the school hall", "On the market square"], 1),
    ("Priya", "Walter Hahn told Priya Nair that the bus fares go up in April",
     "What is happening to the bus fares?",
     ["They go up in April", "They stay the same", "They go down in May"], 0),
    ("Priya", "Ines Moreau told Priya Nair that a famous author will sign books at her shop "
     "on Saturday", "Is anything happening at the bookshop this weekend?",
     ["A book signing on Saturday", "A sale on Sunday",
      "No, I haven't heard of anything like that"], 0),
    ("Walter", "Priya Nair told Walter Hahn that the school choir won the regional contest",
     "How did the school choir do in the contest?",
     ["They came last", "They won", "They did not take part"], 1),
    ("Walter", "Tomas Berg told Walter Hahn that the old town hall clock was stolen last night",
     "Have you heard any news about the town hall clock?",
     ["It was stolen last night", "It was repaired",
      "No, I haven't heard of anything like that"], 0),
    ("Ines", "Tomas Berg told Ines Moreau that his daughter Ida is getting married in June",
     "Who is getting married in June?", ["Ruth Hahn", "Ida Berg", "Priya Nair"], 1),
    ("Ines", "Priya Nair told Ines Moreau that the community garden needs volunteers on Sunday",
     "When does the community garden need volunteers?",
     ["On Sunday", "On Wednesday", "Every evening"], 0),
    ("Olga", "Femi Adeyemi told Olga Petrov that the clinic will offer free flu jabs on "
     "Wednesday", "When can people get a free flu jab?",
     ["On Wednesday", "On Saturday", "Not this year"], 0),
    ("Olga", "Misha told Olga Petrov that the town team lost the cup final three to one",
     "How did the town team do in the cup final?",
     ["They won three to one", "They lost three to one", "It was a draw"], 1),
    ("Femi", "Olga Petrov told Femi Adeyemi that the trains to the city will not run on "
     "Sunday because of track works", "Are the trains to the city running on Sunday?",
     ["Yes, as usual", "No, because of a strike", "No, because of track works"], 2),
    ("Femi", "Priya Nair told Femi Adeyemi that the food bank is moving to the church basement",
     "Where is the food bank moving to?",
     ["The church basement", "The old library", "It is not moving"], 0),
]
UNKNOWN = [  # close to what the resident remembers, but not in it
    ("Tomas", "Who won the chess tournament in the city last month?",
     ["Walter Hahn", "Tomas Berg", "Ines Moreau"]),
    ("Tomas", "What will the new bakery on Mill Lane be called?",
     ["Golden Crust", "Mill Bakery", "Berg's Bread"]),
    ("Priya", "Who is the new head teacher at the primary school?", ["Ruth Hahn", "Ines Moreau"]),
    ("Priya", "How much does a ticket to Kerala cost this summer?",
     ["Six hundred euros", "Nine hundred euros", "Four hundred euros"]),
    ("Walter", "Which bus route will be cancelled next month?",
     ["The number 4", "The number 7", "The night bus"]),
    ("Walter", "What did Ruth Hahn buy at the auction?", ["A painting", "An old clock", "A rug"]),
    ("Ines", "Which poet is coming to town in the autumn?",
     ["Anna Keller", "Marc Dubois", "Lena Roth"]),
    ("Ines", "Why did the cello teacher leave town?",
     ["She moved to Vienna", "She retired", "She got ill"]),
    ("Olga", "Who is the new coach of the town football team?",
     ["Femi Adeyemi", "Walter Hahn", "Tomas Berg"]),
    ("Olga", "What time does the station cafe open now?", ["At six", "At eight", "At ten"]),
    ("Femi", "Which doctor is leaving the clinic?", ["Doctor Lind", "Doctor Sato", "Doctor Kerr"]),
    ("Femi", "Who won the town's five kilometre race last weekend?",
     ["Olga Petrov", "Priya Nair", "Femi Adeyemi"]),
]


@pytest.fixture(scope="module")
def embedder() -> MiniLMEmbedder:
    return MiniLMEmbedder(device="cpu", batch_size=32)


def _answer(embedder: MiniLMEmbedder, memories: list[str], question: str,
            options: list[str]) -> tuple[ProbeQuestion, int]:
    asked = ProbeQuestion("q", "calibration", "x", question, question, (*options, DONT_KNOW),
                          correct=0, unknown=len(options), false_claims=())
    texts = EmbedResult(embedder.embed_texts(list(probe_texts(asked).texts)))
    threshold = MemorySettings().known_support
    return asked, known_answer(asked, texts, embedder.embed_texts(memories), threshold)


def test_the_default_threshold_tells_known_from_unknown_on_the_calibration_probes(
        embedder: MiniLMEmbedder) -> None:
    """The measurement behind `[memory] known_support`: 21 of 24 right at 0.135 (the known
    answers are all picked right; two near misses each way are the price of a threshold)."""
    known_right = 0
    for resident, told, question, options, truth in KNOWN:
        _, got = _answer(embedder, [*RESIDENTS[resident], told], question, options)
        known_right += got == truth
    unknown_right = 0
    for resident, question, options in UNKNOWN:
        asked, got = _answer(embedder, RESIDENTS[resident], question, options)
        unknown_right += got == asked.unknown
    assert known_right + unknown_right >= 21
    assert min(known_right, unknown_right) >= 10


def test_a_probe_is_answered_from_the_memory_kinds_allowed(tmp_path: Path) -> None:
    """Maria was told of Sam's run in a conversation: she picks the true claim, and with
    dialogue memories hidden (interview-time ablation) she does not know. The fake model
    embeds bags of words, so a memory sharing a claim's words supports it."""
    model = FakeModel()
    run = RunSession.create(tmp_path / "run.sqlite", load_scenario("tiny"), 0, model)
    maria = next(m for m in run.minds.values() if m.name == "Maria Lopez")
    ctx = run.scheduler.context(0)
    mayor = next(p for p in intention_probes(run.scenario, maria.name) if p.id == "mayor")
    told = "Conversation with Sam Moore: Sam Moore is running for mayor"
    maria.remember(ctx, MemoryKind.DIALOGUE, [told], [5], np.stack([hashed_embedding(told)]))
    assert drive(model, {0: answer_probe(maria, ctx, mayor)})[0] == mayor.correct
    hidden = drive(model, {0: answer_probe(maria, ctx, mayor, (MemoryKind.OBSERVATION,))})[0]
    assert hidden == mayor.unknown
