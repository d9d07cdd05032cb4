"""The team's pipeline as data: each stage's labels, jobs, win probability and stuck limit.

The six stages themselves never change (the process "can differ a little from business to
business" while its stages stay); what a team adjusts is what they are called, which jobs
each one holds and the two figures reports use. Jobs have stable keys, so that rows and
events hold keys and a renamed job keeps its ticks. A job taken out of the pipeline is
kept as *retired*, with its wording, so that the history of deals that had it stays
readable.

Pure Python like ``workflow``: no SQL, no Textual, no IO.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Final

from salesboard import workflow
from salesboard.errors import InvalidInput
from salesboard.evidence import Evidence, evidence_by_key
from salesboard.folding import fold
from salesboard.i18n import _, ngettext
from salesboard.language import LANGUAGES
from salesboard.validation import display_safe, strip_controls
from salesboard.workflow import Stage, stage_by_key

KEY_RE: Final = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?", re.ASCII)
LABEL_MAX: Final = 40
JOB_TEXT_MAX: Final = 200
JOBS_MAX: Final = 20
STUCK_MAX_DAYS: Final = 3650


def _frozen(labels: Mapping[str, str]) -> Mapping[str, str]:
    return MappingProxyType(dict(labels))


@dataclass(frozen=True)
class JobDefinition:
    """One job of a stage: a key that never changes and its wording per language."""

    key: str
    stage: Stage
    text: Mapping[str, str]
    evidence: Evidence | None = None
    """What must exist before the job can be ticked (``salesboard.evidence``), if anything."""

    def text_in(self, language: str) -> str:
        """The wording in ``language``, English where the team gave none."""
        return self.text.get(language) or self.text["en"]


@dataclass(frozen=True)
class StageDefinition:
    """One of the six stages as a team runs it."""

    stage: Stage
    label: Mapping[str, str]
    win_probability: int
    """Percent: how likely a deal in this stage is to be won (weighted forecasts)."""
    stuck_after_days: int
    """A deal in this stage longer than this counts as stuck (reports, card marks)."""
    jobs: tuple[JobDefinition, ...]

    @property
    def key(self) -> str:
        """The stage's stable key."""
        return self.stage.key

    def label_in(self, language: str) -> str:
        """The stage's name in ``language``, English where the team gave none."""
        return self.label.get(language) or self.label["en"]


@dataclass(frozen=True)
class PipelineDefinition:
    """The whole pipeline: six stages in order, plus the jobs retired from them."""

    stages: tuple[StageDefinition, ...]
    retired: tuple[JobDefinition, ...] = ()
    _by_key: dict[str, JobDefinition] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_key = {job.key: job for job in self.retired}
        by_key.update({job.key: job for s in self.stages for job in s.jobs})
        object.__setattr__(self, "_by_key", by_key)

    def of(self, stage: Stage) -> StageDefinition:
        """The definition of one stage."""
        return self.stages[int(stage) - 1]

    def jobs_of(self, stage: Stage) -> tuple[JobDefinition, ...]:
        """The current jobs of a stage, in checklist order."""
        return self.of(stage).jobs

    def job(self, key: str) -> JobDefinition | None:
        """A job by key, current or retired (None if the pipeline never had it)."""
        return self._by_key.get(key)

    def is_current(self, key: str) -> bool:
        """Whether the job is on checklists now (not retired)."""
        job = self._by_key.get(key)
        return job is not None and any(job is j for j in self.of(job.stage).jobs)

    def all_jobs(self) -> Iterator[JobDefinition]:
        """Every current job, stage by stage, in checklist order."""
        for stage in self.stages:
            yield from stage.jobs

    def to_json(self) -> dict[str, Any]:
        """The definition as stored in the database (and compared, hashed, exported)."""
        return {
            "stages": [
                {
                    "key": s.key,
                    "label": dict(s.label),
                    "win_probability": s.win_probability,
                    "stuck_after_days": s.stuck_after_days,
                    "jobs": [_job_json(j) for j in s.jobs],
                }
                for s in self.stages
            ],
            "retired": [
                {"key": j.key, "stage": j.stage.key, "text": dict(j.text)} for j in self.retired
            ],
        }

    def dumps(self) -> str:
        """``to_json`` as canonical text (sorted keys), as the database keeps it."""
        return json.dumps(self.to_json(), sort_keys=True, ensure_ascii=False)


def _job_json(job: JobDefinition) -> dict[str, Any]:
    found: dict[str, Any] = {"key": job.key, "text": dict(job.text)}
    if job.evidence is not None:
        found["evidence"] = job.evidence.value
    return found


# ------------------------------------------------------------------ reading one


def _refuse(where: str, problem: str) -> InvalidInput:
    return InvalidInput(f"{where}: {problem}")


def _check_keys(where: str, table: Mapping[str, Any], allowed: Iterable[str]) -> None:
    unknown = sorted(set(table) - set(allowed))
    if unknown:
        names = ", ".join(repr(k) for k in unknown)
        expected = ", ".join(allowed)
        raise _refuse(
            where,
            _("unknown field {names} (expected {expected})").format(names=names, expected=expected),
        )


_BLANK_LETTERS: Final = frozenset(
    "\u034f\u115f\u1160\u17b4\u17b5\u3164\uffa0\u2800\u180b\u180c\u180d\u180f"
    + "".join(chr(c) for c in range(0xFE00, 0xFE10))
    + "".join(chr(c) for c in range(0xE0100, 0xE01F0))
)
"""Characters that draw nothing but are not format characters (Cf): fillers, a combining
joiner, variation selectors, the blank braille pattern. In a name they make two names
that look alike differ."""


def _invisible(character: str) -> bool:
    return unicodedata.category(character) == "Cf" or character in _BLANK_LETTERS


def _labels(where: str, value: Any, limit: int, strict: bool = True) -> dict[str, str]:
    """A label per language: a table ``{en = "...", nb = "..."}`` or one English string."""
    if isinstance(value, str):
        value = {"en": value}
    if not isinstance(value, Mapping):
        raise _refuse(where, _('expected a text or a table of texts per language {en = "…"}'))
    _check_keys(where, value, LANGUAGES)
    labels: dict[str, str] = {}
    for language, text in value.items():
        if not isinstance(text, str):
            raise _refuse(f"{where}.{language}", _("expected a text"))
        cleaned = strip_controls(text).strip()
        if not strict:  # a stored definition: shown safely rather than refused
            cleaned = "".join(c for c in cleaned if not _invisible(c))
        hidden = next((c for c in cleaned if _invisible(c)), None)
        if hidden is not None:
            raise _refuse(
                f"{where}.{language}",
                _("contains the invisible character U+{code}; remove it").format(
                    code=f"{ord(hidden):04X}"
                ),
            )
        if len(cleaned) > limit:
            raise _refuse(
                f"{where}.{language}",
                ngettext(
                    "{count} character; the limit is {limit}",
                    "{count} characters; the limit is {limit}",
                    len(cleaned),
                ).format(count=len(cleaned), limit=limit),
            )
        if cleaned:
            labels[language] = cleaned
    if "en" not in labels:
        raise _refuse(where, _("an English text (en) is required"))
    return labels


def _whole(where: str, value: Any, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        shown = json.dumps(value, default=str) if not isinstance(value, str) else repr(value)
        raise _refuse(
            where,
            _("expected a whole number from {low} to {high}, not {value}").format(
                low=low, high=high, value=shown
            ),
        )
    return value


def _evidence(where: str, value: Any) -> Evidence | None:
    """A job's evidence key, if it names one (``salesboard.evidence``)."""
    if value is None:
        return None
    found = evidence_by_key(value)
    if found is None:
        known = ", ".join(e.value for e in Evidence)
        raise _refuse(
            f"{where}.evidence",
            _("unknown evidence {value} (expected one of: {known})").format(
                value=repr(value), known=known
            ),
        )
    return found


def _job_key(where: str, value: Any) -> str:
    if not isinstance(value, str) or KEY_RE.fullmatch(value) is None:
        raise _refuse(
            where,
            _("a job key is 1 to 40 lowercase letters, digits and dashes, not {value}").format(
                value=repr(value)
            ),
        )
    return value


_STAGE_FIELDS: Final = ("key", "label", "win_probability", "stuck_after_days", "jobs")
_JOB_FIELDS: Final = ("key", "text", "evidence")
_RETIRED_FIELDS: Final = ("key", "stage", "text")


def from_json(data: Any, *, strict: bool = True) -> PipelineDefinition:
    """Check a definition (as parsed from TOML or the database) and build it.

    ``strict`` (an import) also refuses invisible characters and names that cannot be
    told apart; a stored definition (``strict=False``) is read with those made harmless,
    so a hand-edited row never stops every board.

    Every problem is refused with one message that names where it is (``stages[3].jobs[2]
    .key``): a typo in a team's file must never be half applied or silently ignored.
    """
    if not isinstance(data, Mapping):
        raise InvalidInput(_("a pipeline definition is a table with stages"))
    _check_keys(_("pipeline"), data, ("stages", "retired"))
    found = data.get("stages")
    if not isinstance(found, list) or len(found) != len(Stage):
        keys = ", ".join(s.key for s in Stage)
        raise InvalidInput(
            _("a pipeline has exactly six stages, in order: {keys}").format(keys=keys)
        )
    seen: dict[str, str] = {}
    stages: list[StageDefinition] = []
    for stage, raw in zip(Stage, found, strict=True):
        where = f"stages[{int(stage)}]"
        if not isinstance(raw, Mapping):
            raise _refuse(where, _("expected a table"))
        _check_keys(where, raw, _STAGE_FIELDS)
        if raw.get("key") != stage.key:
            raise _refuse(
                f"{where}.key",
                _("stage {n} is {key}, not {found}; the six stages and their order stay").format(
                    n=int(stage), key=repr(stage.key), found=repr(raw.get("key"))
                ),
            )
        jobs_found = raw.get("jobs")
        if not isinstance(jobs_found, list) or not 1 <= len(jobs_found) <= JOBS_MAX:
            raise _refuse(f"{where}.jobs", _("a stage has 1 to {most} jobs").format(most=JOBS_MAX))
        jobs: list[JobDefinition] = []
        for n, job in enumerate(jobs_found, start=1):
            job_where = f"{where}.jobs[{n}]"
            if not isinstance(job, Mapping):
                raise _refuse(job_where, _("expected a table"))
            _check_keys(job_where, job, _JOB_FIELDS)
            key = _job_key(f"{job_where}.key", job.get("key"))
            if key in seen:
                raise _refuse(
                    f"{job_where}.key",
                    _("{key} is already used at {where}").format(key=repr(key), where=seen[key]),
                )
            seen[key] = job_where
            text = _labels(f"{job_where}.text", job.get("text"), JOB_TEXT_MAX, strict)
            for other in jobs if strict else ():
                same = [lang for lang in text if fold(other.text.get(lang, "")) == fold(text[lang])]
                if same:
                    raise _refuse(
                        f"{job_where}.text.{same[0]}",
                        _(
                            "the same as job {job} of this stage; two jobs that read the same "
                            "cannot be told apart"
                        ).format(job=repr(other.key)),
                    )
            jobs.append(
                JobDefinition(key, stage, _frozen(text), _evidence(job_where, job.get("evidence")))
            )
        stages.append(
            StageDefinition(
                stage=stage,
                label=_frozen(_labels(f"{where}.label", raw.get("label"), LABEL_MAX, strict)),
                win_probability=_whole(
                    f"{where}.win_probability", raw.get("win_probability"), 0, 100
                ),
                stuck_after_days=_whole(
                    f"{where}.stuck_after_days", raw.get("stuck_after_days"), 1, STUCK_MAX_DAYS
                ),
                jobs=tuple(jobs),
            )
        )
    for language in LANGUAGES if strict else ():
        names = [fold(s.label_in(language)) for s in stages]
        twice = next((name for name in names if names.count(name) > 1), None)
        if twice is not None:
            n = names.index(twice) + 1 + names[names.index(twice) + 1 :].index(twice) + 1
            raise _refuse(
                f"stages[{n}].label.{language}",
                _(
                    "{name} already names stage {other}; stages need names that tell them apart"
                ).format(name=repr(stages[n - 1].label_in(language)), other=names.index(twice) + 1),
            )
        for n, name in enumerate(names, start=1):
            taken = next((s for s in stages if s.stage.key == name and n != s.stage.value), None)
            if taken is not None:  # "--stage qualified" must mean one stage in every language
                raise _refuse(
                    f"stages[{n}].label.{language}",
                    _("{name} is the key of stage {key}; give this stage another name").format(
                        name=repr(stages[n - 1].label_in(language)), key=repr(taken.stage.key)
                    ),
                )
    retired: list[JobDefinition] = []
    for n, job in enumerate(data.get("retired") or [], start=1):
        where = f"retired[{n}]"
        if not isinstance(job, Mapping):
            raise _refuse(where, _("expected a table"))
        _check_keys(where, job, _RETIRED_FIELDS)
        key = _job_key(f"{where}.key", job.get("key"))
        retired_from = stage_by_key(job.get("stage"))
        if retired_from is None:
            raise _refuse(
                f"{where}.stage", _("not a stage: {value}").format(value=repr(job.get("stage")))
            )
        if key not in seen:
            seen[key] = where
            retired.append(
                JobDefinition(
                    key,
                    retired_from,
                    _frozen(_labels(where, job.get("text"), JOB_TEXT_MAX, strict)),
                )
            )
    return PipelineDefinition(tuple(stages), tuple(retired))


def loads(text: str) -> PipelineDefinition:
    """A definition from the JSON the database keeps (read leniently, see ``from_json``)."""
    try:
        return from_json(json.loads(text), strict=False)
    except RecursionError:
        raise InvalidInput(_("it is nested too deeply to be a pipeline definition")) from None


# --------------------------------------------------------------- the default


def _job(key: str, en: str, nb: str, evidence: Evidence | None = None) -> dict[str, Any]:
    job: dict[str, Any] = {"key": key, "text": {"en": en, "nb": nb}}
    if evidence is not None:
        job["evidence"] = evidence.value
    return job


DEFAULT_JSON: Final[dict[str, Any]] = {
    "stages": [
        {
            "key": "prospect",
            "label": {"en": "Prospect", "nb": "Prospekt"},
            "win_probability": 10,
            "stuck_after_days": 14,
            "jobs": [
                _job(
                    "target-market",
                    "Prospect found in the target market",
                    "Prospekt funnet i målmarkedet",
                ),
                _job(
                    "meeting-scheduled",
                    "Meeting scheduled to check the opportunity is real",
                    "Møte avtalt for å sjekke at muligheten er reell",
                    Evidence.MEETING,
                ),
                _job(
                    "met-producers",
                    "Met the people who would produce the product",
                    "Møtt dem som skal lage produktet",
                    Evidence.MEETING_HELD,
                ),
            ],
        },
        {
            "key": "qualified",
            "label": {"en": "Qualified", "nb": "Kvalifisert"},
            "win_probability": 20,
            "stuck_after_days": 21,
            "jobs": [
                _job(
                    "confirmed-real",
                    "Opportunity confirmed as real",
                    "Muligheten bekreftet som reell",
                ),
                _job("agenda-written", "Agenda written", "Agenda skrevet", Evidence.AGENDA),
                _job(
                    "creation-decided",
                    "Decided how the product will be created",
                    "Bestemt hvordan produktet skal lages",
                ),
                _job(
                    "follow-ups-scheduled",
                    "Follow-up meetings scheduled",
                    "Oppfølgingsmøter avtalt",
                    Evidence.FOLLOW_UP,
                ),
            ],
        },
        {
            "key": "discovery",
            "label": {"en": "Discovery", "nb": "Oppdagelse"},
            "win_probability": 40,
            "stuck_after_days": 30,
            "jobs": [
                _job(
                    "problems-found",
                    "All problems with the new product found",
                    "Alle problemer med det nye produktet funnet",
                    Evidence.PROBLEM,
                ),
                _job(
                    "purchasing-reviewed",
                    "Purchasing issues reviewed",
                    "Innkjøpsforhold gjennomgått",
                ),
                _job(
                    "prioritised-priced",
                    "Everything prioritised and priced",
                    "Alt prioritert og priset",
                    Evidence.PRICED_PROBLEMS,
                ),
                _job("funding-secured", "Funding secured", "Finansiering sikret"),
                _job(
                    "allies-identified",
                    "Allies, enemies and neutral companies identified",
                    "Allierte, fiender og nøytrale selskaper identifisert",
                    Evidence.STAKEHOLDER,
                ),
            ],
        },
        {
            "key": "developed",
            "label": {"en": "Developed", "nb": "Utviklet"},
            "win_probability": 60,
            "stuck_after_days": 30,
            "jobs": [
                _job("product-plan", "Product plan developed", "Produktplan utviklet"),
                _job(
                    "customer-visits",
                    "Customer visits confirm real interest",
                    "Kundebesøk bekrefter reell interesse",
                    Evidence.VISIT_HELD,
                ),
                _job(
                    "pricing-approved",
                    "Management approved pricing",
                    "Ledelsen har godkjent prisingen",
                ),
                _job("roi-approved", "ROI analysed and approved", "ROI analysert og godkjent"),
                _job("resources-assessed", "Resources assessed", "Ressurser vurdert"),
            ],
        },
        {
            "key": "proposed",
            "label": {"en": "Proposed", "nb": "Foreslått"},
            "win_probability": 80,
            "stuck_after_days": 21,
            "jobs": [
                _job(
                    "proposal-delivered",
                    "Final proposal delivered",
                    "Endelig tilbud levert",
                ),
                _job(
                    "contracts-approved",
                    "Prospect approved the contracts",
                    "Prospektet har godkjent kontraktene",
                ),
                _job(
                    "changes-agreed",
                    "Changes to creation, marketing and implementation agreed",
                    "Endringer i produksjon, markedsføring og implementering avtalt",
                ),
                _job(
                    "sent-to-legal",
                    "Contracts sent to legal",
                    "Kontrakter sendt til juridisk avdeling",
                ),
            ],
        },
        {
            "key": "closed",
            "label": {"en": "Closed", "nb": "Lukket"},
            "win_probability": 95,
            "stuck_after_days": 45,
            "jobs": [
                _job(
                    "implemented",
                    "Product created and implemented",
                    "Produktet laget og implementert",
                ),
                _job(
                    "contracts-signed",
                    "All contracts agreed and signed",
                    "Alle kontrakter avtalt og signert",
                ),
                _job("revenue-credited", "Revenue credited", "Inntekt bokført"),
                _job("orders-completed", "All orders completed", "Alle ordrer fullført"),
                _job(
                    "satisfaction-tracked",
                    "Customer satisfaction tracked (success or failure)",
                    "Kundetilfredshet fulgt opp (suksess eller fiasko)",
                ),
            ],
        },
    ],
    "retired": [],
}
"""Today's pipeline: the seed's stages and jobs, in English and Norwegian Bokmål."""

DEFAULT: Final = from_json(DEFAULT_JSON)
"""The definition every new database starts with."""


_IN_FORCE: list[PipelineDefinition] = [DEFAULT]


def in_force() -> PipelineDefinition:
    """The pipeline this process last read from its database (the default until then).

    History lines and stage names are told with it: one process works on one database.
    """
    return _IN_FORCE[0]


def use(pipeline: PipelineDefinition, language: str = "en") -> None:
    """Make ``pipeline`` the one in force, its stage names in ``language``."""
    _IN_FORCE[0] = pipeline
    # Shown in many places as plain text: made safe once here (a label written into the
    # database by hand may hold what an import refuses).
    workflow.use_labels({s.stage: display_safe(s.label_in(language)) for s in pipeline.stages})
