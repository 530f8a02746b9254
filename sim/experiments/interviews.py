"""The interview: 25 questions of our own wording, 5 in each of the paper's five categories.

The paper's examples show the kind of question (self-knowledge, memory, plans,
reactions, reflections); the wording here is ours. `{other}` stands for a
resident the interviewee knows: its first relationship in the scenario, else
the first other resident. Answers come from `agents.cognition.interviewing`
with `touch=False`, so interviewing changes nothing in the run.
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.config import Scenario
from sim.config.scenario import Resident

CATEGORIES: tuple[str, ...] = ("self-knowledge", "memory", "plans", "reactions", "reflections")


@dataclass(frozen=True, slots=True)
class Question:
    id: str
    category: str
    template: str

    def text(self, other: str) -> str:
        return self.template.format(other=other)


def _category(category: str, *templates: str) -> tuple[Question, ...]:
    return tuple(Question(f"{category}-{i}", category, text)
                 for i, text in enumerate(templates, start=1))


QUESTIONS: tuple[Question, ...] = (
    *_category(
        "self-knowledge",
        "Tell me about yourself, as you would to someone who has never met you.",
        "What do you do for a living, and how do you feel about it?",
        "What would your closest friends say is your best quality?",
        "What matters most to you in your life at the moment?",
        "What does an ordinary day look like for you?"),
    *_category(
        "memory",
        "Who is {other}?",
        "When did you last talk with {other}, and what was it about?",
        "What has been happening around town lately?",
        "Have you heard about any events coming up in town?",
        "Do you know of anyone who is standing for election?"),
    *_category(
        "plans",
        "What are you going to do for the rest of today?",
        "Where will you be at 10 am tomorrow, and what will you be doing?",
        "What is the next thing you have planned?",
        "Are you meeting anyone in the next day or two? Who, and why?",
        "What is one thing you want to get done this week?"),
    *_category(
        "reactions",
        "You smell smoke: the breakfast you left on the stove is burning. What do you do?",
        "You run into {other}, who looks upset. What do you say?",
        "It starts to pour with rain while you are out. What do you do?",
        "A stranger asks you where to get a good cup of coffee. What do you tell them?",
        "You find a lost wallet on the path outside your home. What do you do with it?"),
    *_category(
        "reflections",
        "Of the people you have met recently, whose company would you most like to spend "
        "an afternoon in, and why?",
        "What have you learned about yourself in the last few days?",
        "What do you think of {other}?",
        "What has been on your mind recently?",
        "If you could change one thing about this town, what would it be?"),
)


def acquaintance(resident: Resident, scenario: Scenario) -> str:
    """The person `{other}` names for `resident`: its first relationship, else a neighbour."""
    if resident.relationships:
        return resident.relationships[0].name
    others = [r.name for r in scenario.residents if r.name != resident.name]
    return others[0] if others else resident.name


def questions_for(resident: Resident, scenario: Scenario) -> list[tuple[Question, str]]:
    """The 25 questions as put to `resident`, with their wording filled in."""
    other = acquaintance(resident, scenario)
    return [(question, question.text(other)) for question in QUESTIONS]
