"""Views of free text in which identifiers written in disguise look like the plain ones.

Every character maps to exactly one character, so offsets found in a view are offsets in the original.
``normalise`` folds full-width digits, letters and signs (１３８, ＠, ．) to ASCII; ``with_digits`` also turns
Chinese numerals written digit by digit (一三八 ... 〇, 幺 for one as it is spoken, 壹贰叁) into digits.
"""

import unicodedata

_CHINESE_DIGITS = str.maketrans("〇零一二三四五六七八九幺壹贰叁肆伍陆柒捌玖", "001234567891123456789")


def normalise(text: str) -> str:
    out = []
    for char in text:
        plain = unicodedata.normalize("NFKC", char)
        out.append(plain if len(plain) == 1 else char)
    return "".join(out)


def with_digits(view: str) -> str:
    return view.translate(_CHINESE_DIGITS)
