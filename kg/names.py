"""Names as people search them: one normal form for stored names and for what is typed.

    key("Ministère de l'Intérieur")   -> "ministere de l interieur"
    key("  IMMIGRATION-service ")     -> "immigration service"
    acronym_key("G.I.S.")             -> "gis"

Case (full case folding), accents and other combining marks, and punctuation are ignored:
every run of characters that are neither letters nor digits becomes one space. Ligatures and
compatibility forms are decomposed (NFKD: "ﬁ" -> "fi"), and the letters NFKD keeps whole get
their usual spelling ("œ" -> "oe", "æ" -> "ae", "ø" -> "o", "ł" -> "l", "đ" -> "d").
Used at import time to precompute each entity's name keys (kg.figures) and by the `name`
parameter type of named queries (kg.query.params), so both sides always agree.
"""

from __future__ import annotations

import re
import unicodedata

_SPELLED = str.maketrans({"œ": "oe", "æ": "ae", "ø": "o", "ł": "l", "đ": "d", "ð": "d",
                          "þ": "th", "ı": "i", "ŧ": "t", "ħ": "h"})
_NOT_WORD = re.compile(r"[\W_]+")


def key(text: str) -> str:
    """The searchable form of a name: lower case, no accents, words separated by one space."""
    folded = unicodedata.normalize("NFKD", text.casefold()).translate(_SPELLED)
    bare = "".join(c for c in folded if not unicodedata.combining(c))
    return _NOT_WORD.sub(" ", bare).strip()


def acronym_key(text: str) -> str:
    """An acronym's searchable form: key() with no spaces at all ("G.I.S." -> "gis")."""
    return key(text).replace(" ", "")
