"""Small pieces of English shared by summaries, reasoning and texts."""

from __future__ import annotations


def plural(count: int, word: str) -> str:
    """`1 seat`, `3 seats`, `0 guests`."""
    return f"{count} {word}{'' if count == 1 else 's'}"


def join_words(items: list[str], limit: int | None = None) -> str:
    """`["a", "b", "c"]` -> `a, b and c`."""
    items = [str(item) for item in items if item][:limit]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" and {items[-1]}"
