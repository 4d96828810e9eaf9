"""No markup is marked safe without review, and no template needs what the
Content-Security-Policy forbids.

Stored XSS came in once through `{{ field.help_text|safe }}` (a staff name in a
help text). Django escapes everything unless told not to, so these tests look for
every place that tells it not to:

- templates (templates/ and every app's templates/): `|safe`, `|safeseq`,
  `{% autoescape off %}`, `{% filter safe %}`;
- Python (the whole project but .venv and migrations): calls of `mark_safe`,
  `SafeString`/`SafeText`, `html_safe`, `__html__` methods, and `format_html` /
  `format_html_join` misuse (a format string that is not a literal, so the values
  are put in before format_html could escape them, or no values at all).

A spot passes only if it is on ALLOWED below, with the reason it is safe; a call
with nothing but a string literal (`SafeString("</select>")`) holds no data and
passes. An ALLOWED entry that matches nothing any more fails too, so the list stays
short and true.
"""

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SKIP_DIRS = {".venv", "venv", "node_modules", ".git", "var", "migrations", "__pycache__"}

# (file, function) -> why the markup built there is safe.
ALLOWED = {
    ("directory/views/cards.py", "_list"): (
        "The type-ahead's result cards (directory search and console) are written by "
        "string formatting for speed; every value (names, titles, answers, urls, "
        "numbers) goes through escape() in _card and its helpers before it is put "
        "in, and only then does _list mark the whole list safe."
    ),
    ("calls/tables.py", "CallTable.tbody_html"): (
        "The call log's rows are written in one pass for speed; every cell goes "
        "through escape() (the caller cell through _caller_html, which escapes each "
        "part) before the <tbody> is marked safe."
    ),
}

TEMPLATE_PATTERNS = {
    "|safe": re.compile(r"\|\s*safe\b(?!seq)"),
    "|safeseq": re.compile(r"\|\s*safeseq\b"),
    "autoescape off": re.compile(r"{%\s*autoescape\s+off\s*%}"),
    "filter safe": re.compile(r"{%\s*filter\b[^%]*\bsafe\b[^%]*%}"),
}

# What the Content-Security-Policy blocks (switchboard/security.py): behaviour goes
# in static/js/, looks in static/css/switchboard.css.
CSP_PATTERNS = {
    "style attribute": re.compile(r"<[a-zA-Z][^>]*\sstyle\s*=", re.S),
    "<style> element": re.compile(r"<style[\s>]", re.I),
    "inline <script>": re.compile(r"<script(?![^>]*\bsrc\s*=)[^>]*>", re.I),
    "on… handler": re.compile(r"<[a-zA-Z][^>]*\son[a-z]+\s*=", re.S),
    "hx-on": re.compile(r"\shx-on(?::|-|\b)"),
    "javascript: URL": re.compile(r"javascript:", re.I),
}

SAFE_MAKERS = {"mark_safe", "SafeString", "SafeText", "html_safe"}
FORMATTERS = {"format_html": 0, "format_html_join": 1}  # name -> index of the format string


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    where: str  # enclosing function/class qualname, "" at module level
    what: str

    def __str__(self):
        return f"{self.path}:{self.line} ({self.where or 'module'}): {self.what}"


def project_files(suffixes: tuple[str, ...], *, under: Path = ROOT):
    for path in sorted(under.rglob("*")):
        if path.suffix in suffixes and not SKIP_DIRS & set(path.relative_to(ROOT).parts):
            yield path


def template_dirs() -> list[Path]:
    dirs = [ROOT / "templates"]
    dirs += [
        path
        for path in sorted(ROOT.glob("*/templates"))
        if path.is_dir() and path.parent.name not in SKIP_DIRS
    ]
    return dirs


def template_files():
    for folder in template_dirs():
        yield from project_files((".html", ".txt", ".xml"), under=folder)


COMMENTS = re.compile(r"{#.*?#}|{%\s*comment\s*%}.*?{%\s*endcomment\s*%}|<!--.*?-->", re.S)


def _without_comments(text: str) -> str:
    """Comments blanked out (their newlines kept, so line numbers stay right)."""
    return COMMENTS.sub(lambda m: "\n" * m.group().count("\n"), text)


def scan_template(text: str, patterns: dict) -> list[tuple[int, str]]:
    text = _without_comments(text)
    found = []
    for what, pattern in patterns.items():
        for match in pattern.finditer(text):
            found.append((text.count("\n", 0, match.start()) + 1, what))
    return found


class _PythonScanner(ast.NodeVisitor):
    def __init__(self, path: str):
        self.path = path
        self.scope: list[str] = []
        self.findings: list[Finding] = []

    def _add(self, node, what):
        self.findings.append(Finding(self.path, node.lineno, ".".join(self.scope), what))

    def _scoped(self, node):
        self.scope.append(node.name)
        self.generic_visit(node)
        self.scope.pop()

    def visit_ClassDef(self, node):
        self._scoped(node)

    def visit_FunctionDef(self, node):
        if node.name == "__html__":
            self._add(node, "defines __html__ (its result is never escaped)")
        # Annotations (-> SafeString) are types, not calls: leave them out.
        for decorator in node.decorator_list:
            self.visit(decorator)
        self.scope.append(node.name)
        for statement in node.body:
            self.visit(statement)
        self.scope.pop()

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_AnnAssign(self, node):
        if node.value is not None:
            self.visit(node.value)

    def visit_Call(self, node):
        name = _name(node.func)
        if name in SAFE_MAKERS:
            literal_only = len(node.args) == 1 and not node.keywords and _is_literal(node.args[0])
            if not literal_only:
                self._add(node, f"{name}(...) on something other than a string literal")
            for argument in [*node.args, *(k.value for k in node.keywords)]:
                self.visit(argument)
            return
        if name in FORMATTERS:
            index = FORMATTERS[name]
            if len(node.args) <= index or not _is_literal(node.args[index]):
                self._add(node, f"{name} with a format string that is not a literal")
            elif name == "format_html" and len(node.args) == 1 and not node.keywords:
                self._add(node, "format_html with nothing to format (use a literal)")
        self.generic_visit(node)

    def visit_Name(self, node):
        # mark_safe passed around or used as a decorator: a safe-maker out of sight.
        if node.id in SAFE_MAKERS - {"SafeString", "SafeText"}:
            self._add(node, f"{node.id} used other than in a direct call")

    def visit_Attribute(self, node):
        if node.attr in SAFE_MAKERS - {"SafeString", "SafeText"}:
            self._add(node, f"{node.attr} used other than in a direct call")
        self.generic_visit(node)


def _name(func) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _is_literal(node) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


def scan_python(source: str, path: str) -> list[Finding]:
    scanner = _PythonScanner(path)
    scanner.visit(ast.parse(source))
    return scanner.findings


def relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


# --- the project ----------------------------------------------------------------------


def test_no_template_turns_escaping_off():
    findings = [
        f"{relative(path)}:{line}: {what}"
        for path in template_files()
        for line, what in scan_template(path.read_text(encoding="utf-8"), TEMPLATE_PATTERNS)
    ]

    assert not findings, "Escaping turned off in templates:\n" + "\n".join(findings)


def test_no_python_marks_data_safe_outside_the_reviewed_list():
    findings = [
        finding
        for path in project_files((".py",))
        for finding in scan_python(path.read_text(encoding="utf-8"), relative(path))
    ]
    used = {(f.path, f.where) for f in findings if (f.path, f.where) in ALLOWED}
    unreviewed = [str(f) for f in findings if (f.path, f.where) not in ALLOWED]

    assert not unreviewed, (
        "Markup marked safe without review (escape the values, or add the spot to "
        "ALLOWED with the reason it is safe):\n" + "\n".join(unreviewed)
    )
    assert used == set(ALLOWED), f"ALLOWED names spots that no longer exist: {set(ALLOWED) - used}"


def test_no_template_needs_what_the_content_security_policy_blocks():
    findings = []
    for path in template_files():
        for line, what in scan_template(path.read_text(encoding="utf-8"), CSP_PATTERNS):
            findings.append(f"{relative(path)}:{line}: {what}")

    assert not findings, "Blocked by the Content-Security-Policy:\n" + "\n".join(findings)


def test_form_help_text_is_escaped():
    """The bug itself: help text (which forms_log.py fills with related names)
    goes through the shared field partial escaped."""
    from django import forms
    from django.template.loader import render_to_string

    class Form(forms.Form):
        name = forms.CharField(help_text="Now: <script>alert(1)</script>")

    html = render_to_string("partials/_form_fields.html", {"form": Form()})

    assert "<script>alert(1)</script>" not in html
    assert "Now: &lt;script&gt;alert(1)&lt;/script&gt;" in html


# --- the scanners themselves: each would catch what it is for ----------------------------


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("{{ field.help_text|safe }}", ["|safe"]),
        ("{{ x | safe }}", ["|safe"]),
        ("{{ names|safeseq|join:', ' }}", ["|safeseq"]),
        ("{% autoescape off %}{{ x }}{% endautoescape %}", ["autoescape off"]),
        ("{% filter force_escape|safe %}{{ x }}{% endfilter %}", ["|safe", "filter safe"]),
        ("{{ field.help_text }} {{ safe_name }} {% autoescape on %}", []),
        ("{# not {{ x|safe }} #}\n{% comment %}{{ y|safe }}{% endcomment %}", []),
        ("{# one #}\n{% comment %}\ntwo\n{% endcomment %}\n{{ x|safe }}", ["|safe"]),
    ],
)
def test_the_template_scanner_finds_escaping_turned_off(template, expected):
    assert sorted(what for _line, what in scan_template(template, TEMPLATE_PATTERNS)) == sorted(
        expected
    )


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ('<div style="max-width: 40rem">', ["style attribute"]),
        ("<style>.x { color: red }</style>", ["<style> element"]),
        ("<script>alert(1)</script>", ["inline <script>"]),
        ('<select onchange="this.form.submit()">', ["on… handler"]),
        ('<button hx-on:click="go()">', ["hx-on"]),
        ('<a href="javascript:void(0)">', ["javascript: URL"]),
        (
            "<script src=\"{% static 'js/switchboard.js' %}\"></script>"
            '<link rel="stylesheet" href="x.css"><p class="sb-style">one=1</p>',
            [],
        ),
    ],
)
def test_the_csp_scanner_finds_inline_code_and_styles(template, expected):
    assert [what for _line, what in scan_template(template, CSP_PATTERNS)] == expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("mark_safe(name)", ["mark_safe(...) on something other than a string literal"]),
        ("x = SafeString(f'<b>{name}</b>')", ["SafeString(...) on something other"]),
        ("format_html(f'<b>{name}</b>')", ["format_html with a format string that is not"]),
        ("format_html('<b>%s</b>' % name)", ["format_html with a format string that is not"]),
        ("format_html(template, name)", ["format_html with a format string that is not"]),
        ("format_html('<br>')", ["format_html with nothing to format"]),
        ("format_html_join('', f'{x}', rows)", ["format_html_join with a format string"]),
        ("@mark_safe\ndef f(): pass", ["mark_safe used other than in a direct call"]),
        ("safe = django.utils.safestring.mark_safe", ["mark_safe used other than in a direct"]),
        ("class A:\n    def __html__(self): return self.x", ["defines __html__"]),
        ("mark_safe('<br>')", []),
        ("SafeString('\\n</select>')", []),
        ("format_html('<b>{}</b>', name)", []),
        ("format_html_join('', '<li>{}</li>', rows)", []),
        ("def f() -> SafeString:\n    return format_html('{}', x)", []),
    ],
)
def test_the_python_scanner_finds_markup_marked_safe(source, expected):
    found = [f.what for f in scan_python(source, "example.py")]

    assert len(found) == len(expected), found
    for what, start in zip(found, expected, strict=True):
        assert what.startswith(start), (what, start)


def test_the_template_scanner_gives_the_line_after_comments():
    template = "{# one #}\n{% comment %}\ntwo\n{% endcomment %}\n{{ x|safe }}"

    assert scan_template(template, TEMPLATE_PATTERNS) == [(5, "|safe")]


def test_the_python_scanner_names_the_enclosing_function():
    source = "class Table:\n    def body(self):\n        return mark_safe(rows)\n"

    (finding,) = scan_python(source, "calls/tables.py")

    assert (finding.path, finding.where, finding.line) == ("calls/tables.py", "Table.body", 3)
