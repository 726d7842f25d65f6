"""Dense text encoders: one interface (`base.Encoder`), a factory, one module per backend."""

from assistant.encoders.base import Encoder
from assistant.encoders.factory import BACKENDS, create_encoder

__all__ = ["BACKENDS", "Encoder", "create_encoder"]
