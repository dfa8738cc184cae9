"""The frames of :file:`frames.yml`: a request's words (``says``) and its neighbours' (``unless``).

:class:`Frames` reads and compiles the file (``{money}`` stands for a word list of
:file:`words.yml`); :mod:`zhike.nlu.frames` decides with it. The
file's ``beyond`` section holds the topics the robot does not serve, in the same form.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from zhike.nlu.phrases import expand

FRAMES_FILE = Path(__file__).resolve().parent / "frames.yml"


@dataclass(frozen=True)
class Frame:
    """One request's (or topic's) words: any of ``says`` fits, none of ``unless`` may.

    ``intent`` is the request's intent, or for a topic the robot does not serve its key;
    ``name`` is such a topic's name as customers read it. ``alone``: a message both models
    declined may be taken as the request on its words alone; ``sure``: words that make
    a message fitting the frame that request whatever the models made of it ("催单": the
    parcel; "东西收到了，能派人装吗": the installer, not the parcel DIET was sure of).
    """

    intent: str
    says: tuple[re.Pattern[str], ...]
    unless: tuple[re.Pattern[str], ...]
    name: str = ""
    alone: bool = False
    sure: tuple[re.Pattern[str], ...] = ()

    def fits(self, text: str) -> bool:
        """Whether lower-cased ``text`` says the request's words and none of its neighbours'."""
        return any(p.search(text) for p in self.says) and not any(
            p.search(text) for p in self.unless
        )


class Frames:
    """The frames of a YAML file (``frames: {intent: {says: [...], unless: [...]}}``).

    The file's ``beyond`` section holds, in the same form with a ``name`` each, the
    topics the robot does not serve.
    """

    def __init__(self, frames: list[Frame], beyond: list[Frame] | None = None) -> None:
        self.frames = tuple(frames)
        self.beyond = tuple(beyond or ())

    @classmethod
    def load(cls, path: Path = FRAMES_FILE) -> Frames:
        """Reads and compiles the file.

        Raises:
            ValueError: a frame without ``says``, a topic without ``name``, or a pattern
                that is no regular expression (the message names the frame and the pattern).
        """
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        frames = [_frame(path, key, spec) for key, spec in (data.get("frames") or {}).items()]
        beyond = [_frame(path, key, spec) for key, spec in (data.get("beyond") or {}).items()]
        for topic in beyond:
            if not topic.name:
                raise ValueError(f"{path.name}: topic {topic.intent!r} has no 'name'")
        return cls(frames, beyond)

    @property
    def intents(self) -> frozenset[str]:
        """The intents that have a frame."""
        return frozenset(frame.intent for frame in self.frames)

    def alone(self, intent: str) -> bool:
        """Whether ``intent``'s frame may decide a message both models declined."""
        return any(frame.alone for frame in self.frames if frame.intent == intent)

    def sure(self, intent: str, text: str | None) -> bool:
        """Whether ``text`` says words of ``intent``'s frame that leave no doubt (``sure``)."""
        folded = str(text or "").lower()
        return any(
            p.search(folded) for frame in self.frames if frame.intent == intent for p in frame.sure
        )

    def fitting(self, text: str | None) -> list[str]:
        """The intents whose frame ``text`` fits, in file order."""
        folded = str(text or "").lower()
        return [frame.intent for frame in self.frames if folded and frame.fits(folded)]

    def beyond_topic(self, text: str | None) -> Frame | None:
        """The first topic the robot does not serve that ``text`` fits, if any."""
        folded = str(text or "").lower()
        return next((topic for topic in self.beyond if folded and topic.fits(folded)), None)


def _frame(path: Path, key: Any, spec: Any) -> Frame:
    """One frame or topic of the file; a frame without ``says`` is an error."""
    spec = spec or {}
    says = _compiled(key, spec.get("says"))
    if not says:
        raise ValueError(f"{path.name}: frame {key!r} has no 'says' patterns")
    unless = _compiled(key, spec.get("unless"))
    sure = _compiled(key, spec.get("sure"))
    name, alone = str(spec.get("name") or ""), bool(spec.get("alone"))
    return Frame(str(key), says, unless, name, alone, sure)


def _compiled(intent: str, patterns: Any) -> tuple[re.Pattern[str], ...]:
    """Each pattern compiled; a bad one is an error that names the frame."""
    compiled = []
    for pattern in patterns or []:
        try:
            compiled.append(re.compile(expand(str(pattern))))
        except re.error as error:
            message = f"frames.yml: frame {intent!r}: bad pattern {pattern!r}: {error}"
            raise ValueError(message) from error
    return tuple(compiled)
