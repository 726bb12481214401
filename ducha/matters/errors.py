"""The refusals of the matters' actions: ``errors`` maps field names to messages, as forms and
the API show them."""

from __future__ import annotations


class MatterError(ValueError):
    """Bad input or a step that is not allowed; ``errors`` maps field names to messages."""

    def __init__(self, errors: dict[str, str] | str) -> None:
        self.errors = errors if isinstance(errors, dict) else {"__all__": errors}
        super().__init__("; ".join(f"{k}: {v}" for k, v in self.errors.items()))


class ConcurrentChange(MatterError):
    """Someone else changed the matter first; reload and try again."""
