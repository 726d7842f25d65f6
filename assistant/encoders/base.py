"""The encoder interface: queries and passages in, L2-normalised float32 vectors out."""

from abc import ABC, abstractmethod

import numpy as np


class Encoder(ABC):
    """A dense encoder. Queries and passages are separate calls because models like e5 and bge treat them differently."""

    #: Stable identifier stamped into the index manifest; a different id means the index must be rebuilt.
    id: str
    dim: int

    @abstractmethod
    def _encode(self, texts: list[str], is_query: bool) -> np.ndarray:
        """Backend-specific embedding of a batch."""

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return self._normalise(self._encode(list(texts), True))

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        return self._normalise(self._encode(list(texts), False))

    @staticmethod
    def _normalise(vectors: np.ndarray) -> np.ndarray:
        vectors = np.asarray(vectors, dtype=np.float32).reshape(len(vectors), -1)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.maximum(norms, 1e-12)
