"""The quiz bank's domain model: topics, questions and banks, all immutable."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from quizbank.normalise import normalise

# Options are lettered A–D, so a choice question has at most four.
OPTION_LETTERS = "ABCD"
# Topic ids travel inside 64-byte callback data, so they stay short and plain.
TOPIC_ID_PATTERN = r"[a-z0-9][a-z0-9-]{0,31}"


class Kind(enum.StrEnum):
    """How a question is answered."""

    TEXT = "text"
    CHOICE = "choice"
    TRUEFALSE = "truefalse"
    POINTS = "points"  # exam style: the student compares their answer with a mark scheme


@dataclass(frozen=True, slots=True)
class MarkPoint:
    """One point of a mark scheme, and words that show an answer made it."""

    text: str
    keywords: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Topic:
    """A syllabus topic; `id` is short and stable because it goes into callback data."""

    id: str
    name: str
    line: int = 0  # where its bank file defines it, for problems found after loading


@dataclass(frozen=True, slots=True)
class Question:
    """One question. `answers[0]` is the canonical answer shown to students."""

    bank: str
    id: str
    topic: str
    kind: Kind
    prompt: str
    answers: tuple[str, ...]
    explanation: str
    source: tuple[str, ...]
    difficulty: int = 1
    choices: tuple[str, ...] = ()
    reject: tuple[str, ...] = ()
    # Multi-part answers: every part must be given, in any order; each part lists its
    # accepted alternatives, e.g. (("Brezhnev",), ("Kosygin",)).
    parts: tuple[tuple[str, ...], ...] = ()
    typo: int | None = None  # overrides the edits allowed per word (0 = exact spelling)
    short_year: bool = False  # accept "56" for 1956
    points: tuple[MarkPoint, ...] = ()  # POINTS questions: the mark scheme
    marks: int = 0  # POINTS questions: what the exam question is worth
    line: int = 0

    @property
    def key(self) -> str:
        """The bank-qualified id, unique across every loaded bank."""
        return f"{self.bank}:{self.id}"

    @property
    def canonical(self) -> str:
        """The answer shown to the student after they reply ("" for a mark-scheme question)."""
        return self.answers[0] if self.answers else ""


def as_shown(answer: str) -> str:
    """An answer as a student reads it: a bank's optional-word brackets dropped, words kept.

    "Virgin Lands (Scheme)" reads "Virgin Lands Scheme"; both forms are accepted anyway.
    """
    return " ".join(answer.replace("(", " ").replace(")", " ").split())


@dataclass(frozen=True, slots=True)
class Bank:
    """A named set of topics and questions, loaded from one YAML file."""

    id: str
    title: str
    topics: tuple[Topic, ...]
    questions: tuple[Question, ...]
    path: str = ""
    line: int = 0  # where its bank file's fields start, for problems found after loading
    # False for a teacher's uploaded bank: asked only when its topic is chosen by name, so
    # one school's questions never turn up in everyone's mixed rounds.
    shared: bool = True


@dataclass(frozen=True)
class Library:
    """Every loaded bank, indexed for constant-time lookups on the hot path."""

    banks: tuple[Bank, ...]
    _by_key: Mapping[str, Question] = field(init=False, repr=False)
    _topics: Mapping[str, Topic] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        by_key: dict[str, Question] = {}
        topics: dict[str, Topic] = {}
        for bank in self.banks:
            for topic in bank.topics:
                # The first bank to define a topic id names it; later banks may add questions.
                topics.setdefault(topic.id, topic)
            for question in bank.questions:
                by_key[question.key] = question
        object.__setattr__(self, "_by_key", by_key)
        object.__setattr__(self, "_topics", topics)

    @property
    def questions(self) -> Iterable[Question]:
        """Every question of every bank, in bank then file order."""
        return self._by_key.values()

    @property
    def topics(self) -> tuple[Topic, ...]:
        """Topics that have at least one question, in syllabus (file) order."""
        used = {q.topic for q in self._by_key.values()}
        return tuple(t for t in self._topics.values() if t.id in used)

    def pool(self, topic: str | None = None) -> list[Question]:
        """The questions a round may draw from: a topic's (from any bank), or every
        shared bank's."""
        if topic is not None:
            return [q for q in self._by_key.values() if q.topic == topic]
        shared = {b.id for b in self.banks if b.shared}
        return [q for q in self._by_key.values() if q.bank in shared]

    @property
    def shared_topics(self) -> tuple[Topic, ...]:
        """Topics with questions in a shared bank: the ones menus offer everyone."""
        used = {q.topic for q in self.pool()}
        return tuple(t for t in self._topics.values() if t.id in used)

    def question(self, key: str) -> Question | None:
        """The question with this bank-qualified key, or None if no bank has it any more."""
        return self._by_key.get(key)

    def topic_name(self, topic_id: str) -> str:
        """A readable topic name, falling back to the id."""
        topic = self._topics.get(topic_id)
        return topic.name if topic else topic_id

    def find_topic(self, text: str) -> Topic | None:
        """The one topic `text` names: its id or name, or the starts of its words ("foreign")."""
        wanted = normalise(text)
        topics = self.topics
        for topic in topics:
            if wanted in (normalise(topic.id), normalise(topic.name), topic.id.replace("-", "")):
                return topic
        words = wanted.split()
        # Short or numeric fragments match too much: "all" is in "fall", "4" in "1964".
        if not words or any(len(w) < 3 or not w.isalpha() for w in words):
            return None

        def names(topic: Topic) -> list[str]:
            return [*normalise(f"{topic.name} {topic.id}").split(), topic.id.replace("-", "")]

        matches = [t for t in topics if all(any(n.startswith(w) for n in names(t)) for w in words)]
        return matches[0] if len(matches) == 1 else None
