"""Reading an utterance: what is speech, what is the model stepping out of the role or
reading out its prompt, and the conversation's other prompts."""

from __future__ import annotations

import pytest

from agents.prompts import converse, interview
from agents.prompts.base import PromptParseError


@pytest.mark.parametrize(("text", "expected"), [
    ("Good morning, Klaus! How is your paper going?",
     "Good morning, Klaus! How is your paper going?"),
    ("Isabella Rodriguez: \"Hi Klaus! Coffee?\"", "Hi Klaus! Coffee?"),
    ("**Isabella**: *smiles* Welcome back! Want the usual? I just made it. Any news?",
     "Welcome back! Want the usual?"),
    ("\n\nIsabella says, \"I'm throwing a party tomorrow.\" She smiles.",
     "I'm throwing a party tomorrow."),
    ("Sure thing.\nKlaus: Thanks!", "Sure thing."),
    ("Isabella Rodriguez, who shares a house with Maria Lopez and Sam Moore, says, \"Good "
     "morning! Did you sleep well?", "Good morning! Did you sleep well?"),
])
def test_utterance(text: str, expected: str) -> None:
    assert converse.parse_utterance(text) == expected


@pytest.mark.parametrize("text", ["I'm sorry, but I can't assist with that.",
                                  "As an AI language model, I do not attend parties.",
                                  "Hello! How can I assist you today?",
                                  "I'm sorry, I don't know who you mean. Could you please "
                                  "provide more details?"])
def test_refusals_are_not_speech(text: str) -> None:
    with pytest.raises(PromptParseError):
        converse.parse_utterance(text)
    with pytest.raises(PromptParseError):
        interview.parse_interview_answer(text, agent="Isabella Rodriguez")


def test_an_utterance_that_reads_out_what_the_speaker_was_told_is_not_speech() -> None:
    """The tiny town's conversations on the 0.5B model, with what each prompt said."""
    known = ["his housemate, a physics student who asks him about bridges",
             "her housemate, a retired engineer who tells long stories about bridges"]
    with pytest.raises(PromptParseError):
        converse.parse_utterance("He's a physics student, a retired engineer who tells long "
                                 "stories about bridges.", known=known)
    assert converse.parse_utterance("Any new bridge stories for me today?", known=known) \
        == "Any new bridge stories for me today?"


# the party check's conversations on the 0.5B model, said by Sam Moore to Maria Lopez
@pytest.mark.parametrize(("text", "speech"), [
    ("Sam Moore is invited to her Valentine's Day party at Hobbs Cafe today.", None),
    ("Yes, Sam Moore has invited Maria Lopez to her party.", None),
    ("Good morning, Sam! Are you ready?", "Are you ready?"),
    ("Sorry, I don't have information about your family. Could you please provide me with "
     "the information?", None),
    ("I'm sorry, Sam, but I'm not sure what you're asking. Could you please clarify your "
     "question?", None),
    ("Morning, Maria! I'm holding a tasting of my new rye breads on Saturday.",
     "Morning, Maria!"),
    ("I'm running for mayor. Sam Moore is inviting everyone to vote.", "I'm running for mayor."),
    ("Hello, I'm Sam Moore, your new neighbour!", "Hello, I'm Sam Moore, your new neighbour!"),
])
def test_the_speaker_in_the_third_person_refusals_and_the_examples_news_are_not_speech(
        text: str, speech: str | None) -> None:
    if speech is not None:
        assert converse.parse_utterance(text, speaker="Sam Moore") == speech
    else:
        with pytest.raises(PromptParseError):
            converse.parse_utterance(text, speaker="Sam Moore")


@pytest.mark.parametrize("text", ["I'm sorry, but I can't make it tonight.",
                                  "Can I help you carry those boxes?"])
def test_apologies_and_offers_of_help_are_speech(text: str) -> None:
    assert converse.parse_utterance(text) == text


def test_utterances_that_speak_of_the_examples_are_not_speech() -> None:
    with pytest.raises(PromptParseError):
        converse.parse_utterance("Thank you, Ben Harlow!")
    assert converse.parse_utterance("Maria Lopez, it's nice to meet you! I'm Sam Moore, at "
                                    "Sunny Bakery with Ben Harlow.") \
        == "Maria Lopez, it's nice to meet you!"
    assert converse.parse_utterance("Good afternoon, Maria! The bread smells wonderful today. "
                                    "I'm running for mayor.") \
        == "Good afternoon, Maria! I'm running for mayor."
    assert converse.parse_utterance("See you tomorrow! Will you come?") \
        == "See you tomorrow! Will you come?"
    assert converse.parse_utterance("Ben, the bakery on Main Street is sunny.") \
        == "Ben, the bakery on Main Street is sunny."


def test_utterance_is_cut_to_a_line_of_speech() -> None:
    speech = converse.parse_utterance("word " * 200)
    assert len(speech) <= converse.MAX_CHARS + 3 and "\n" not in speech


def test_conversation_summary() -> None:
    assert converse.parse_conversation_summary(
        "Summary: Isabella and Klaus talked about the party. Klaus will come."
    ) == "Isabella and Klaus talked about the party."
    assert converse.parse_conversation_summary(
        "\"they discussed the election\"") == "they discussed the election."


@pytest.mark.parametrize("speaker", ["", "   ", "(Sam)*", "Sam"])
def test_a_speaker_name_of_any_shape_is_read_safely(speaker: str) -> None:
    assert converse.parse_utterance("Hello there! Sam is here.", speaker=speaker) \
        in ("Hello there! Sam is here.", "Hello there!")
