import pytest

from masking import MASK, mask_personal_identifiers

DEPARTMENT_PHONE = frozenset({"4155550100"})


@pytest.mark.parametrize(
    "text",
    [
        "Call me on 415-555-0123 after six",
        "my number is (415) 555 0123",
        "text +1 415 555 0123",
        "write to jane.doe+311@example.org please",
    ],
)
def test_a_residents_email_or_phone_is_masked(text):
    masked = mask_personal_identifiers(text, public_numbers=DEPARTMENT_PHONE)
    assert MASK in masked and "0123" not in masked and "@example.org" not in masked


@pytest.mark.parametrize(
    "text",
    [
        "Crew sent. Questions? Call Public Works at 415-555-0100.",  # the department's own public number
        "Closed under work order #4417852.",  # a work-order number, not a person
        "Scheduled for 2026-12-03, crew of 3.",  # a date
        "Pothole 40 cm wide at 1200 Market St.",  # measurements and an address
    ],
)
def test_what_staff_notes_legitimately_contain_is_kept(text):
    assert mask_personal_identifiers(text, public_numbers=DEPARTMENT_PHONE) == text


SHENZHEN = ("CN", "HK")
SHENZHEN_LINES = frozenset({"12345", "075512345"})


@pytest.mark.parametrize(
    "text, needle",
    [
        ("我叫王小明，电话13812345678", "13812345678"),
        ("我叫王小明，电话13812345678", "小明"),
        ("手机：138 1234 5678", "1234 5678"),
        ("手机：138-1234-5678", "1234-5678"),
        ("手机一三八一二三四五六七八", "一二三四五六七八"),
        ("电话１３８１２３４５６７８", "１２３４５６７８"),
        ("+86 138 1234 5678", "1234 5678"),
        ("固话0755-8888 6666", "8888 6666"),
        ("香港号码 9123 4567", "9123 4567"),
        ("身份证号11010519491231002X", "1231002X"),
        ("身份证号码：440301 1990 0101 1234", "1234"),
        ("银行卡6222 0212 3456 7890 128", "7890 128"),
        ("邮箱zhang(at)qq.com", "zhang"),
        ("邮箱 zhang【at】qq【dot】com", "zhang"),
        ("lisi艾特163点com", "lisi"),
        ("加微信 zhang_88 谢谢", "zhang_88"),
        ("微信号：wangfang2024", "wangfang2024"),
        ("QQ：12345678", "12345678"),
        ("本人张伟", "张伟"),
        ("我是李娜，住在3栋", "李娜"),
        ("姓名：欧阳娜娜", "娜娜"),
        ("我姓王", "王"),
        ("车牌粤B12345在门口", "B12345"),
        ("粤B·D12345停在这里", "D12345"),
        ("车牌号是 粤 B 6E3K9", "6E3K9"),
        ("座机 26881234", "26881234"),  # a local landline without its area code
        ("手机138****5678", "5678"),  # half hidden by the writer
        ("加V：zhangsan", "zhangsan"),
    ],
)
def test_identifiers_written_in_chinese_are_masked(text, needle):
    masked = mask_personal_identifiers(text, regions=SHENZHEN, public_numbers=SHENZHEN_LINES)
    assert MASK in masked and needle not in masked


@pytest.mark.parametrize(
    "text, needle",
    [
        ("phone 415 - 555 - 0123 please", "0123"),
        ("call 4 1 5 5 5 5 0 1 2 3", "0 1 2 3"),
        ("call 415.555.0123", "0123"),
        ("call ４１５５５５０１２３", "０１２３"),
        ("jane at gmail dot com", "jane"),
        ("jane [at] gmail [dot] com", "jane"),
        ("My name is Jane Doe", "Jane"),
        ("I'm Rosalind Pike, the neighbour", "Rosalind"),
        ("Regards, Jane", "Jane"),
        ("card 4111 1111 1111 1111", "1111 1111"),
        ("SSN 536-22-8726", "8726"),
        ("account number: 000123456789", "456789"),
        ("plate 7ABC123 blocking", "7ABC123"),
        ("Telegram: @jdoe_sf", "jdoe_sf"),
        ("WhatsApp +44 7700 900123", "900123"),
    ],
)
def test_identifiers_written_in_english_in_disguise_are_masked(text, needle):
    masked = mask_personal_identifiers(text, regions=("US",), public_numbers=DEPARTMENT_PHONE)
    assert MASK in masked and needle not in masked


@pytest.mark.parametrize(
    "text",
    [
        "请拨打12345热线或0755-12345咨询",  # the city's own lines
        "我是业主，2024年3月5日14:30发现的",  # "I am the owner", a date and a time
        "路灯坏了3盏，已经5天，在深南大道6008号",  # quantities and a street number
        "我是附近居民，老百姓很关心",  # no name follows 我是; 姓 inside 百姓
        "井盖缺失约60厘米，2号线出口B",  # a measure and a metro exit
        "Dark since 10:30 pm on 11/24/2026, 3 lamps out at 1200-1300 Market St.",
        "Closed under field order# 6177764006 on 9/20/19.",  # a work-order number after "#"
        "I'm not sure, maybe 40 ft. I am Worried about kids.",
    ],
)
def test_ordinary_report_text_in_both_languages_is_kept(text):
    regions = SHENZHEN if any("\u4e00" <= c <= "\u9fff" for c in text) else ("US",)
    assert mask_personal_identifiers(text, regions=regions, public_numbers=SHENZHEN_LINES) == text


def test_a_citys_published_email_stays():
    text = "Follow up with municustomerservice@sfmta.com or jane@example.org"
    masked = mask_personal_identifiers(
        text, regions=("US",), public_emails=frozenset({"municustomerservice@sfmta.com"})
    )
    assert masked == f"Follow up with municustomerservice@sfmta.com or {MASK}"
