"""Telephone numbers as the whole project reads them: the console, the call log's
filters, the admin searches and the directory importer all call this module, so a
number typed or imported any way an Indonesian writes it ends up as the same E.164.

Every app may import it (it imports no app): `directory` reads phones here without
importing `calls`.
"""

import re
from dataclasses import dataclass

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

EXTENSION_MAX_DIGITS = 8

# "021-5551234 ext 12", "… ext. 12", "… x12", "… #12", and the Indonesian forms
# "psw. 12" / "pes 12" (pesawat: an extension). phonenumbers knows the English
# markers but reads "psw" as keypad letters (779), so the marker is split off here,
# before the number is parsed. The marker must follow a space or a digit, so the
# "x" inside a word is never taken for one.
_EXTENSION = re.compile(
    rf"""(?:(?<=[0-9])|\s)\s*
        (?:ext(?:ension)?|pesawat|psw|pes|x|\#)\.?\s*[:.]?\s*
        (?P<extension>[0-9]{{1,{EXTENSION_MAX_DIGITS}}})\s*$""",
    re.IGNORECASE | re.VERBOSE,
)

INVALID_MESSAGE = _("Enter a valid phone number, e.g. 0812-3456-7890 or (021) 555-1234.")


@dataclass(frozen=True)
class Phone:
    """A parsed number: the main number as E.164 and the extension asked for ("" if none)."""

    e164: str
    extension: str = ""


def _region() -> str:
    return getattr(settings, "PHONENUMBER_DEFAULT_REGION", None) or "ID"


def split_extension(raw: str) -> tuple[str, str]:
    """("021-5551234", "12") for "021-5551234 ext 12"; (raw, "") without an extension."""
    raw = (raw or "").strip()
    match = _EXTENSION.search(raw)
    if match is None or not raw[: match.start()].strip():
        return raw, ""
    return raw[: match.start()].strip(), match.group("extension")


def parse_phone(raw: str) -> Phone:
    """Any way a number is written in Indonesia ("0812-3456-7890", "+62 812…",
    "62812…", "(021) 555-1234", dots, slashes, "… ext 12", "… psw. 12") as its
    E.164 main number and its extension, or ValidationError (code "invalid")."""
    main, extension = split_extension(raw)
    # Indonesians write national numbers with the trunk 0; digits that start with
    # the country code (62812…, 62215551234) are international without the "+".
    # Read as national, they would become +6262… (a valid-looking wrong number).
    candidates = [f"+{main}", main] if main.startswith("62") else [main]
    for candidate in candidates:
        try:
            number = phonenumbers.parse(candidate, _region())
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
            # phonenumbers reads "ext"/"x"/"#"/";" itself when the regex did not.
            extension = extension or (number.extension or "")
            if len(extension) > EXTENSION_MAX_DIGITS:
                break  # no extension is that long: a mistyped number
            return Phone(e164=e164, extension=extension)
    raise ValidationError(INVALID_MESSAGE, code="invalid")


def parse_phone_number(raw: str) -> str:
    """The E.164 main number of `raw` (an extension is dropped: the caller's
    number is the main one; use parse_phone to keep it), or ValidationError."""
    return parse_phone(raw).e164


def phone_e164(value) -> str:
    """A stored number (a PhoneNumber, or its text) as E.164; "" for none."""
    if not value:
        return ""
    return getattr(value, "as_e164", None) or str(value)


def phone_display(value) -> str:
    """A stored number as people write it: national format at home
    ("0812-3456-7890"), E.164 abroad; "" for none, the text itself if unreadable."""
    if not value:
        return ""
    number = getattr(value, "_phonenumber", None) or value
    if isinstance(number, str):
        try:
            number = phonenumbers.parse(number, _region())
        except phonenumbers.NumberParseException:
            return str(value)
    home = phonenumbers.country_code_for_region(_region())
    try:
        if number.country_code == home:
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    except AttributeError:
        return str(value)


def phone_display_e164(e164: str) -> str:
    """phone_display of a number stored as E.164 text, without parsing it
    (most of the cost per number on a list of fifty): a home number is split
    off its country code and formatted; anything else goes through
    phone_display."""
    if not e164:
        return ""
    home = phonenumbers.country_code_for_region(_region())
    prefix = f"+{home}"
    rest = e164[len(prefix) :]
    if e164.startswith(prefix) and rest.isascii() and rest.isdigit() and rest[0] != "0":
        number = phonenumbers.PhoneNumber(country_code=home, national_number=int(rest))
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phone_display(e164)
