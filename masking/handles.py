"""Emails and messaging handles, plain and in their common disguises.

"name@qq.com", "name(at)qq(dot)com", "name [at] gmail [dot] com", "name at gmail dot com", "name艾特qq点com";
微信/WeChat/QQ/WhatsApp/Telegram/LINE ids after their name ("加微信 zhang_88", "QQ号：12345678", "vx: abc123");
and a bare "@handle".
"""

import re

_OPEN, _CLOSE = r"[(\[{<（【「]", r"[)\]}>）】」]"
_AT = rf"(?:\s*@\s*|\s*{_OPEN}\s*(?:at|AT|At|艾特|圈a)\s*{_CLOSE}\s*|\s*(?:艾特|圈a)\s*)"
_DOT = rf"(?:\s*\.\s*|\s*{_OPEN}\s*(?:dot|DOT|Dot|点)\s*{_CLOSE}\s*|\s*点\s*)"
_LOCAL = r"[A-Za-z0-9][A-Za-z0-9._%+-]*"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"

_EMAIL = re.compile(
    rf"(?<![A-Za-z0-9._%+-]){_LOCAL}{_AT}{_LABEL}(?:{_DOT}{_LABEL})*{_DOT}[A-Za-z]{{2,24}}(?![A-Za-z0-9])"
)
# "jane at gmail dot com": plain words are common English, so a known mail domain ending is required.
_TLDS = r"(?:com|net|org|edu|gov|cn|io|me|co|us|uk|hk|tw|info|biz|mail)"
_SPOKEN_EMAIL = re.compile(
    rf"(?<![A-Za-z0-9._%+-]){_LOCAL}\s+(?i:at)\s+{_LABEL}(?:\s+(?i:dot)\s+{_LABEL})*\s+(?i:dot)\s+(?i:{_TLDS})\b"
)

# A messaging app's name, then its id. Ambiguous English words ("line", "signal") count only as "LINE"/"Line ID".
_APPS = (
    r"微信号?|微信|威信|薇信|维信|V信|v信|加[Vv]|vx|VX|Vx|wx|WX|(?i:wechat|weixin)|QQ号?|qq号?|扣扣|企鹅号?"
    r"|(?i:whatsapp|telegram|viber|skype|kakao(?:talk)?|instagram|snapchat|twitter)|TG|LINE|Line ID|line id"
    r"|抖音号?|快手号?|小红书号?|微博"
)
_HANDLE = re.compile(
    rf"(?:{_APPS})\s*(?:(?i:id|号码|账号|號)\s*)?(?:[:：=＝]|是|为|為|(?i:is))?\s*(@?[A-Za-z0-9][A-Za-z0-9_.-]{{3,39}})"
)
_BARE_HANDLE = re.compile(r"(?<![A-Za-z0-9._%+-])@[A-Za-z_][A-Za-z0-9_.]{2,29}(?![A-Za-z0-9_])")


def spans(view: str, *, public_emails: frozenset[str] = frozenset()) -> list[tuple[int, int]]:
    found = [
        m.span()
        for pattern in (_EMAIL, _SPOKEN_EMAIL, _BARE_HANDLE)
        for m in pattern.finditer(view)
        if m.group(0).lower() not in public_emails
    ]
    for match in _HANDLE.finditer(view):
        handle = match.group(1)
        # An id has a digit or an underscore, or is written right after "id"/":": not a following English word.
        if any(c.isdigit() or c == "_" for c in handle) or re.search(
            r"[:：=＝是为為]|(?i:id|号)\s*$", view[match.start() : match.start(1)]
        ):
            found.append(match.span(1))
    return found
