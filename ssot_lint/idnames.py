"""When does a name look like an identifier? (SSOT002)

Pure functions on strings, so the rule's vocabulary can be tested on its own.

A name is split into words on ``_``, ``-``, ``.`` and whitespace, and each
part made only of ASCII letters and digits is split further on camelCase
boundaries (``requestID`` -> request, ID; ``URLId`` -> URL, Id). An acronym
followed by a lower-case plural ``s`` stays one word (``userIDs`` -> user,
IDs). Trailing all-digit words are ignored (``user_id_2``). A part holding
any other character (``trace:id``) is one word: only the four separators
above split names.
"""

from __future__ import annotations

import re

ID_WORDS = frozenset({"id", "ids", "uuid", "guid"})
_SEPARATORS = re.compile(r"[_\-.\s]+")
_ALNUM = re.compile(r"[A-Za-z0-9]+")
# Order matters: a plural acronym (IDs) before an acronym that precedes a
# capitalised word (URL in URLId), then ordinary words, bare acronyms, digits.
_CAMEL_WORD = re.compile(r"[A-Z]+s(?![a-z])|[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")


def split_words(name: str) -> list[str]:
    """The words of ``name``, in order, as written (case kept)."""
    words: list[str] = []
    for part in _SEPARATORS.split(name):
        if not part:
            continue
        if _ALNUM.fullmatch(part):
            words.extend(_CAMEL_WORD.findall(part))
        else:
            words.append(part)
    return words


def significant_words(name: str) -> list[str]:
    """``split_words`` without the trailing all-digit words (``run_id_2`` -> run, id)."""
    words = split_words(name)
    while words and words[-1].isdigit():
        words.pop()
    return words


def is_id_like(name: str) -> bool:
    """Is the last word ``id``, ``ids``, ``uuid`` or ``guid`` (any case)?"""
    words = significant_words(name)
    return bool(words) and words[-1].lower() in ID_WORDS


def id_kind(name: str) -> str | None:
    """The ID kind a name denotes: the word before its last word, upper-cased.

    ``execution_id`` -> ``EXECUTION``, ``X-Request-ID`` -> ``REQUEST``,
    ``runId`` -> ``RUN``; None when the name is not ID-like or has one word.
    """
    words = significant_words(name)
    if len(words) < 2 or words[-1].lower() not in ID_WORDS:
        return None
    return words[-2].upper()


def is_id_factory_name(name: str) -> bool:
    """Does a function name look like it makes IDs?

    Leading underscores are dropped, then the spec's patterns are applied
    word by word, so the camelCase spellings count too:

    * ``*_id`` / ``*_ids`` - at least two words, the last ``id``/``ids``
      (``execution_id``, ``anonymous_user_id``, ``executionId``, ``run_ids``);
    * ``generate_*`` - first word ``generate`` and at least one more
      (``generate_trace``, ``generateToken``);
    * ``new_*id`` / ``make_*id`` - first word ``new``/``make`` and an ID word
      last (``new_id``, ``make_run_id``, ``new_uuid``, ``makeGuid``).

    Words, not raw text: ``new_valid`` and ``make_paid`` are not ID factories.
    """
    words = [w.lower() for w in significant_words(name.lstrip("_"))]
    if len(words) < 2:
        return False
    first, last = words[0], words[-1]
    if last in ("id", "ids") or first == "generate":
        return True
    return first in ("new", "make") and last in ("uuid", "guid")
