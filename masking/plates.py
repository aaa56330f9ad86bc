"""Licence plates, by the country of the jurisdiction's regions.

CN: a province character, the issuing office's letter and five or six characters ("粤B12345", "粤B·D12345",
"粤 B D12345"), or anything written after 车牌. US: plates have no shape of their own, so only what follows a
word that names a plate ("plate 7ABC123", "license plate: 8XYZ 456", "tag # ABC1234").
"""

import re

_CN = re.compile(
    r"[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼使领]\s*[A-HJ-NP-Za-hj-np-z]\s*[·•・.\-]?\s*"
    r"[A-HJ-NP-Za-hj-np-z0-9]{4,6}[挂学警港澳领]?(?![A-Za-z0-9])"
)
_CN_NAMED = re.compile(r"车牌(?:号码?)?\s*(?:[:：]|是|为)?\s*([\u4e00-\u9fffA-Za-z0-9·•・.\- ]{5,12}[A-Za-z0-9])")
_US_NAMED = re.compile(
    r"(?i:licen[cs]e\s+plates?|plates?|tags?|licen[cs]e)\s*(?:(?i:number|no\.?|num|#)\s*)?(?:[:#]|(?i:is|was|reads))?"
    r"\s*([A-Z0-9]{1,4}[ -]?[A-Z0-9]{1,5})(?![A-Za-z0-9])"
)


def _cn(view: str):
    for match in _CN.finditer(view):
        if any(c.isdigit() for c in match.group(0)):
            yield match.span()
    for match in _CN_NAMED.finditer(view):
        yield match.span(1)


def _us(view: str):
    for match in _US_NAMED.finditer(view):
        plate = match.group(1)
        if any(c.isdigit() for c in plate) and len(plate.replace(" ", "").replace("-", "")) >= 2:
            yield match.span(1)


BY_REGION = {"CN": _cn, "US": _us}


def spans(view: str, *, regions: tuple[str, ...]) -> list[tuple[int, int]]:
    return [span for region in regions if region in BY_REGION for span in BY_REGION[region](view)]
