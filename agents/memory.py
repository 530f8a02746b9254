"""One agent's memory stream: append records, retrieve them by recency, importance and relevance.

A tick has several model phases (perceive, plan, converse, reflect) and the
records one phase adds must be retrievable, and citable as evidence, in the
next; yet nothing may be written before the tick's single short transaction.
So a stream lives in memory between ticks: `load` reads an agent's records
once, `add` and `retrieve` touch no database, and `flush` writes what changed
(new records, new last-accessed ticks) inside the tick's transaction.

The numbers retrieval needs (ids, kinds, importances, last-accessed ticks and
the unit-length embedding matrix) are kept in numpy arrays, so a retrieval is
one matrix-vector product plus the scoring of `agents.retrieval`; the rest of
each record is a frozen `MemoryRecord`. After a rolled-back transaction the
scheduler loads its streams and its `MemoryIds` again rather than undoing them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import RowMapping, func, insert, select, update
from sqlalchemy.orm import Session

from agents.embeddings import (
    BLOB_DTYPE,
    FloatArray,
    as_vector,
    stack_blobs,
    to_blob,
    unit_rows,
)
from agents.retrieval import IntArray, RetrievalConfig, Scores, score, top_k
from agents.tables import MemoryKind, MemoryRow

__all__ = ["MemoryIds", "MemoryRecord", "MemoryStream", "NewMemory", "RetrievalConfig",
           "ScoredMemory"]

_KIND_CODES: dict[MemoryKind, int] = {kind: code for code, kind in enumerate(MemoryKind)}
_MIN_CAPACITY = 64


@dataclass(frozen=True, slots=True)
class MemoryRecord:
    """One record as cognition sees it; `created_at` is the game time of `created_tick`.

    The fields are `MemoryRow`'s, less the embedding and the last-accessed tick,
    which live in the stream's arrays (`MemoryStream.last_accessed`).
    """

    id: int
    agent_id: int
    kind: MemoryKind
    created_tick: int
    created_at: str
    description: str
    importance: int
    subject: str | None = None
    predicate: str | None = None
    object_: str | None = None
    evidence_ids: tuple[int, ...] = ()
    utterance_id: int | None = None
    conversation_id: int | None = None


_RECORD_FIELDS = tuple(f.name for f in fields(MemoryRecord))


@dataclass(frozen=True, slots=True)
class ScoredMemory:
    """A retrieved record with its score and its three normalised (unweighted) terms."""

    memory: MemoryRecord
    score: float
    recency: float
    importance: float
    relevance: float

    @property
    def id(self) -> int:
        return self.memory.id


@dataclass(frozen=True, slots=True)
class NewMemory:
    """A record to append; `created_at` is the game time of `created_tick`, ISO 8601."""

    kind: MemoryKind
    description: str
    importance: int
    embedding: npt.ArrayLike
    created_tick: int
    created_at: str
    subject: str | None = None
    predicate: str | None = None
    object_: str | None = None
    evidence_ids: Sequence[int] = field(default=())
    utterance_id: int | None = None
    conversation_id: int | None = None


def _stored_record(values: RowMapping) -> MemoryRecord:
    """The record of a stored row's `MemoryRecord` columns (extra columns are ignored)."""
    fields_ = {name: values[name] for name in _RECORD_FIELDS}
    fields_["kind"] = MemoryKind(fields_["kind"])
    fields_["evidence_ids"] = tuple(fields_["evidence_ids"] or ())
    return MemoryRecord(**fields_)


class MemoryIds:
    """The run's memory ids, global across agents, handed out when a record is added.

    Records get their ids long before they are written, so the ids of a run are
    deterministic as long as the scheduler adds in a fixed (agent-id) order. Only
    this allocator assigns memory ids; inserting explicit keys works on SQLite and
    PostgreSQL alike (PostgreSQL's own sequence is then simply never used).
    """

    def __init__(self, first: int = 1) -> None:
        if first < 1:
            raise ValueError(f"memory ids start at 1, got {first}")
        self._next = first

    @classmethod
    def load(cls, session: Session) -> MemoryIds:
        """An allocator that continues after the largest id in the database."""
        last = session.scalar(select(func.max(MemoryRow.id)))
        return cls(1 if last is None else last + 1)

    def next(self) -> int:
        """A fresh id."""
        value = self._next
        self._next += 1
        return value


class _Columns:
    """The numbers retrieval needs for one agent's records, in id order, with room to grow."""

    def __init__(self, dim: int, capacity: int) -> None:
        capacity = max(capacity, _MIN_CAPACITY)
        self.size = 0
        self.dim = dim
        self._ids = np.empty(capacity, dtype=np.int64)
        self._kinds = np.empty(capacity, dtype=np.int8)
        self._importance = np.empty(capacity, dtype=np.float64)
        self._created = np.empty(capacity, dtype=np.int64)
        self._accessed = np.empty(capacity, dtype=np.int64)
        self._vectors = np.empty((capacity, dim), dtype=np.float32)

    @property
    def ids(self) -> IntArray:
        return self._ids[: self.size]

    @property
    def kinds(self) -> npt.NDArray[np.int8]:
        return self._kinds[: self.size]

    @property
    def importance(self) -> Scores:
        return self._importance[: self.size]

    @property
    def created(self) -> IntArray:
        return self._created[: self.size]

    @property
    def accessed(self) -> IntArray:
        return self._accessed[: self.size]

    @property
    def vectors(self) -> FloatArray:
        """Unit-length rows (zero rows for zero embeddings), so `vectors @ q` is a cosine."""
        return self._vectors[: self.size]

    def position(self, memory_id: int) -> int:
        """Where `memory_id` is in the arrays; KeyError if it is not there."""
        at = int(np.searchsorted(self.ids, memory_id))
        if at == self.size or self._ids[at] != memory_id:
            raise KeyError(memory_id)
        return at

    def append(self, records: Sequence[MemoryRecord], accessed: Sequence[int],
               vectors: FloatArray) -> None:
        end = self.size + len(records)
        if end > self._ids.size:
            self._grow(max(end, 2 * self._ids.size))
        part = slice(self.size, end)
        self._ids[part] = [record.id for record in records]
        self._kinds[part] = [_KIND_CODES[record.kind] for record in records]
        self._importance[part] = [record.importance for record in records]
        self._created[part] = [record.created_tick for record in records]
        self._accessed[part] = accessed
        self._vectors[part] = unit_rows(vectors)
        self.size = end

    def _grow(self, capacity: int) -> None:
        for name in ("_ids", "_kinds", "_importance", "_created", "_accessed", "_vectors"):
            old = getattr(self, name)
            new = np.empty((capacity, *old.shape[1:]), dtype=old.dtype)
            new[: self.size] = old[: self.size]
            setattr(self, name, new)


def normalised(text: str) -> str:
    """`text` as compared for "the same observation": lower case, single spaces, no final
    period."""
    return " ".join(text.lower().split()).rstrip(".")


class MemoryStream:
    """The memory stream of one agent, held in memory and written by `flush`.

    Keep one stream per agent per run and write that agent's memories only
    through it. Make a new agent's stream with the constructor, a stored one with `load`.
    """

    def __init__(self, agent_id: int, config: RetrievalConfig, ids: MemoryIds) -> None:
        self.agent_id = agent_id
        self.config = config
        self._ids = ids
        self._columns: _Columns | None = None
        self._records: dict[int, MemoryRecord] = {}
        self._pending: list[tuple[MemoryRecord, bytes]] = []
        self._touched: dict[int, int] = {}
        self._by_text: dict[tuple[MemoryKind, str], MemoryRecord] = {}

    @classmethod
    def load(cls, session: Session, agent_id: int, config: RetrievalConfig,
             ids: MemoryIds) -> MemoryStream:
        """The stream of `agent_id`, with all its records read from the database once."""
        stream = cls(agent_id, config, ids)
        fields_ = [getattr(MemoryRow, name).label(name) for name in _RECORD_FIELDS]
        query = (select(*fields_, MemoryRow.last_accessed_tick, MemoryRow.embedding)
                 .where(MemoryRow.agent_id == agent_id).order_by(MemoryRow.id))
        rows = session.execute(query).all()
        if not rows:
            return stream
        records = [_stored_record(row._mapping) for row in rows]
        dim = len(rows[0].embedding) // BLOB_DTYPE.itemsize
        stream._columns = _Columns(dim, capacity=2 * len(rows))
        stream._columns.append(records, [row.last_accessed_tick for row in rows],
                               stack_blobs([row.embedding for row in rows], dim))
        stream._records = {record.id: record for record in records}
        stream._by_text = {(r.kind, normalised(r.description)): r for r in records}
        return stream

    def __len__(self) -> int:
        return len(self._records)

    @property
    def dim(self) -> int | None:
        """The embedding size of this agent's records; None before the first."""
        return None if self._columns is None else self._columns.dim

    @property
    def pending(self) -> int:
        """How many rows the next `flush` writes (new records and last-access updates)."""
        inserted = {record.id for record, _blob in self._pending}
        return len(self._pending) + len(self._touched.keys() - inserted)

    def add(self, kind: MemoryKind | str, description: str, importance: int,
            embedding: npt.ArrayLike, created_tick: int, *, created_at: str,
            subject: str | None = None, predicate: str | None = None, object_: str | None = None,
            evidence_ids: Sequence[int] = (), utterance_id: int | None = None,
            conversation_id: int | None = None) -> MemoryRecord:
        """Append one record; see `add_many`."""
        (record,) = self.add_many([NewMemory(
            MemoryKind(kind), description, importance, embedding, created_tick, created_at,
            subject, predicate, object_, evidence_ids, utterance_id, conversation_id)])
        return record

    def add_many(self, items: Sequence[NewMemory]) -> list[MemoryRecord]:
        """Append records in order, giving them ids; they are written at the next `flush`.

        Last accessed starts at the creation tick. ValueError (and nothing added) for an
        importance outside 1..10, an embedding of another size than this agent's other
        records, or evidence that is not among this agent's records (added ones included).
        """
        if not items:
            return []
        vectors = np.stack([as_vector(item.embedding) for item in items])
        dim = self.dim if self.dim is not None else vectors.shape[1]
        if vectors.shape[1] != dim:
            raise ValueError(f"embedding has {vectors.shape[1]} values, this agent's have {dim}")
        self._check(items)
        records = [self._record(item) for item in items]
        if self._columns is None:
            self._columns = _Columns(dim, capacity=len(records))
        self._columns.append(records, [r.created_tick for r in records], vectors)
        for record, vector in zip(records, vectors, strict=True):
            self._records[record.id] = record
            self._by_text[record.kind, normalised(record.description)] = record
            self._pending.append((record, to_blob(vector)))
        return records

    def same_text(self, kind: MemoryKind, description: str) -> MemoryRecord | None:
        """The newest record of `kind` whose description reads the same as `description`
        (case, spacing and a final period aside); None when there is none."""
        return self._by_text.get((kind, normalised(description)))

    def retrieve(self, query_embedding: npt.ArrayLike, now_tick: int, k: int | None = None,
                 kinds: Iterable[MemoryKind | str] | None = None,
                 touch: bool = True) -> list[ScoredMemory]:
        """The top `k` (default `config.k`) records for a query, best first, ties by id.

        `kinds` restricts the candidates (interview-time ablation); normalisation is over
        the candidates. With `touch`, the returned records' last access becomes `now_tick`
        (written at the next `flush`); an interview passes touch=False and changes nothing.
        """
        k = self.config.k if k is None else k
        if k < 1:
            raise ValueError(f"retrieval k must be at least 1, got {k}")
        query = as_vector(query_embedding)
        columns = self._columns
        if columns is None:
            return []
        if query.size != columns.dim:
            raise ValueError(
                f"query embedding has {query.size} values, memories have {columns.dim}")
        candidates = self._candidates(kinds)
        if candidates.size == 0:
            return []
        # einsum, not `@`: BLAS threads spin against the model's threads on a busy CPU
        # (7-10 ms per query instead of about 1 ms on two cores).
        cosine = np.einsum("ij,j->i", columns.vectors, unit_rows(query))
        ids = columns.ids[candidates]
        terms = score(self.config, cosine[candidates], columns.importance[candidates],
                      columns.accessed[candidates], ids, now_tick)
        best = top_k(terms.score, ids, k)
        chosen = [int(i) for i in ids[best]]
        if touch:
            columns.accessed[candidates[best]] = now_tick
            self._touched.update(dict.fromkeys(chosen, now_tick))
        return [ScoredMemory(self._records[memory_id], float(terms.score[i]),
                             float(terms.recency[i]), float(terms.importance[i]),
                             float(terms.relevance[i]))
                for memory_id, i in zip(chosen, best, strict=True)]

    def recent(self, n: int, kinds: Iterable[MemoryKind | str] | None = None
               ) -> list[MemoryRecord]:
        """The `n` newest records (of `kinds`), oldest first, as prompts list them."""
        if n <= 0 or self._columns is None:
            return []
        newest = self._candidates(kinds)[-n:]
        return [self._records[int(i)] for i in self._columns.ids[newest]]

    def records(self, kinds: Iterable[MemoryKind | str] | None = None) -> list[MemoryRecord]:
        """All records (of `kinds`), oldest first."""
        if kinds is None:
            return list(self._records.values())
        wanted = {MemoryKind(kind) for kind in kinds}
        return [record for record in self._records.values() if record.kind in wanted]

    def by_ids(self, ids: Sequence[int]) -> list[MemoryRecord]:
        """This agent's records with these ids, in the given order; KeyError for any other id."""
        missing = [i for i in ids if i not in self._records]
        if missing:
            raise KeyError(f"agent {self.agent_id} has no memories with ids {missing}")
        return [self._records[i] for i in ids]

    def embeddings(self, ids: Sequence[int]) -> FloatArray:
        """The unit-length embeddings of this agent's records `ids`, one row each, in the
        given order (shape (len(ids), dim)); KeyError for an id that is not this agent's."""
        columns = self._columns
        if columns is None:
            if ids:
                raise KeyError(ids[0])
            return np.zeros((0, 0), dtype=np.float32)
        return columns.vectors[[columns.position(int(i)) for i in ids]]

    def last_accessed(self, memory_id: int) -> int:
        """The tick `memory_id` was created or last retrieved (with touch); KeyError if unknown."""
        if self._columns is None or memory_id not in self._records:
            raise KeyError(f"agent {self.agent_id} has no memory with id {memory_id}")
        return int(self._columns.accessed[self._columns.position(memory_id)])

    def importance_since(self, tick: int, kinds: Iterable[MemoryKind | str] | None = None) -> int:
        """Summed importance of the records (of `kinds`) created after `tick`."""
        columns = self._columns
        if columns is None:
            return 0
        candidates = self._candidates(kinds)
        created_after = columns.created[candidates] > tick
        return int(columns.importance[candidates][created_after].sum())

    def flush(self, session: Session) -> int:
        """Write the new records and last-access updates in `session`'s transaction; rows written.

        The agent, utterance and conversation rows the new records point to must be in
        the transaction already, and plan items that point to them go in after. Does
        nothing (opens no transaction) when nothing changed.
        """
        columns = self._columns
        if columns is None or not (self._pending or self._touched):
            return 0
        inserts = [self._row(record, blob, columns) for record, blob in self._pending]
        inserted = {row["id"] for row in inserts}
        updates = [{"id": memory_id, "last_accessed_tick": tick}
                   for memory_id, tick in sorted(self._touched.items())
                   if memory_id not in inserted]
        if inserts:
            session.execute(insert(MemoryRow), inserts)
        if updates:
            session.execute(update(MemoryRow), updates)
        self._pending.clear()
        self._touched.clear()
        return len(inserts) + len(updates)

    def _record(self, item: NewMemory) -> MemoryRecord:
        return MemoryRecord(
            id=self._ids.next(), agent_id=self.agent_id, kind=MemoryKind(item.kind),
            created_tick=int(item.created_tick), created_at=item.created_at,
            description=item.description, importance=int(item.importance),
            subject=item.subject, predicate=item.predicate, object_=item.object_,
            evidence_ids=tuple(int(i) for i in item.evidence_ids),
            utterance_id=item.utterance_id, conversation_id=item.conversation_id)

    @staticmethod
    def _row(record: MemoryRecord, blob: bytes, columns: _Columns) -> dict[str, Any]:
        """The `MemoryRow` values of a new record, last access as it stands now."""
        row: dict[str, Any] = {name: getattr(record, name) for name in _RECORD_FIELDS}
        row["evidence_ids"] = list(record.evidence_ids)
        row["embedding"] = blob
        row["last_accessed_tick"] = int(columns.accessed[columns.position(record.id)])
        return row

    def _check(self, items: Sequence[NewMemory]) -> None:
        """ValueError unless every item's kind, importance and evidence are valid."""
        for item in items:
            MemoryKind(item.kind)
            if not 1 <= item.importance <= 10:
                raise ValueError(f"importance must be 1..10, got {item.importance}")
        cited = {int(i) for item in items for i in item.evidence_ids}
        unknown = sorted(cited - self._records.keys())
        if unknown:
            raise ValueError(f"evidence {unknown} is not among agent {self.agent_id}'s memories")

    def _candidates(self, kinds: Iterable[MemoryKind | str] | None) -> IntArray:
        """Positions of the records of `kinds` (all when None), in id order."""
        columns = self._columns
        if columns is None:
            return np.arange(0)
        if kinds is None:
            return np.arange(columns.size)
        codes = [_KIND_CODES[MemoryKind(kind)] for kind in kinds]
        return np.flatnonzero(np.isin(columns.kinds, codes))
