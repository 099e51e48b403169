"""Text from outside is shown, never obeyed: control characters in a name print as escapes.

A medication named with an escape sequence (ESC [ 2 J clears the screen) or a right-to-left
override would otherwise act on the terminal that shows an error, or hide what follows.
"""

import json

import pytest

from expert.cli import main
from expert.util.textsafe import safe_lines, safe_text


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("magnesium citrate", "magnesium citrate"),
        ("µg, café, 日本, 🙂", "µg, café, 日本, 🙂"),
        ("\x1b[2Jcleared", "\\x1b[2Jcleared"),
        ("bell\x07", "bell\\x07"),
        ("two\nlines\r\tand a tab", "two\\nlines\\r\\tand a tab"),
        ("c1 \x85 \x9b", "c1 \\x85 \\x9b"),
        ("del\x7f", "del\\x7f"),
        ("abc\u202edcba", "abc\\u202edcba"),  # right-to-left override
        ("zero\u200bwidth", "zero\\u200bwidth"),
        ("line\u2028separator", "line\\u2028separator"),
        ("lone \ud800 surrogate", "lone \\ud800 surrogate"),
        ("tag \U000e0041", "tag \\U000e0041"),
        ("no\u00a0break space stays", "no\u00a0break space stays"),
        ("a \\x1b written out stays", "a \\x1b written out stays"),
    ],
)
def test_safe_text_escapes_what_acts_on_a_terminal_and_keeps_the_rest(text, shown):
    assert safe_text(text) == shown
    assert safe_text(text).isprintable() or "\u00a0" in text


def test_safe_text_is_one_line_and_can_be_encoded():
    out = safe_text("a\nb\x00c\ud83d")
    assert "\n" not in out
    out.encode("utf-8")


def test_safe_lines_keeps_line_breaks_only():
    assert safe_lines("first\x1b[31m\nsecond\r") == "first\\x1b[31m\nsecond\\r"


def test_safe_text_takes_anything_printable_as_a_string():
    assert safe_text(42) == "42"


ESCAPE = "\x1b[2J\x1b]0;owned\x07"


def test_a_medication_named_with_an_escape_is_escaped_in_consult_errors(tmp_path, capsys):
    fact = {"kind": "medication", "name": f"{ESCAPE}pill\u202e"}
    case = tmp_path / "case.json"
    case.write_text(json.dumps({"facts": [fact, fact]}))
    assert main(["consult", str(case)]) == 2
    err = capsys.readouterr().err
    assert "\x1b" not in err and "\x07" not in err and "\u202e" not in err
    assert "\\x1b[2J\\x1b]0;owned\\x07pill\\u202e" in err
    assert len(err.splitlines()) == 1


def test_a_file_name_with_an_escape_is_escaped_in_audit_errors(tmp_path, capsys):
    missing = tmp_path / f"case{ESCAPE}.json"
    missing.write_text('{"facts": [{"kind": "symptom", "name": "hiccups"}]}')
    assert main(["audit", str(missing), "--log", str(tmp_path / "a.jsonl")]) == 2
    err = capsys.readouterr().err
    assert "\x1b" not in err and "\\x1b[2J" in err
    assert "facts[0].name" in err


def test_an_audit_log_holding_escapes_prints_them_escaped(tmp_path, capsys):
    import expert
    from expert.audit.log import append_records, audit_record

    report = expert.consult([{"kind": "medication", "name": f"{ESCAPE}x"}, {"kind": "symptom", "name": "twitching"}])
    path = tmp_path / f"log{ESCAPE}.jsonl"
    append_records(path, [audit_record(report, include_facts=True, case_file=f"file{ESCAPE}.json")])
    assert main(["audit", "verify", str(path)]) == 0
    assert main(["audit", "diff", str(path)]) == 0
    assert main(["audit", "replay", str(path)]) == 0
    captured = capsys.readouterr()
    assert "\x1b" not in captured.out + captured.err
    assert "file\\x1b[2J" in captured.out
