"""A user's interview question, answered in character from retrieved memories.

The model always answers; whether the resident may say it is decided by meaning
afterwards (`grounding_request`, read by `agents.cognition.interviewing.interview`): an
answer to a question about the world (news, events, other people: nearest a `WORLD`
example rather than a `SELF` one) is kept only when a retrieved memory supports it
(`agents.knowing.supports`), else the resident does not know. With a don't-know example
in the prompt instead, the 0.5B model copied its answer word for word ("I don't know, I
haven't heard anyone mention it") to 13 of the benchmark's 24 interview questions it
could answer, "What do you do for a living?" among them. Measured on the benchmark's
interview and probe cases: don't-know on answerable questions 0.54 -> 0.08, the truth
told to knowledge questions whose answer it remembers 0.42 -> 0.58, "I don't know" to
those it does not 0.83 -> 0.92.

An answer that recites the persona (`recites`: seven of its words in a row) is asked for
again without the sentences it recited (`without_recited`), once: on the benchmark, 10 of
24 answers did, "What gives your days meaning?" among them ("I'm a professor of history at
Redbrick College who studies river trade in the nineteenth century"); asked again, 0 of
24 answers mostly repeat the persona (`bench fidelity`'s persona echo, 0.04 before), and
every other interview figure is unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from agents.embeddings import nearer_first
from agents.phrasing import foreign_words
from agents.prompts.base import (
    PromptParseError,
    chat,
    first_sentences,
    has_letters,
    is_refusal,
    line,
    numbered,
    persona_block,
    quote,
    strip_marker,
    strip_quotes,
    strip_speaker,
    unwrap,
    without_sleep_habits,
)
from agents.requests import Embed, EmbedResult, Generate

TAG = "interview"
TAG_GROUNDING = "interview_grounding"
TAG_RECITED = "interview_recited"
MAX_SENTENCES = 4
MAX_CHARS = 600

SYSTEM = ("You are a person who lives in a small town, talking to an interviewer. Answer "
          "as yourself: in the first person (\"I\", \"my\"), in your own words, in one to "
          "three sentences, from what you remember. Do not describe yourself by name or as "
          "\"she\" or \"he\", and do not repeat your description.")

_ADA = "About Ada Quill:\nAda Quill is a 34-year-old baker who runs the town bakery.\n\n"


def _task(agent: str, time: str, question: str, memories: Sequence[str],
          wake: str = "", bed: str = "") -> str:
    """Second person ("You are Ada Quill"): the 0.5B model answered in the third person
    and repeated the persona more often when asked to answer "as Ada Quill". Waking and
    bed times ("HH:MM") come as one fact line, not as the persona's sleep habits."""
    task = f"You are {agent}. It is {line(time, 40)}."
    if wake and bed:
        task += f" You usually wake at {line(wake, 8)} and go to bed at {line(bed, 8)}."
    if memories:
        task += f"\nWhat you remember:\n{numbered(memories[:10])}"
    first = agent.split()[0] if agent.split() else agent
    return (task + f"\nThe interviewer asks: {quote(question, 300)}\n"
            f"Answer in the first person, as {first}.")


SHOTS = (
    (_ADA + _task("Ada Quill", "Tuesday March 7, 16:00", "What will you be doing tomorrow "
                  "morning?", ("Ada Quill plans to bake walnut bread tomorrow at 06:00",
                               "Ben Harlow asked Ada Quill for a loaf of walnut bread"),
                  "05:00", "21:00"),
     "Tomorrow morning I'll be at the bakery from six, baking walnut bread. Ben asked me "
     "for a loaf, so I'll set one aside for him."),
    (_ADA + _task("Ada Quill", "Tuesday March 7, 16:10", "Tell me about yourself.",
                  ("Ada Quill baked walnut bread",), "05:00", "21:00"),
     "I'm Ada. I get up before dawn to bake for the whole town, and I love trying new "
     "recipes, like the walnut bread I made today."),
)


EXAMPLE_WORDS = ("walnut", "bakery", "bake", "bread", "loaf", "dawn", "recipes", "recipe",
                 "Ada", "Ben")
"""Words of the examples' answers: an answer may not use one its resident's own text
(persona, memories, question) lacks. On the benchmark, the 0.5B model put "I love trying
new recipes, like the walnut bread I made today" into a chemist's, a cook's and a
baker's self-descriptions alike."""


def interview_request(*, agent: str, persona: str, time: str, question: str,
                      memories: Sequence[str] = (), wake: str = "", bed: str = "") -> Generate:
    """`question` put to `agent` at `time` (e.g. "Monday February 13, 10:00"), who wakes
    at `wake` and goes to bed at `bed` ("HH:MM"; both or neither). The persona is read
    without its sleep habits (`without_sleep_habits`): on the benchmark's 24 interview
    cases, the 0.5B model recited "goes to bed around 10pm, wakes at 5am, milks the cows
    at 5:30am" as its answer to "Tell me about yourself" (persona echo 1 of 24, then 0)."""
    task = _task(line(agent, 60), time, question, memories, wake, bed)
    persona = without_sleep_habits(persona)
    own = " ".join([persona, task])
    prompt = chat(system=SYSTEM, shots=SHOTS, agent_part=persona_block(agent, persona),
                  task=task)
    return Generate(prompt, max_tokens=120, stop=("\n\n", "The interviewer"), tag=TAG,
                    max_sentences=MAX_SENTENCES,
                    avoid_words=foreign_words(EXAMPLE_WORDS, own))


_OUT_OF_ROLE = re.compile(
    r"\bi(?:'m|\u2019m| am) sorry,? but\b|\bi apologi[sz]e\b"
    r"|\bi (?:don't|don\u2019t|do not) have (?:any )?(?:information|access|details|personal)\b"
    r"|\bi (?:can't|can\u2019t|cannot|am unable to|'m unable to) (?:provide|answer|help|assist|"
    r"share)\b", re.IGNORECASE)
"""An assistant's refusal ("I'm sorry, but I don't have any information about ...")
rather than a resident's answer; cognition answers with `DONT_KNOW` instead, as it does
to a question about the world that its memories do not answer."""
DONT_KNOW = "I don't know."


_PERSONA_LABEL = re.compile(r"\b(?:Name|Traits|Lifestyle|Currently):")
"""A label of the persona block (`agents.persona.Persona.identity`): where an answer
starts reciting the prompt ("... Redbrick College Lifestyle: lectures in the mornings")."""


def parse_interview_answer(text: str, *, agent: str) -> str:
    """The answer's first paragraph without `agent`'s name as a prefix or quotes, up to a
    persona-block label, at most four sentences and 600 characters. An answer without
    words, or out of the role (an assistant's apology or refusal), raises."""
    text = _PERSONA_LABEL.split(unwrap(text).replace("\r", ""), maxsplit=1)[0]
    paragraphs = [strip_marker(part) for part in re.split(r"\n\s*\n", text)]
    for paragraph in paragraphs:
        answer = strip_quotes(strip_speaker(" ".join(paragraph.split()), (agent,)))
        answer = first_sentences(answer, MAX_SENTENCES)
        if has_letters(answer) and not is_refusal(answer) and not _OUT_OF_ROLE.search(answer):
            if len(answer) > MAX_CHARS:
                answer = answer[:MAX_CHARS].rsplit(" ", 1)[0] + "..."
            return answer
    raise PromptParseError("no words in the interview answer")


RECITED_WORDS = 7
"""An answer that repeats this many words of the persona in a row recites it."""


def _words(text: str) -> list[str]:
    return re.findall(r"[\w'-]+", text.lower())


def _runs(text: str, words: int) -> set[tuple[str, ...]]:
    said = _words(text)
    return {tuple(said[i:i + words]) for i in range(len(said) - words + 1)}


def recites(answer: str, persona: str, words: int = RECITED_WORDS) -> bool:
    """Whether `answer` repeats a run of `words` consecutive words of `persona` (case and
    punctuation aside): "I'm a professor of history at Redbrick College who studies river
    trade in the nineteenth century", asked what gives her days meaning."""
    return bool(_runs(answer, words) & _runs(persona, words))


_PERSONA_PART = re.compile(r"(?<=[.;\n])\s*")


def without_recited(persona: str, answer: str, words: int = RECITED_WORDS) -> str:
    """`persona` without its sentences and lines that `answer` recites (`recites`): what
    the resident is asked again with, so it cannot say them again."""
    kept = [part.strip() for part in _PERSONA_PART.split(persona)
            if part.strip() and not recites(answer, part, words)]
    return "\n".join(kept)


WORLD = ("Who is running for mayor?", "When is the party at the cafe?",
         "Did you hear about the fire at the bakery?", "Who won the chess match last night?",
         "What did your neighbour tell you yesterday?", "Where is the town meeting held?",
         "Is the library open on Sunday?", "How much does a loaf of bread cost now?",
         "Who is the new doctor in town?", "Have you heard any news about the election?",
         "Who ordered a cake from you?", "What happened at the market this morning?")
"""Questions about news, events and other people: what a resident knows only from its
memories, and does not know when they do not say it."""
SELF = ("Tell me about yourself.", "How do you feel about your work?",
        "What would you do if a customer complained?", "What are you most proud of?",
        "What do you like about living here?", "What has been on your mind lately?",
        "How do you respond when someone is rude to you?", "What are your plans for tomorrow?",
        "What do you do for a living?", "What gives your life meaning?",
        "How would you describe your family?", "What did you learn this year?")
"""Questions about the resident itself, its feelings, plans and what it would do: always
answered in character."""


def grounding_request(*, question: str, answer: str) -> Embed:
    """The question, the answer, then the `WORLD` and `SELF` examples, to embed; read with
    `about_world` and `agents.knowing.supports`."""
    return Embed((line(question, 300), line(answer, MAX_CHARS), *WORLD, *SELF),
                 tag=TAG_GROUNDING)


def about_world(result: EmbedResult) -> bool:
    """Whether the question's nearest example (cosine similarity) is a `WORLD` question."""
    vectors = result.vectors
    if len(vectors) != 2 + len(WORLD) + len(SELF):
        raise ValueError("a grounding answer embeds the question, the answer and every example")
    (world,) = nearer_first(vectors[:1], vectors[2:2 + len(WORLD)], vectors[2 + len(WORLD):])
    return world
