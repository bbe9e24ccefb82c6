"""Finding a rule's trigger as a word of the text, not inside a longer name.

A CST rule fires on names: an import, a reference, an attribute, a string
annotation. Each spells the trigger as a whole identifier, so a file where
it occurs only inside longer identifiers (``Tracker`` in ``ResourceTracker``,
``uuid`` in ``__darwin_uuid_t``) cannot trigger the rule and need not reach
libcst. A substring search finds the candidates; the characters around each
decide (identifier characters as Python defines them, Unicode included).
"""

from __future__ import annotations

_ASCII_WORD = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")


def _continues_name(char: str) -> bool:
    if char.isascii():
        return ord(char) in _ASCII_WORD
    return ("a" + char).isidentifier()


def has_word(text: str, word: str) -> bool:
    """Whether ``word`` occurs in ``text`` with no identifier character right
    before or after it."""
    size = len(word)
    start = text.find(word)
    while start != -1:
        end = start + size
        if (start == 0 or not _continues_name(text[start - 1])) and (
            end == len(text) or not _continues_name(text[end])
        ):
            return True
        start = text.find(word, start + 1)
    return False


def has_word_in_utf8(data: bytes, word: str) -> bool:
    """``has_word`` on UTF-8 bytes, undecoded. A neighbouring byte outside
    ASCII belongs to a character not decoded here, which may or may not
    continue a name: counted as a boundary, so the answer errs only towards
    "found" (the rule then runs and decides)."""
    needle = word.encode("utf-8")
    size = len(needle)
    start = data.find(needle)
    while start != -1:
        end = start + size
        if (start == 0 or data[start - 1] not in _ASCII_WORD) and (
            end == len(data) or data[end] not in _ASCII_WORD
        ):
            return True
        start = data.find(needle, start + 1)
    return False
