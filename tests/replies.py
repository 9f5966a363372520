"""Valid scripted replies, serialised from the suite's own reply models.

A test that hand-types a verdict's JSON keeps passing after the schema changes while the
replies it feeds are silently unscored; replies built here fail to build instead. Deliberately
broken replies (garbage, truncation, injections) stay literal strings in the tests.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from pluralbench.alignment.solvers._shared import Rating, choice_reply_model, comparative_reply_model
from pluralbench.persona.identification import IdentificationVerdict
from pluralbench.persona.prism import ControversyVerdict
from pluralbench.persona.scorers import CriticVerdict, JudgeVerdict
from pluralbench.steerability.generate.statements import CandidateReply, CheckReply, Verdict
from pluralbench.steerability.scorers import BatchAnswers

# ---------------------------------------------------------------- PERSONA judges


def critic_verdict(needs_revision: bool, personalization: str = "fits", quality: str = "fine") -> str:
    """The single-call critic's reply."""
    return CriticVerdict(
        personalization_critique=personalization, quality_critique=quality, needs_revision=needs_revision
    ).model_dump_json()


APPROVE = critic_verdict(False)
"""The critic finds that the answer needs no revision (score 1)."""
REJECT = critic_verdict(True, personalization="generic")
"""The critic asks for a revision (score 0)."""


def judge_verdict(needs_revision: bool, reasoning: str = "ok") -> str:
    """The debate judge's reply."""
    return JudgeVerdict(reasoning=reasoning, needs_revision=needs_revision).model_dump_json()


def identification_verdict(person: int, reasoning: str = "a guess") -> str:
    """The identification judge's reply naming candidate ``person`` (1-based)."""
    return IdentificationVerdict(reasoning=reasoning, person=person).model_dump_json()


def controversy_verdict(contested: bool) -> str:
    """The PRISM controversy filter's reply."""
    return ControversyVerdict(contested=contested).model_dump_json()


# ---------------------------------------------------------------- steerability


def batch_answers(answers: Mapping[int, bool]) -> str:
    """A multi-statement reply: statement number (1-based) -> agrees."""
    return BatchAnswers({str(number): agree for number, agree in answers.items()}).model_dump_json()


def candidate_statements(agree: Sequence[str], disagree: Sequence[str]) -> str:
    """The statement writer's reply."""
    return CandidateReply(agree=list(agree), disagree=list(disagree)).model_dump_json()


def checker_verdicts(verdicts: Mapping[int, str]) -> str:
    """The statement checker's reply: statement number -> ``agree``, ``disagree`` or ``unclear``."""
    items = [Verdict(number=number, verdict=verdict) for number, verdict in verdicts.items()]  # type: ignore[arg-type]
    return CheckReply(verdicts=items).model_dump_json()


# ---------------------------------------------------------------- alignment targets


def rating(score: float, reason: str = "r") -> str:
    """A single-response rating reply (score 0-100)."""
    return Rating(reason=reason, score=score).model_dump_json()


def ratings(scores: Sequence[float], reason: str = "r") -> str:
    """A comparative rating reply: one rating per shown response, in the order shown."""
    fields = {f"response_{number}": Rating(reason=reason, score=score) for number, score in enumerate(scores, 1)}
    return comparative_reply_model(len(scores))(**fields).model_dump_json()


def choice(number: int, count: int, reason: str = "r") -> str:
    """A choice reply naming response ``number`` (1-based) of ``count`` shown."""
    return choice_reply_model(count)(reason=reason, choice=number).model_dump_json()
