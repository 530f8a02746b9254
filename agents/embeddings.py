"""Embeddings as database blobs and as numpy arrays.

A stored embedding is its vector's little-endian float32 bytes: portable
across machines and databases (a LargeBinary column), and a whole agent's
memory loads as one `frombuffer` over the joined blobs.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

BLOB_DTYPE = np.dtype("<f4")

FloatArray = npt.NDArray[np.float32]


def as_vector(embedding: npt.ArrayLike) -> FloatArray:
    """A 1-D, finite float32 copy of `embedding`; ValueError otherwise."""
    vector = np.array(embedding, dtype=np.float32)
    if vector.ndim != 1 or vector.size == 0:
        raise ValueError(f"an embedding must be a non-empty 1-D vector, got shape {vector.shape}")
    if not np.all(np.isfinite(vector)):
        raise ValueError("an embedding must be finite (it has NaN or infinite entries)")
    return vector


def to_blob(embedding: npt.ArrayLike) -> bytes:
    """The bytes stored for an embedding."""
    return as_vector(embedding).astype(BLOB_DTYPE, copy=False).tobytes()


def from_blob(blob: bytes) -> FloatArray:
    """The vector of a stored blob (a fresh, writable float32 array)."""
    if len(blob) == 0 or len(blob) % BLOB_DTYPE.itemsize:
        raise ValueError(
            f"an embedding blob must be a positive multiple of 4 bytes, got {len(blob)}")
    return np.frombuffer(blob, dtype=BLOB_DTYPE).astype(np.float32)


def stack_blobs(blobs: Sequence[bytes], dim: int) -> FloatArray:
    """The (len(blobs), dim) matrix of stored blobs, in one pass; ValueError on a wrong length."""
    size = dim * BLOB_DTYPE.itemsize
    for position, blob in enumerate(blobs):
        if len(blob) != size:
            raise ValueError(f"embedding blob {position} has {len(blob)} bytes, expected {size} "
                             f"({dim} float32 values)")
    flat = np.frombuffer(b"".join(blobs), dtype=BLOB_DTYPE)
    return flat.astype(np.float32).reshape(len(blobs), dim)


def unit_rows(matrix: FloatArray) -> FloatArray:
    """Each row scaled to unit length, so a dot product is a cosine; zero rows stay zero."""
    norms = np.linalg.norm(matrix, axis=-1, keepdims=True)
    unit: FloatArray = np.divide(matrix, norms, out=np.zeros_like(matrix), where=norms > 0)
    return unit


def nearer_first(queries: FloatArray, first: FloatArray, second: FloatArray) -> list[bool]:
    """For each row of `queries`, whether its most similar example (cosine) is one of
    `first` rather than one of `second` (a tie goes to `second`). Shapes (q, dim),
    (a, dim), (b, dim) with a, b >= 1."""
    if len(first) == 0 or len(second) == 0:
        raise ValueError("both groups of examples need at least one example")
    queries, first, second = unit_rows(queries), unit_rows(first), unit_rows(second)
    return [bool(a > b) for a, b in zip((queries @ first.T).max(axis=1),
                                        (queries @ second.T).max(axis=1), strict=True)]
