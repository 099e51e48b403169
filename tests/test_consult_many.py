"""`expert consult` on several case files: each report under its file's name, or one JSON array."""

import json

import pytest

from conftest import level, supplement, symptom
from expert.cli import main

MAGNESIUM = [supplement("magnesium", 500), symptom("twitching")]
VITAMIN_D = [level("vitamin_d", "low"), symptom("cramps", "legs")]
BAD_UNIT = [supplement("magnesium", 5, "spoons")]


@pytest.fixture
def cases(tmp_path):
    def write(name, facts):
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"facts": facts}), encoding="utf-8")
        return str(path)

    return write


@pytest.fixture
def expert(capsys):
    def run(*args):
        code = main(["consult", *args])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def without_disclaimer(text: str) -> str:
    head, mark, _ = text.rpartition("\nDisclaimer: ")
    assert mark
    return head.rstrip("\n") + "\n"


def test_each_report_comes_under_its_files_name_in_argument_order_with_one_disclaimer(cases, expert):
    d, m = cases("d.json", VITAMIN_D), cases("m.json", MAGNESIUM)
    _, alone_m, _ = expert(m)
    _, alone_d, _ = expert(d)
    code, out, err = expert(m, d)
    assert code == 0 and err == ""
    assert out.startswith(f"==> {m} <==\n")
    first, second = out.split(f"==> {m} <==\n", 1)[1].split(f"\n==> {d} <==\n")
    # Each report is the one its file gives alone; the disclaimer is said once, at the end.
    assert first == without_disclaimer(alone_m)
    assert second == alone_d  # the last report, then the one disclaimer
    assert out.count("Disclaimer: ") == 1


def test_explain_follows_each_report_with_its_own_proofs(cases, expert):
    m, d = cases("m.json", MAGNESIUM), cases("d.json", VITAMIN_D)
    code, out, _ = expert(m, d, "--explain")
    assert code == 0
    first, second = out.split(f"==> {d} <==\n")
    assert first.count("Why: each conclusion's proof") == 1 and "[magnesium_excess.high_dose]" in first
    assert second.count("Why: each conclusion's proof") == 1 and "[magnesium_excess.high_dose]" not in second
    assert "[vitamin_d" in second
    assert out.count("Disclaimer: ") == 1 and second.index("Why:") < second.index("Disclaimer: ")


def test_json_is_one_array_in_argument_order_each_report_as_one_file_gives_it(cases, expert):
    m, d = cases("m.json", MAGNESIUM), cases("d.json", VITAMIN_D)
    _, alone, _ = expert(d, "--format", "json")
    code, out, _ = expert(d, m, "--format", "json", "--explain")
    assert code == 0
    data = json.loads(out)
    assert [entry["case"] for entry in data] == [d, m]
    assert {k: v for k, v in data[0]["report"].items() if k != "proofs"} == json.loads(alone)
    assert all(entry["report"]["proofs"] for entry in data)


def test_one_file_still_gives_one_json_object(cases, expert):
    code, out, _ = expert(cases("m.json", MAGNESIUM), "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert isinstance(data, dict) and data["conclusions"] and "case" not in data


def test_a_bad_file_among_several_is_named_in_one_line_and_the_others_are_still_reported(cases, expert):
    m, bad, d = cases("m.json", MAGNESIUM), cases("bad.json", BAD_UNIT), cases("d.json", VITAMIN_D)
    code, out, err = expert(m, bad, d)
    assert code == 2
    assert err.splitlines() == [
        f"expert: {bad}: facts[0].unit: Input should be 'mg', 'mcg', 'µg', 'ug', 'g' or 'IU'"
    ]
    assert f"==> {m} <==" in out and f"==> {d} <==" in out and bad not in out


def test_a_missing_file_among_several_is_named_once(cases, expert, tmp_path):
    m = cases("m.json", MAGNESIUM)
    code, out, err = expert(str(tmp_path / "nowhere.json"), m)
    assert code == 2
    assert err.splitlines() == [f"expert: {tmp_path / 'nowhere.json'}: no such file"]
    assert out.startswith(f"==> {m} <==\n")


def test_a_bad_file_stands_in_the_json_array_with_its_problems(cases, expert):
    m, bad = cases("m.json", MAGNESIUM), cases("bad.json", BAD_UNIT)
    code, out, err = expert(bad, m, "--format", "json")
    assert code == 2
    data = json.loads(out)
    assert data[0] == {"case": bad, "problems": ["facts[0].unit: Input should be 'mg', 'mcg', 'µg', 'ug', 'g' or 'IU'"]}
    assert data[1]["case"] == m and data[1]["report"]["conclusions"]
    assert err.count("\n") == 1


def test_a_folder_and_a_glob_give_their_case_files_sorted(cases, expert, tmp_path):
    cases("cases/b.json", VITAMIN_D)
    cases("cases/a.json", MAGNESIUM)
    for target in (str(tmp_path / "cases"), str(tmp_path / "cases" / "*.json")):
        code, out, _ = expert(target, "--format", "json")
        assert code == 0
        assert [e["case"] for e in json.loads(out)] == [str(tmp_path / "cases" / n) for n in ("a.json", "b.json")]


def test_an_empty_folder_or_glob_is_named_and_the_rest_reported(cases, expert, tmp_path):
    (tmp_path / "empty").mkdir()
    m = cases("m.json", MAGNESIUM)
    code, out, err = expert(str(tmp_path / "empty"), str(tmp_path / "none*.json"), m)
    assert code == 2
    assert err.splitlines() == [
        f"expert: {tmp_path / 'empty'}: the folder holds no .json case file",
        f"expert: {tmp_path / 'none*.json'}: no case file matches",
    ]
    assert out.startswith(f"==> {m} <==\n")


def test_a_file_named_twice_is_reported_once(cases, expert):
    m = cases("m.json", MAGNESIUM)
    code, out, _ = expert(m, m)
    assert code == 0 and out.count("==> ") == 1


def test_a_control_character_in_a_file_name_is_shown_escaped(cases, expert):
    m = cases("red\x1b[31m.json", MAGNESIUM)
    d = cases("d.json", VITAMIN_D)
    code, out, _ = expert(m, d)
    assert code == 0 and "\x1b" not in out
