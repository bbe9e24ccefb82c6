"""Finding a rule's trigger as a word of the text, not inside a longer name.

A CST rule fires on names: an import, a reference, an attribute, a string
annotation. Each spells the trigger as a whole identifier, so a file where
it occurs only inside longer identifiers (``Tracker`` in ``ResourceTracker``,
``uuid`` in ``__darwin_uuid_t``) cannot trigger the rule and need not reach
libcst. A substring search finds the candidates; the characters around each
decide (identifier characters as Python defines them, Unicode included).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import AnyStr

_ASCII_WORD = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")


def _continues_name(char: str) -> bool:
    if char.isascii():
        return ord(char) in _ASCII_WORD
    return ("a" + char).isidentifier()


def has_word(text: str, word: str) -> bool:
    """Whether ``word`` occurs in ``text`` with no identifier character right
    before or after it."""
    return _find_word(text, word, lambda i: _continues_name(text[i]))


def has_word_in_utf8(data: bytes, word: str) -> bool:
    """``has_word`` on UTF-8 bytes, undecoded. A neighbouring byte outside
    ASCII belongs to a character not decoded here, which may or may not
    continue a name: counted as a boundary, so the answer errs only towards
    "found" (the rule then runs and decides)."""
    return _find_word(data, word.encode("utf-8"), lambda i: data[i] in _ASCII_WORD)


def _find_word(haystack: AnyStr, needle: AnyStr, continues_name: Callable[[int], bool]) -> bool:
    """The search both share (``str`` or ``bytes``): each occurrence of
    ``needle``, until one whose neighbours do not ``continues_name``."""
    size, length = len(needle), len(haystack)
    start = haystack.find(needle)
    while start != -1:
        end = start + size
        if (start == 0 or not continues_name(start - 1)) and (
            end == length or not continues_name(end)
        ):
            return True
        start = haystack.find(needle, start + 1)
    return False
