"""Whether a resident's memories hold the answer to a question, read by meaning.

A memory *supports* an answer when it is about the question and about the answer at once:
support(answer) = max over memories m of cos(question, m) * cos(answer, m), a negative
cosine counting as 0 (a fuzzy "and": a memory about the question's topic alone, or one that
only names the same person as the answer, supports little). The resident knows the answer
when the best answer's support reaches a threshold (`CognitionConfig.known_support`, the
scenario's `[memory] known_support`); otherwise it does not know. Asked a multiple-choice
question, the 0.5B default model picked the first option whatever its memories said and
never "I don't know" (issue 12), so the decision is made here, not by the model.

Measured on our own 24 probes (`tests/test_knowing.py`: six residents unlike any town's,
12 questions their memories answer and 12 close to their memories that they do not), with
the MiniLM sentence embedder: the support of answers alone separates known from unknown at
0.135 (21 of 24 right); the support of each whole claim (the question followed by the
answer) picks the right answer to all 12 known questions, the answers alone to 11.
"""

from __future__ import annotations

import numpy as np

from agents.embeddings import FloatArray, unit_rows


def supports(question: FloatArray, answers: FloatArray, memories: FloatArray) -> FloatArray:
    """Each answer's support by the memories: max over memories of cos(question, m) *
    cos(answer, m), negative cosines as 0. In: `question` (dim,), `answers` (n, dim),
    `memories` (k, dim); out (n,), each in [0, 1], all 0 when k is 0."""
    if len(memories) == 0:
        return np.zeros(len(answers), dtype=np.float32)
    memories = unit_rows(memories)
    about_question = np.clip(memories @ unit_rows(question), 0.0, None)
    about_answer = np.clip(unit_rows(answers) @ memories.T, 0.0, None)
    support: FloatArray = (about_answer * about_question[None, :]).max(axis=1)
    return support
