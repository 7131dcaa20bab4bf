"""A pattern scanned only where it can match: each `\\b`-led scan tries every position of a text (about 5 us for an
SMS), where a `str` test for what every match holds takes 0.1 us, and most texts hold none of most claims."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass


def holds(text: str, parts: tuple[str, ...]) -> bool:
    """Whether `text` holds any of `parts`."""
    return any(map(text.__contains__, parts))


@dataclass(frozen=True)
class Sieved:
    """A pattern and the strings one of which every match of it holds (tested on texts generated from the pattern):
    a text holding none is not scanned, with the same result."""

    pattern: re.Pattern
    needs: tuple[str, ...]

    def finditer(self, text: str) -> Iterator[re.Match]:
        return self.pattern.finditer(text) if holds(text, self.needs) else iter(())
