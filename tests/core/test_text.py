"""The Vietnamese sort key: a total order, the Vietnamese alphabet first, tones second."""

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from motcua.core.text import vi_sort_key, vi_sorted

LETTERS = "aăâbcdđeêghiklmnoôơpqrstuưvxy"
TONES = ["", "\u0300", "\u0309", "\u0303", "\u0301", "\u0323"]  # none, huyền, hỏi, ngã, sắc, nặng
VOWELS = "aăâeêioôơuưy"


def toned(letter: str, tone: str) -> str:
    return unicodedata.normalize("NFC", letter + tone)


syllable_chars = st.builds(
    toned, st.sampled_from(LETTERS + LETTERS.upper() + " "), st.sampled_from(TONES)
)
words = st.lists(syllable_chars, max_size=8).map("".join)
any_text = st.one_of(words, st.text(max_size=8))


def untoned(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFC", "".join(ch for ch in decomposed if ch not in TONES[1:]))


@given(any_text, any_text)
def test_the_order_is_total_and_antisymmetric(a, b):
    ka, kb = vi_sort_key(a), vi_sort_key(b)
    assert (ka == kb) == (a == b)
    assert (ka < kb) + (kb < ka) + (ka == kb) == 1


@given(any_text, any_text, any_text)
def test_the_order_is_transitive(a, b, c):
    x, y, z = sorted([a, b, c], key=vi_sort_key)
    assert vi_sort_key(x) <= vi_sort_key(y) <= vi_sort_key(z)
    assert vi_sort_key(x) <= vi_sort_key(z)


@given(st.lists(any_text, max_size=10), st.randoms())
def test_sorting_does_not_depend_on_the_input_order(items, random):
    shuffled = list(items)
    random.shuffle(shuffled)
    assert vi_sorted(items, key=str) == vi_sorted(shuffled, key=str)


@given(words, st.sampled_from(VOWELS), st.sampled_from(TONES[1:]), words)
def test_a_letter_without_tone_comes_before_the_same_letter_with_one(before, vowel, tone, after):
    assert vi_sort_key(before + vowel + after) < vi_sort_key(before + toned(vowel, tone) + after)


@given(words, words)
def test_tones_only_decide_between_words_with_the_same_letters(a, b):
    # Words that differ in their letters are ordered by letters, whatever their tones.
    if untoned(a).lower() != untoned(b).lower():
        by_letters = vi_sort_key(untoned(a).lower()) < vi_sort_key(untoned(b).lower())
        assert (vi_sort_key(a) < vi_sort_key(b)) == by_letters


@given(st.sampled_from(VOWELS))
def test_tones_follow_the_dictionary_order(vowel):
    forms = [toned(vowel, tone) for tone in TONES]
    assert vi_sorted(reversed(forms), key=str) == forms


def test_the_vietnamese_alphabet_order():
    assert vi_sorted(list(reversed(LETTERS)), key=str) == list(LETTERS)


def test_examples_from_unit_names():
    assert vi_sort_key("Đông Kỳ") < vi_sort_key("Văn Tố")  # byte order puts Đ after V
    assert vi_sort_key("Dương Quang") < vi_sort_key("Đông Kỳ")  # d before đ
    assert vi_sort_key("An") < vi_sort_key("Ân")
    assert vi_sort_key("Anh") < vi_sort_key("Ân")  # â is a letter of its own, after a
    assert vi_sort_key("An Bình") < vi_sort_key("Anh")  # word by word
    assert vi_sort_key("ba") < vi_sort_key("bà") < vi_sort_key("bá") < vi_sort_key("bac")
    assert vi_sort_key("Ơn") > vi_sort_key("Ôn") > vi_sort_key("On")
    assert vi_sort_key("xã 2") < vi_sort_key("xã A")  # digits before letters
    assert vi_sort_key("an") < vi_sort_key("An")  # case last
