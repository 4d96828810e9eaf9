"""switchboard.phones: the one reader of telephone numbers for every app."""

import ast
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from switchboard.phones import (
    Phone,
    parse_phone,
    parse_phone_number,
    phone_display,
    phone_display_e164,
    phone_e164,
    split_extension,
)

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("written", "e164"),
    [
        ("62215551234", "+62215551234"),  # country code without "+": not +6262…
        ("6281234567890", "+6281234567890"),
        ("62 812 3456 7890", "+6281234567890"),
        ("0812-3456-7890", "+6281234567890"),
        ("0812.3456.7890", "+6281234567890"),
        ("+62 21 555 1234", "+62215551234"),
        ("(021) 555-1234", "+62215551234"),
        ("021/5551234", "+62215551234"),
        ("  081234567890  ", "+6281234567890"),
        ("+65 9123 4567", "+6591234567"),
    ],
)
def test_every_way_of_writing_a_number_gives_one_e164(written, e164):
    assert parse_phone(written) == Phone(e164=e164)
    assert parse_phone_number(written) == e164


@pytest.mark.parametrize(
    "written",
    [
        "021-5551234 ext 12",
        "021-5551234 ext. 12",
        "021-5551234 EXT12",
        "021-5551234 extension 12",
        "021-5551234 x12",
        "021-5551234 x 12",
        "021-5551234 #12",
        "021-5551234 psw 12",
        "021-5551234 psw. 12",
        "021-5551234 Psw.12",
        "021-5551234 pes. 12",
        "021-5551234 pesawat 12",
        "0215551234;12",
        "62215551234 ext 12",
    ],
)
def test_the_extension_is_kept_apart_from_the_main_number(written):
    assert parse_phone(written) == Phone(e164="+62215551234", extension="12")
    assert parse_phone_number(written) == "+62215551234"


def test_split_extension_leaves_a_number_without_one_alone():
    assert split_extension("0812-3456-7890") == ("0812-3456-7890", "")
    assert split_extension("ext 12") == ("ext 12", "")  # no number before it
    assert split_extension("021 555 1234 psw 4") == ("021 555 1234", "4")


@pytest.mark.parametrize(
    "written",
    ["", "12", "abc", "ext 12", "021-5551234 ext 123456789", "0812-3456-7890-1234-5678", "²³"],
)
def test_a_number_that_is_not_one_is_refused(written):
    with pytest.raises(ValidationError) as refused:
        parse_phone(written)
    assert refused.value.code == "invalid"


def test_stored_numbers_shown_national_at_home_and_e164_abroad():
    from phonenumber_field.phonenumber import PhoneNumber

    assert phone_display(PhoneNumber.from_string("+6281234567890")) == "0812-3456-7890"
    assert phone_display("+62215551234") == "(021) 5551234"
    assert phone_display(PhoneNumber.from_string("+6591234567")) == "+6591234567"
    assert phone_display("") == phone_display(None) == ""
    assert phone_e164(PhoneNumber.from_string("+6281234567890")) == "+6281234567890"
    assert phone_e164("") == ""


@pytest.mark.parametrize(
    "stored",
    ["+6281234567890", "+62215551234", "+62361223344", "+6591234567", "+14155550123", "junk", ""],
)
def test_a_stored_number_is_shown_the_same_without_being_parsed(stored):
    assert phone_display_e164(stored) == phone_display(stored)


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_the_parser_imports_no_app_and_the_directory_does_not_import_calls():
    assert not _imports(ROOT / "switchboard" / "phones.py") & {
        "calls",
        "directory",
        "messages_app",
        "reports",
    }
    for path in (ROOT / "directory").rglob("*.py"):
        assert "calls" not in _imports(path), path
