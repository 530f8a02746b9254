"""Where a list-like answer starts to loop, and the n-grams a generation may not repeat.

Small models loop: "10 min: walk a lap of the park" twelve times, or "wake up / go to bed"
every hour until the token limit. A loop is read on the answer's items with their times
and durations aside, so "09:00 serve customers" and "13:00 serve customers" are one item.
Parsers cut a loop off an answer (`loop_free`); a `Generate` request with `stop_at_loop`
is cut where it starts (`loop_start`), and the in-process backend stops decoding there,
so the loop costs no tokens (measured on the quick-start hour: see the README's
performance section).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_LETTERS = re.compile(r"[^\W\d_]+")
LOOP_REPEATS = 2
"""A description may come back this often between others (work, lunch, work); more is a loop."""
NO_REPEAT_NGRAM = 8
"""Tokens in a run that a list's line may not repeat from an earlier line (`Generate`'s
`no_repeat_ngram`). A line's format is up to 6 tokens in Qwen's vocabulary (digits are
single tokens: "13:00 go to the" is ":", "0", "0", " go", " to", " the" after the hour),
so 8 lets every line start as the format wants and bans the same activity twice."""


def words_of(text: str) -> str:
    """A line's words, lower case, without digits, punctuation or spacing: two lines with
    the same words are one line repeated."""
    return " ".join(_LETTERS.findall(text.lower()))


def _stem(words: str) -> str:
    """`words` (from `words_of`) with a plural or third-person "s" cut from each word:
    "bring the milk churns" and "bring the milk churn" have one stem."""
    return " ".join(w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w
                    for w in words.split())


def loop_free(descriptions: Sequence[str]) -> int:
    """How many leading items come before the answer starts to loop.

    Runs of one description count once (an hourly schedule may "serve customers" for four
    lines). A loop is a description's third run ("A B A C A"); runs repeating the same
    number of runs before them, in order ("wake up / go to bed / wake up / go to bed",
    "A B C A B C"); or a description that an earlier one differs from only by a word's
    "s" ("milk churns" after "milk churn": the model escaping the n-gram ban of a repeat,
    `NO_REPEAT_NGRAM`). The items from the one that closes the loop on are cut. Digits do
    not count ("10 min: walk" is "15 min: walk").
    """
    runs: list[str] = []
    written: dict[str, str] = {}
    for i, description in enumerate(descriptions):
        key = words_of(description)
        if written.setdefault(_stem(key), key) != key:
            return i
        if runs and runs[-1] == key:
            continue
        runs.append(key)
        if runs.count(key) > LOOP_REPEATS or any(
                runs[-k:] == runs[-2 * k:-k] for k in range(2, len(runs) // 2 + 1)):
            return i
    return len(descriptions)


def loop_start(text: str) -> int:
    """The offset in `text` of the line where the answer starts to loop (`loop_free` over
    its complete lines, blank lines aside); `len(text)` when it does not."""
    offsets: list[int] = []
    lines: list[str] = []
    offset = 0
    for raw in text.splitlines(keepends=True):
        if raw.endswith(("\n", "\r")) and raw.strip():  # a line still being written waits
            offsets.append(offset)
            lines.append(raw)
        offset += len(raw)
    kept = loop_free(lines)
    return offsets[kept] if kept < len(lines) else len(text)


def banned_next(tokens: Sequence[int], n: int) -> set[int]:
    """Tokens that would complete an n-gram already in `tokens` (transformers'
    `no_repeat_ngram_size`, over the answer's own tokens only); empty when `n` < 1."""
    if n < 1 or len(tokens) < n - 1:
        return set()
    if n == 1:
        return set(tokens)
    tail = tuple(tokens[len(tokens) - n + 1:])
    return {tokens[i + n - 1] for i in range(len(tokens) - n + 1)
            if tuple(tokens[i:i + n - 1]) == tail}
