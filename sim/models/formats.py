"""Answers kept to a format while they are decoded: a `Generate.pattern` as a token mask.

A request with a `pattern` (a regular expression the whole answer must match) gets, at each
decoded token, only the tokens that keep the answer a prefix of some match: the mask comes
from llguidance (the grammar engine behind guidance, and one of those vLLM and SGLang use
for the same job), built once per tokenizer and once per request. So a plan written as
"HH:MM activity" lines cannot come back as a paragraph, a list with markdown, or one more
line than the pattern allows; what the lines say is still the model's choice.

Where the pattern's match is complete and nothing more can follow, the row stops; where it
could end, the end-of-answer tokens are allowed with the rest.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import llguidance
import llguidance.hf
import llguidance.torch
import torch
from transformers import PreTrainedTokenizerBase, PreTrainedTokenizerFast


class FormatError(ValueError):
    """A request's pattern is not a regular expression the grammar engine can use."""


class FormatGuide:
    """Token masks for the patterns of one tokenizer; `n_vocab` is the logits' width."""

    def __init__(self, tokenizer: PreTrainedTokenizerBase, n_vocab: int,
                 end_ids: Sequence[int]) -> None:
        """Raises `FormatError` for a tokenizer without a fast (Rust) version."""
        if not isinstance(tokenizer, PreTrainedTokenizerFast):
            raise FormatError(f"format constraints need a fast tokenizer, not "
                              f"{type(tokenizer).__name__}")
        self.n_vocab = n_vocab
        # Converting a 150k vocabulary takes ~2.5 s on two CPU cores: done once per model.
        self._tokenizer = llguidance.hf.from_tokenizer(tokenizer, n_vocab=n_vocab,
                                                        eos_token=list(end_ids))

    def start(self, pattern: str) -> FormatMatcher:
        """A matcher for one answer, at its first token. Raises `FormatError`."""
        matcher = llguidance.LLMatcher(self._tokenizer, _grammar(pattern), log_level=0)
        if matcher.is_error():
            raise FormatError(f"format pattern {pattern!r}: {matcher.get_error()}")
        return FormatMatcher(matcher)

    def restrict(self, logits: torch.Tensor, matchers: Sequence[FormatMatcher | None]) -> None:
        """Give no probability, in each row of `logits` (rows, vocab) whose matcher is set,
        to the tokens its format does not allow next (in place)."""
        rows = [row for row, matcher in enumerate(matchers) if matcher is not None]
        if not rows:
            return
        mask = llguidance.torch.allocate_token_bitmask(len(rows), self.n_vocab)
        for index, row in enumerate(rows):
            matcher = matchers[row]
            assert matcher is not None
            llguidance.torch.fill_next_token_bitmask(matcher.matcher, mask, index)
        kept = logits[rows].float()
        llguidance.torch.apply_token_bitmask_inplace(kept, mask)
        logits[rows] = kept.to(logits.dtype)


class FormatMatcher:
    """Where one answer is in its format."""

    def __init__(self, matcher: llguidance.LLMatcher) -> None:
        self.matcher = matcher

    def advance(self, token: int) -> None:
        """Take the decoded `token` (one the mask allowed)."""
        self.matcher.consume_token(token)

    @property
    def complete(self) -> bool:
        """Whether nothing more can follow: the answer is a whole match (or the matcher
        failed, which a masked decode cannot cause)."""
        return self.matcher.is_stopped()


@lru_cache(maxsize=64)
def _grammar(pattern: str) -> str:
    return llguidance.LLMatcher.grammar_from_regex(pattern)
