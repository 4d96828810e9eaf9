"""The Bahasa Indonesia catalogue covers what the code marks for translation.

Texts marked with gettext_noop are translated only when shown (import row
errors, stored in no language), so a message id that makemessages did not
extract (say, marked through an alias it does not know) would stay English on
every Indonesian page without any other test noticing. And a text that
makemessages did extract but nobody translated (or only msgmerge guessed, as
fuzzy) is English on those pages too: Indonesian is the company default."""

import ast
from pathlib import Path

from django.utils import translation

ROOT = Path(__file__).resolve().parent.parent
APPS = ("switchboard", "directory", "calls", "messages_app", "reports")
CATALOGUE = ROOT / "locale" / "id" / "LC_MESSAGES" / "django.po"


def po_entries(path: Path) -> list[dict]:
    """The live entries of a .po file (not the header, not obsolete ones), each
    with its flags, msgctxt, msgid, msgid_plural and msgstr (a list, one per
    plural form). A reader of our own: polib is not a dependency."""
    entries, entry, field = [], None, None
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip():
            if entry is not None and entry["msgid"] and not entry["obsolete"]:
                entries.append(entry)
            entry = field = None
            continue
        if entry is None:
            entry = {
                "flags": set(),
                "obsolete": False,
                "msgctxt": None,
                "msgid": "",
                "msgid_plural": None,
                "msgstr": {},
            }
        if line.startswith("#,"):
            entry["flags"].update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#~"):
            entry["obsolete"] = True
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            text = ast.literal_eval(line)
            if isinstance(field, int):
                entry["msgstr"][field] += text
            else:
                entry[field] = (entry[field] or "") + text
        else:
            keyword, _, quoted = line.partition(" ")
            text = ast.literal_eval(quoted)
            if keyword.startswith("msgstr"):
                field = int(keyword[7:-1]) if "[" in keyword else 0
                entry["msgstr"][field] = text
            else:
                field = keyword
                entry[field] = text
    for entry in entries:
        entry["msgstr"] = [entry["msgstr"][form] for form in sorted(entry["msgstr"])]
    return entries


def noop_marked_texts() -> list[tuple[str, str]]:
    found = []
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Name)
                    and node.func.id == "gettext_noop"
                    and node.args
                    and isinstance(node.args[0], ast.Constant)
                ):
                    found.append((f"{path.relative_to(ROOT)}:{node.lineno}", node.args[0].value))
    return found


def test_every_text_marked_for_later_translation_has_an_indonesian_one():
    texts = noop_marked_texts()
    assert len(texts) > 20  # the import's row messages, at least

    with translation.override("id"):
        missing = [f"{where}: {text}" for where, text in texts if translation.gettext(text) == text]

    assert not missing, "not in locale/id (run make messages):\n" + "\n".join(missing)


def test_no_module_marks_texts_through_an_alias_makemessages_cannot_see():
    """makemessages finds gettext, gettext_lazy, ngettext, pgettext... by their
    names, and `_`; a text marked through any other name is never extracted."""
    aliased = []
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.ImportFrom) and node.module == "django.utils.translation":
                    for name in node.names:
                        if "gettext" in name.name and name.asname not in (None, "_"):
                            aliased.append(f"{path.relative_to(ROOT)}: as {name.asname}")
    assert not aliased


def test_every_text_in_the_indonesian_catalogue_is_translated_and_none_is_a_guess():
    """A new text without its Indonesian fails here (run make messages, then
    translate it); so does a fuzzy one, which msgfmt leaves out of the .mo."""
    entries = po_entries(CATALOGUE)
    assert len(entries) > 1000  # the whole catalogue was read

    untranslated = [e["msgid"] for e in entries if not e["msgstr"] or not all(e["msgstr"])]
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e["flags"]]

    assert not untranslated, "no Indonesian in locale/id:\n" + "\n".join(untranslated)
    assert not fuzzy, "fuzzy (check and clear the flag) in locale/id:\n" + "\n".join(fuzzy)


def test_the_compiled_catalogue_says_what_the_po_file_says():
    """The .mo is what pages use; one left behind after editing the .po (no
    compilemessages) shows the old text or English."""
    stale = []
    with translation.override("id"):
        for e in po_entries(CATALOGUE):
            context, msgid, plural = e["msgctxt"], e["msgid"], e["msgid_plural"]
            if plural and context is not None:
                shown = translation.npgettext(context, msgid, plural, 1)
            elif plural:
                shown = translation.ngettext(msgid, plural, 1)
            elif context is not None:
                shown = translation.pgettext(context, msgid)
            else:
                shown = translation.gettext(msgid)
            if shown != e["msgstr"][0]:
                stale.append(f"{msgid!r}: {shown!r}")

    assert not stale, "locale/id .mo differs from .po (run make messages):\n" + "\n".join(stale)
