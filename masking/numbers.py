"""Phone numbers, national ID numbers, card and bank account numbers.

Phone numbers are found with libphonenumber's matcher for each region the jurisdiction serves, and again in
runs of digits however they are separated ("415 - 555 - 0123", "138 1234 5678", "1.3.8.1.2.3.4.5.6.7.8"),
kept only where libphonenumber says the number is valid there. ID and card numbers are kept only where their
checksum holds (python-stdnum): the CN resident ID, the US SSN, cards and bank accounts by Luhn, IBANs.
A number written after a word that says what it is ("身份证号", "SSN", "卡号", "account no.") is masked
whatever its checksum. Dates, times, street numbers and quantities fail all of these and stay.
"""

import re
from collections.abc import Iterable

import phonenumbers
from stdnum import iban, luhn
from stdnum.cn import ric
from stdnum.us import ssn

_SEPARATOR = r"[ \t\u00a0\-./()\u2013\u2014_]"
_RUN = re.compile(rf"(?<![\d])\+?\(?\d(?:{_SEPARATOR}{{0,3}}\d){{6,22}}(?:[Xx](?![A-Za-z]))?(?![\d])")
# Dates and times are blanked out before numbers are looked for, so that a date next to a number never
# makes a phone-number-shaped run ("N-43290 9/20/19", "2016-01-04 08:53").
_DATE_OR_TIME = re.compile(
    r"(?<!\d)(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.](?:\d{4}|\d{2})|\d{1,2}:\d{2}(?::\d{2})?)(?!\d)"
)
# A number right after one of these is a case, order or reference number, not a phone number.
_REFERENCE_BEFORE = re.compile(
    r"(?:#|(?i:\bno\.?|\bnos\.?|\bcase|\border|\bref|\brfa|\bsr|\bwo|\bticket|\bcomplaint|\bpermit|\bid)"
    r"|工单号?|编号|单号|案件号?|受理号|订单号?)\s*[#:：.]?\s*\(?$"
)
# A number after a word that says it is a phone number, even one no region's plan validates (a Shenzhen
# landline without its area code, "座机 26881234"); a city line among them is still kept.
_PHONE_NAMED = re.compile(
    r"(?:电话|座机|固话|手机号?码?|联系方式|联系电话|致电|(?i:\bphone|\btel\.?|\bmobile|\bcell|\bcall\s+me\s+(?:at|on)?))"
    rf"\s*(?:[:：#]|是|为|(?i:is|at|on))?\s*(\+?\(?\d(?:{_SEPARATOR}{{0,3}}\d){{6,16}})(?!\d)"
)
# A number half hidden by its writer ("138****5678") still gives seven digits away.
_STARRED = re.compile(r"(?<!\d)\d{3}[*xX＊]{3,5}\d{3,4}(?!\d)")
_SSN_SHAPE = re.compile(r"\d{3}[- ]\d{2}[- ]\d{4}")
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b")
# A number named for what it is: masked without a checksum (a mistyped ID still identifies its owner).
_NAMED = re.compile(
    r"(?:身份证(?:号码?)?|证件号(?:码)?|护照(?:号码?)?|港澳通行证|回乡证|驾驶证(?:号)?|驾照(?:号)?|社保(?:卡)?号?|"
    r"银行卡(?:号)?|信用卡(?:号)?|卡号|银行账号|账号|帐号|户号|(?i:ssn|social\s+security(?:\s+(?:number|no\.?))?"
    r"|passport(?:\s+(?:number|no\.?))?|driver'?s\s+licen[cs]e(?:\s+(?:number|no\.?))?|account\s+(?:number|no\.?)"
    r"|card\s+(?:number|no\.?)|routing\s+(?:number|no\.?)|iban|tax\s+id|ITIN|EIN))"
    r"\s*(?:[:：#=]|是|为|(?i:is))?\s*([A-Za-z]{0,2}\d[\dA-Za-z \-]{2,30}[\dA-Za-z])"
)


def _valid_phone(raw: str, regions: Iterable[str]) -> phonenumbers.PhoneNumber | None:
    for region in regions:
        try:
            number = phonenumbers.parse(raw, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return number
    return None


def _is_public(number: phonenumbers.PhoneNumber | None, digits: str, public_numbers: frozenset[str]) -> bool:
    if not public_numbers:
        return False
    candidates = {digits, digits.lstrip("0")}
    if number is not None:
        national = phonenumbers.national_significant_number(number)
        candidates |= {national, f"{number.country_code}{national}", "0" + national}
    return bool(candidates & public_numbers)


def _is_reference(view: str, start: int) -> bool:
    return bool(_REFERENCE_BEFORE.search(view[max(0, start - 30) : start]))


def _matcher_spans(view: str, regions: tuple[str, ...], public_numbers: frozenset[str]):
    for region in regions:
        if region not in phonenumbers.SUPPORTED_REGIONS:
            continue
        for match in phonenumbers.PhoneNumberMatcher(view, region, leniency=phonenumbers.Leniency.VALID):
            if _is_reference(view, match.start):
                continue
            if not _is_public(match.number, re.sub(r"\D", "", match.raw_string), public_numbers):
                yield match.start, match.end


def _run_is_personal(raw: str, regions: tuple[str, ...], public_numbers: frozenset[str], *, reference: bool) -> bool:
    digits = re.sub(r"[^\dXx]", "", raw).upper()
    if len(digits) == 18 and ric.is_valid(digits):
        return True
    if "X" in digits:
        return False
    if 12 <= len(digits) <= 19 and luhn.is_valid(digits):
        return True
    if _SSN_SHAPE.fullmatch(raw.strip()) and ssn.is_valid(digits):
        return True
    if reference:
        return False
    number = _valid_phone(raw.strip(), regions)
    if number is None and raw.lstrip().startswith("+"):
        # Written in international form, a number is someone's phone even where its range is not yet valid.
        try:
            number = phonenumbers.parse(raw.strip(), None)
        except phonenumbers.NumberParseException:
            return False
        if not phonenumbers.is_possible_number(number):
            return False
    return number is not None and not _is_public(number, digits, public_numbers)


def spans(view: str, *, regions: tuple[str, ...], public_numbers: frozenset[str]) -> list[tuple[int, int]]:
    undated = _DATE_OR_TIME.sub(lambda m: "~" * len(m.group(0)), view)
    found = list(_matcher_spans(undated, regions, public_numbers))
    for match in _RUN.finditer(undated):
        if _run_is_personal(match.group(0), regions, public_numbers, reference=_is_reference(undated, match.start())):
            found.append(match.span())
    for match in _PHONE_NAMED.finditer(undated):
        if not _is_reference(undated, match.start(1)) and not _is_public(
            None, re.sub(r"\D", "", match.group(1)), public_numbers
        ):
            found.append(match.span(1))
    found += [match.span() for match in _STARRED.finditer(view)]
    for match in _IBAN.finditer(view):
        if iban.is_valid(match.group(0)):
            found.append(match.span())
    for match in _NAMED.finditer(view):
        if sum(c.isdigit() for c in match.group(1)) >= 4:
            found.append(match.span(1))
    return found
