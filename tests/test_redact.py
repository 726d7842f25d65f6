"""Personal data never survives redaction, however it is disguised, and the numbers a question needs (amounts,
years, dates, article numbers) always do."""

import time

import pytest

from assistant.redact import TOKENS, find, luhn, redact

PHONE, TEL, ID, CARD, MAIL = (TOKENS[k] for k in ("mobile", "landline", "id_card", "bank_card", "email"))

LEAKS = [
    # mobile numbers
    ("电话13812345678问一下", f"电话{PHONE}问一下"),
    ("手机 +86 138 1234 5678", f"手机 {PHONE}"),
    ("手机138-1234-5678", f"手机{PHONE}"),
    ("手机：１３８１２３４５６７８。", f"手机：{PHONE}。"),
    ("１３８－１２３４－５６７８", PHONE),
    ("+8613812345678", PHONE),
    ("0086 138 1234 5678", PHONE),
    ("(+86)138-1234-5678", PHONE),
    ("138.1234.5678", PHONE),
    ("一三八一二三四五六七八", PHONE),
    ("我电话幺三八 幺二三四 五六七八谢谢", f"我电话{PHONE}谢谢"),
    ("壹叁捌壹贰叁肆伍陆柒捌", PHONE),
    ("138一二三四5678", PHONE),
    ("①③⑧①②③④⑤⑥⑦⑧", PHONE),
    ("138\u200b1234\u200b5678", PHONE),
    ("手机(13812345678)", f"手机({PHONE})"),
    ("13812345678和13987654321", f"{PHONE}和{PHONE}"),
    ("13812345678 2021年开的店", f"{PHONE} 2021年开的店"),
    # mainland ID cards: 18 digits with a valid check character, or the old 15-digit form
    ("身份证110101199003074514", f"身份证{ID}"),
    ("身份证11010119900307002X。", f"身份证{ID}。"),
    ("11010119900307002x", ID),
    ("110101 19900307 4514", ID),
    ("１１０１０１１９９００３０７４５１４", ID),
    ("老身份证110101900307451", f"老身份证{ID}"),
    ("一一〇一〇一一九九〇〇三〇七四五一四", ID),
    # bank cards: 13-19 digits passing Luhn
    ("卡号6222021234567894", f"卡号{CARD}"),
    ("6222 0212 3456 7894", CARD),
    ("4111-1111-1111-1111", CARD),
    ("6217 0000 0000 0000 004", CARD),
    ("4222222222222", CARD),
    ("378282246310005", CARD),
    # landlines, with area code and extension
    ("座机010-12345678", f"座机{TEL}"),
    ("座机 0755 87654321", f"座机 {TEL}"),
    ("(010)12345678", TEL),
    ("（０２１）６２３４５６７８", TEL),
    ("010 1234 5678", TEL),
    ("0755-12345678转123请找王经理", f"{TEL}请找王经理"),
    ("0755-12345678-8001", TEL),
    ("+86 755 1234 5678", TEL),
    ("0755-1234567 ext. 12", TEL),
    # e-mail addresses, also spelled out
    ("邮箱 zhang.san+shop@mail.example.com.cn 谢谢", f"邮箱 {MAIL} 谢谢"),
    ("abc＠qq．com", MAIL),
    ("发到abc@qq。com。", f"发到{MAIL}。"),
    ("abc at qq dot com", MAIL),
    ("邮箱是 ABC AT QQ DOT COM", f"邮箱是 {MAIL}"),
    ("abc [at] qq [dot] com", MAIL),
    ("abc(at)163(dot)com", MAIL),
    ("abc艾特qq点com", MAIL),
    ("abc#qq.com", MAIL),
    ("abc(a)qq.com", MAIL),
    ("abc @ qq . com", MAIL),
    ("13812345678@163.com", MAIL),
]

KEPT = [
    "我一年流水120000元要登记吗",
    "一年卖10万要登记吗",
    "一年卖60000元要登记吗",
    "年交易额10万元以内",
    "营业额一百二十万",
    "流水13800000000元",  # eleven digits, but an amount
    "营业额￥13800000000",
    "2021年开的网店",
    "二〇二一年三月十八日开业",
    "2025-03-18修正的第十八条",
    "2021-03-18至2025-03-18",
    "《网络交易监督管理办法》第8条",
    "第十二条第二款",
    "第1、2、3条",
    "订单号 20261127",
    "订单号202403181234567890",  # 18 digits, but no birth date in it
    "自动续费前5日提醒",
    "价格1,299.00元",
    "邮编518000",
    "10:30到12:00",
    "版本 v1.2.3",
    "统一社会信用代码91350100M000100Y43",
    "我在 at 淘宝 看到的",
    "@客服 你好",
    "6222021234567891",  # card-like, fails Luhn
    "110101199003074515",  # ID-like, wrong check character
]


@pytest.mark.parametrize("text, expected", LEAKS)
def test_personal_data_is_replaced(text, expected):
    assert redact(text) == expected


@pytest.mark.parametrize("text", KEPT)
def test_amounts_dates_and_article_numbers_are_kept(text):
    assert redact(text) == text, find(text)


def test_the_table_covers_every_kind():
    assert len(LEAKS) + len(KEPT) >= 40
    assert {f.kind for text, _ in LEAKS for f in find(text)} == set(TOKENS)


@pytest.mark.parametrize("text, expected", LEAKS)
def test_redaction_is_idempotent(text, expected):
    assert redact(redact(text)) == expected


def test_amounts_survive_next_to_personal_data():
    text = "我一年流水120000元，2021年开的店，电话138 1234 5678，邮箱abc at qq dot com，第十八条怎么说"
    assert redact(text) == f"我一年流水120000元，2021年开的店，电话{PHONE}，邮箱{MAIL}，第十八条怎么说"


def test_kinds_and_spans_point_into_the_original_text():
    text = "手机１３８ １２３４ ５６７８，卡号6222021234567894"
    found = find(text)
    assert [f.kind for f in found] == ["mobile", "bank_card"], found
    assert text[found[0].start:found[0].end] == "１３８ １２３４ ５６７８"
    assert text[found[1].start:found[1].end] == "6222021234567894"


def test_none_and_empty():
    assert redact(None) is None and redact("") == ""


def test_luhn():
    assert luhn("4111111111111111") and not luhn("4111111111111112")


def test_hostile_length_stays_fast():
    for text in ("1 " * 1000, "1-" * 1000, "a" * 2000 + "@", "a at " * 400, "１" * 2000, "(" * 1000 + "1" * 1000):
        started = time.perf_counter()
        redact(text)
        assert time.perf_counter() - started < 1.0, text[:20]
