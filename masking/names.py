"""A writer's own name, named in English or in Chinese, and people named with a title.

English: "my name is Jane Doe", "I'm Jane", "I am Jane Doe", "name: Jane Doe", "Regards, Jane", "Mrs. Doe".
Chinese: "我叫王小明", "我是李娜", "本人张伟", "姓名：王芳", "联系人：陈先生", "我姓王", "王先生/李女士".
Chinese has no spaces, so a name is taken as its surname plus at most two characters, cut at the first
character that does not belong in a name; a following word that is not a name is what "我是" ("I am")
often introduces ("我是业主": I am the owner), so after 我是 and 本人 the first character must be a surname.
"""

import re

# The most common Chinese surnames (about 90% of people), single and compound.
SURNAMES = set(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
    "姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施"
    "文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷"
    "盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷"
    "晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝"
)
COMPOUND_SURNAMES = (
    "欧阳",
    "司马",
    "诸葛",
    "上官",
    "东方",
    "皇甫",
    "尉迟",
    "公孙",
    "慕容",
    "令狐",
    "夏侯",
    "长孙",
    "宇文",
    "司徒",
    "西门",
    "南宫",
    "端木",
    "独孤",
)
# Characters that end a name: grammar, verbs and words that follow a self-introduction.
_NOT_IN_NAME = set(
    "的是在住电手联我你他她家请，。、！？,.!?;；:：和与及也就要想有没不了啊呀吧呢哦嗯从到给被把对向打拨号"
)
_AFTER_NAME = (
    "小区",
    "楼",
    "栋",
    "门口",
    "附近",
    "业主",
    "居民",
    "市民",
    "先生",
    "女士",
    "小姐",
    "太太",
    "师傅",
    "阿姨",
    "同志",
    "老板",
    "老师",
    "微信",
    "邮箱",
    "地址",
    "电话",
    "手机",
    "这边",
    "这里",
)
_TITLES = "先生|女士|小姐|太太|师傅|阿姨|老师|同志|经理"

_HAN = "[\u4e00-\u9fff]"
_ZH_ANY = re.compile(rf"(?:我叫|我的名字是|我的名字叫|名叫|姓名|联系人|署名|落款)\s*[:：是为]?\s*({_HAN}{{2,4}})")
_ZH_SURNAME_FIRST = re.compile(rf"(?:我是|本人|我係|敝人)\s*[:：]?\s*({_HAN}{{2,4}})")
_ZH_SURNAME_ONLY = re.compile(rf"(?:我姓|(?<![百老])姓)\s*({_HAN})")
_ZH_TITLED = re.compile(rf"({_HAN}{{1,2}})(?:{_TITLES})")

_WORD = r"(?:[A-Z][a-z'’\-]+|[A-Z]\.|[A-Z][a-z]*[A-Z][a-z]+)"
_EN_NAME = rf"({_WORD}(?:\s+{_WORD}){{0,2}})"
_EN = re.compile(
    r"(?:(?i:\bmy\s+name\s+is|\bmy\s+name's|\bname\s*:|\bI'm|\bI’m|\bI\s+am|\bcall\s+me|\bsigned,?|\bregards,"
    r"|\bsincerely,|\bthanks,|\bthank\s+you,|\bcheers,)"
    r"|\b(?:Mr|Mrs|Ms|Miss|Mx)\.?)\s+" + _EN_NAME
)
# Capitalised words that follow "I'm"/"I am" without being a name.
_NOT_A_NAME = {
    "not",
    "so",
    "very",
    "really",
    "here",
    "there",
    "just",
    "also",
    "still",
    "sorry",
    "writing",
    "calling",
    "reporting",
    "concerned",
    "worried",
    "glad",
    "happy",
    "tired",
    "sick",
    "afraid",
    "sure",
    "unable",
    "able",
    "disabled",
    "elderly",
    "a",
    "an",
    "the",
    "at",
    "in",
    "on",
    "from",
    "with",
    "living",
    "resident",
    "owner",
    "tenant",
    "neighbor",
    "neighbour",
    "market",
    "mission",
    "city",
    "public",
    "works",
    "muni",
    "sf",
    "san",
    "street",
    "st",
    "avenue",
    "ave",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "today",
    "yesterday",
    "tomorrow",
    "this",
    "that",
    "it",
    "i",
    "we",
    "they",
}


def _chinese_name(start: int, text: str) -> tuple[int, int]:
    length = 2 if text[:2] in COMPOUND_SURNAMES else 1
    end = length
    while end < min(len(text), length + 2) and text[end] not in _NOT_IN_NAME and not text[end:].startswith(_AFTER_NAME):
        end += 1
    return (start, start + end) if end > length or length == 2 else (start, start + length)


def spans(view: str) -> list[tuple[int, int]]:
    found = []
    for match in _ZH_ANY.finditer(view):
        found.append(_chinese_name(match.start(1), match.group(1)))
    for match in _ZH_SURNAME_FIRST.finditer(view):
        candidate = match.group(1)
        if candidate[0] in SURNAMES or candidate[:2] in COMPOUND_SURNAMES:
            found.append(_chinese_name(match.start(1), candidate))
    for match in _ZH_SURNAME_ONLY.finditer(view):
        if match.group(1) in SURNAMES:
            found.append(match.span(1))
    for match in _ZH_TITLED.finditer(view):
        candidate = match.group(1)
        if candidate[-1] in SURNAMES:
            found.append((match.end(1) - 1, match.end(1)))
    for match in _EN.finditer(view):
        words = match.group(1).split()
        kept = []
        for word in words:
            if word.rstrip(".").lower() in _NOT_A_NAME:
                break
            kept.append(word)
        if kept:
            found.append((match.start(1), match.start(1) + len(" ".join(kept))))
    return found
