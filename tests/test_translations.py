"""The Bahasa Indonesia catalogue covers what the code marks for translation.

Texts marked with gettext_noop are translated only when shown (import row
errors, stored in no language), so a message id that makemessages did not
extract (say, marked through an alias it does not know) would stay English on
every Indonesian page without any other test noticing."""

import ast
from pathlib import Path

from django.utils import translation

ROOT = Path(__file__).resolve().parent.parent
APPS = ("switchboard", "directory", "calls", "messages_app", "reports")


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
