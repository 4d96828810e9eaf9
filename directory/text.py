"""Search-key normalisation shared by saving and searching.

Both sides fold case and strip accents the same way, so "José", "jose" and "JOSE"
meet, on SQLite and PostgreSQL alike, without database extensions.
"""

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def fold(value: str) -> str:
    """Lower-case, accent-free, single-spaced text."""
    decomposed = unicodedata.normalize("NFKD", value or "")
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped.casefold()).strip()


def search_key(*parts: str) -> str:
    """A search column value: folded parts joined, with a leading space.

    The leading space lets "word starts with q" be written as LIKE '% q%', which a
    trigram index answers even for one or two characters.
    """
    return " " + " ".join(p for p in (fold(part) for part in parts) if p)


def split_terms(value: str) -> list[str]:
    """Comma- or newline-separated topics/aliases, trimmed, empties dropped."""
    return [term.strip() for term in re.split(r"[,\n;]", value or "") if term.strip()]
