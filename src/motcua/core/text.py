"""Vietnamese text: search that ignores diacritics ("nguyen van a" finds "Nguyễn Văn A") and
the alphabetical order of the Vietnamese alphabet."""

import functools
import re
import unicodedata

_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """Lower-case, strip diacritics (đ → d included) and collapse spaces."""
    text = (text or "").replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return _SPACES.sub(" ", stripped.lower()).strip()


# Vietnamese alphabetical order (a ă â b c d đ e ê … ư v x y); f j w z, used in foreign names, take
# their Latin places. Tones are a secondary difference, in dictionary order: none, huyền, hỏi, ngã,
# sắc, nặng — so "An" < "Àn" < "Anh" < "Ân". Databases cannot do this portably (SQLite compares
# bytes, PostgreSQL's collations depend on the server's ICU/locale), so lists shown to people are
# sorted in Python with this key.
_ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_LETTER = {letter: index for index, letter in enumerate(_ALPHABET)}
_BREVE, _CIRCUMFLEX, _HORN = "\u0306", "\u0302", "\u031b"
_MODIFIED = {
    ("a", _BREVE): "ă",
    ("a", _CIRCUMFLEX): "â",
    ("e", _CIRCUMFLEX): "ê",
    ("o", _CIRCUMFLEX): "ô",
    ("o", _HORN): "ơ",
    ("u", _HORN): "ư",
}
# grave (huyền), hook above (hỏi), tilde (ngã), acute (sắc), dot below (nặng)
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}


def _units(text: str) -> list[tuple[str, int, bool, str]]:
    """(base letter or character, tone, upper case, other marks) per character of `text`."""
    units: list[list] = []
    for ch in unicodedata.normalize("NFD", text):
        if unicodedata.combining(ch) and units:
            unit = units[-1]
            if ch in _TONES:
                unit[1] = _TONES[ch]
            elif (unit[0], ch) in _MODIFIED:
                unit[0] = _MODIFIED[(unit[0], ch)]
            else:
                unit[3] += ch
        else:
            units.append([ch.lower(), 0, ch != ch.lower(), ""])
    return [tuple(unit) for unit in units]


def _primary(base: str) -> tuple[int, int]:
    # Spaces and punctuation first (so "An Bình" < "Anh"), then digits, letters, anything else.
    if base in _LETTER:
        return (2, _LETTER[base])
    if base.isdigit():
        return (1, ord(base))
    if base.isalpha():
        return (3, ord(base))
    return (0, ord(base))


@functools.lru_cache(maxsize=8192)
def vi_sort_key(text: str) -> tuple:
    """Sort key for Vietnamese text: letters first (Vietnamese alphabet), then tones, then other
    marks, then case (lower first); the text itself breaks any remaining tie, so the order is total.
    Kept for the last few thousand texts: the same unit, field and procedure names are sorted on
    every page that lists them."""
    text = text or ""
    units = _units(text)
    return (
        tuple(_primary(base) for base, _tone, _upper, _other in units),
        tuple(tone for _base, tone, _upper, _other in units),
        tuple(other for _base, _tone, _upper, other in units),
        tuple(upper for _base, _tone, upper, _other in units),
        unicodedata.normalize("NFC", text),
        text,
    )


def vi_sorted(items, *, key=lambda item: item.name) -> list:
    """`items` in Vietnamese order of `key(item)` (by default the item's name)."""
    return sorted(items, key=lambda item: vi_sort_key(str(key(item))))
