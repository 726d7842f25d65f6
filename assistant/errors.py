"""Domain exceptions; each boundary (CLI, API, UI) translates them once."""

import re
from dataclasses import dataclass


class AssistantError(Exception):
    """Base class: every error a user or staff editor can cause and should see explained."""

    status = 400

    @property
    def problems(self) -> list[str]:
        return [str(self)]

    @property
    def user_message(self) -> str:
        """The Chinese part of a bilingual message ("中文。/ English."), for people rather than integrators."""
        return re.split(r"\s*/\s*(?=[A-Z])", str(self), maxsplit=1)[0].strip()


@dataclass
class Problem:
    """One validation problem located in a corpus file, e.g. `corpus/faq.yaml:12: items[3].cites[0]: ...`."""

    file: str
    path: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class CorpusError(AssistantError):
    """The corpus failed validation; carries every problem found, not just the first."""

    status = 422

    def __init__(self, problems: list[Problem]):
        self._problems = problems
        super().__init__(f"corpus has {len(problems)} problem(s):\n" + "\n".join(str(p) for p in problems))

    @property
    def problems(self) -> list[str]:
        return [str(p) for p in self._problems]


class ConfigError(AssistantError):
    """A setting is unknown or has an invalid value."""


class IndexNotBuilt(AssistantError):
    """No index exists yet and the caller did not ask for an automatic build."""

    status = 503


class StaleIndex(AssistantError):
    """The index on disk was built from another corpus or encoder than the current one."""

    status = 503


class IndexCorrupt(StaleIndex):
    """A build file does not match what its manifest recorded (size, checksum, counts): never served."""


class QuestionError(AssistantError):
    """The question is empty or otherwise unusable."""


class EncoderError(AssistantError):
    """An encoder backend is unknown or could not be loaded."""


class QuestionnaireError(AssistantError):
    """Unknown questionnaire or invalid answers to one."""


class NotFound(AssistantError):
    """A requested article, questionnaire or resource does not exist."""

    status = 404


class UnknownQuestionnaire(NotFound):
    """No questionnaire has this id."""


class AssessmentIncomplete(QuestionnaireError):
    """A report was requested for answers that do not reach an outcome yet."""

    status = 409


class QuestionTooLong(QuestionError):
    """A question over the serving hard limit: rejected (not truncated) so a 200 KB paste costs nothing."""

    status = 422


class UnreadableText(QuestionError):
    """Text that is not valid Unicode (a lone surrogate from a broken client): refused before it reaches the
    encoder, which could not encode it."""

    status = 422


class ReloadInProgress(AssistantError):
    """A reload is already running; the caller should wait for it (see /healthz) instead of starting another."""

    status = 409
