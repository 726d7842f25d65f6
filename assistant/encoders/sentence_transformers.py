"""Any sentence-transformers model by hub id or local path (e.g. BAAI/bge-small-zh-v1.5 downloaded once)."""

import os

import numpy as np

from assistant.encoders.base import Encoder
from assistant.errors import EncoderError


class SentenceTransformerEncoder(Encoder):
    """Loads lazily so the default path never imports torch; the query prefix carries bge-style instructions."""

    def __init__(self, model: str, query_prefix: str = ""):
        if not model:
            raise EncoderError("the sentence-transformers encoder needs encoder_model (a model id or local path)")
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError:
            raise EncoderError("sentence-transformers is not installed: pip install '.[st]'") from None
        try:
            self._model = SentenceTransformer(model, device="cpu")
        except Exception as exc:  # the library raises many unrelated types for a missing model
            raise EncoderError(f"cannot load sentence-transformers model {model!r}: {exc}") from None
        self.query_prefix = query_prefix
        dimension = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        self.dim = int(dimension())
        name = os.path.basename(os.path.normpath(model)) if os.path.exists(model) else model
        self.id = f"sentence-transformers/{name}" + (f"+q:{query_prefix}" if query_prefix else "")

    @classmethod
    def from_settings(cls, settings) -> "SentenceTransformerEncoder":
        return cls(settings.encoder_model, settings.encoder_query_prefix)

    def _encode(self, texts: list[str], is_query: bool) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        if is_query and self.query_prefix:
            texts = [self.query_prefix + t for t in texts]
        return np.asarray(self._model.encode(texts, batch_size=32, show_progress_bar=False), dtype=np.float32)
