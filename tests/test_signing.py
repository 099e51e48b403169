"""Signed audit logs: a log rewritten with recomputed hashes passes the chain, but not the signature.

`expert audit keygen KEYFILE` makes the pair; `--sign KEYFILE` appends a signature of the head
after each batch, in the same write; `verify --public-key KEYFILE.pub` is BROKEN (exit 1) unless
the last signature by that key verifies and follows the chain, and names records after it as
unsigned (exit 3).
"""

import json
import stat
from pathlib import Path

import pytest

import expert
from expert.audit.log import AuditRecord, SignatureRecord, append_records, audit_record, parse_entry, seal, verify_log
from expert.cli import main
from expert.audit.keys import PublicKey, SigningKey
from tests.test_audit import CASES, lines_of, write_cases, write_lines


@pytest.fixture
def keyfile(tmp_path) -> Path:
    path = tmp_path / "keys" / "signer"
    path.parent.mkdir()
    assert main(["audit", "keygen", str(path)]) == 0
    return path


@pytest.fixture
def signed_log(tmp_path, keyfile) -> Path:
    """Two signed batches: the four cases with their facts, then one more case."""
    write_cases(tmp_path / "cases")
    path = tmp_path / "signed.jsonl"
    assert main(["audit", str(tmp_path / "cases"), "--log", str(path), "--include-facts", "--sign", str(keyfile)]) == 0
    case = tmp_path / "cases" / "a_magnesium.json"
    assert main(["audit", str(case), "--log", str(path), "--include-facts", "--sign", str(keyfile)]) == 0
    return path


def verify_cli(capsys, log: Path, keyfile: Path) -> tuple[int, str]:
    code = main(["audit", "verify", str(log), "--public-key", f"{keyfile}.pub"])
    return code, capsys.readouterr().out


def reseal(entries: list) -> list[bytes]:
    """The whole chain sealed again, as a forger without the signing key can."""
    out, previous = [], None
    for entry in entries:
        previous = seal(entry, previous)
        out.append(previous.line().encode("utf-8"))
    return out


class TestKeygen:
    def test_makes_a_private_key_only_its_owner_reads_and_a_public_key(self, keyfile, capsys):
        assert stat.S_IMODE(keyfile.stat().st_mode) == 0o600
        assert b"PRIVATE KEY" in keyfile.read_bytes()
        public = PublicKey.read(f"{keyfile}.pub")
        assert public.fingerprint == SigningKey.read(keyfile).public.fingerprint

    def test_never_replaces_a_key(self, keyfile, capsys):
        before = keyfile.read_bytes(), Path(f"{keyfile}.pub").read_bytes()
        capsys.readouterr()
        assert main(["audit", "keygen", str(keyfile)]) == 1
        err = capsys.readouterr().err
        assert err == f"expert: {keyfile}: already exists; not replacing a key (choose another name)\n"
        assert (keyfile.read_bytes(), Path(f"{keyfile}.pub").read_bytes()) == before

    def test_never_replaces_a_public_key_left_alone(self, tmp_path, capsys):
        (tmp_path / "lone.pub").write_text("someone's key\n")
        assert main(["audit", "keygen", str(tmp_path / "lone")]) == 1
        assert "lone.pub: already exists" in capsys.readouterr().err
        assert not (tmp_path / "lone").exists()
        assert (tmp_path / "lone.pub").read_text() == "someone's key\n"

    def test_a_signing_key_others_may_read_is_refused(self, keyfile, tmp_path, capsys):
        keyfile.chmod(0o644)
        write_cases(tmp_path / "cases")
        log = tmp_path / "a.jsonl"
        assert main(["audit", str(tmp_path / "cases"), "--log", str(log), "--sign", str(keyfile)]) == 1
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "may be read by others (mode 0644); run `chmod 600" in err
        assert not log.exists()

    def test_the_private_key_given_as_the_public_one_is_one_line(self, signed_log, keyfile, capsys):
        assert main(["audit", "verify", str(signed_log), "--public-key", str(keyfile)]) == 1
        assert capsys.readouterr().err == f"expert: {keyfile}: this is a private key; give its public half (signer.pub)\n"

    def test_a_file_that_is_no_key_is_one_line(self, signed_log, tmp_path, capsys):
        junk = tmp_path / "junk.pub"
        junk.write_text("not a key\n")
        assert main(["audit", "verify", str(signed_log), "--public-key", str(junk)]) == 1
        assert capsys.readouterr().err == f"expert: {junk}: not a public key (expected the PEM file KEYFILE.pub)\n"


class TestSignedLog:
    def test_each_batch_is_followed_by_a_signature_of_its_head(self, signed_log, keyfile, capsys):
        entries = [parse_entry(line) for line in lines_of(signed_log)]
        kinds = ["signature" if isinstance(e, SignatureRecord) else "record" for e in entries]
        assert kinds == ["record"] * len(CASES) + ["signature", "record", "signature"]
        signature = entries[len(CASES)]
        assert signature.prev == entries[len(CASES) - 1].hash
        assert signature.key == SigningKey.read(keyfile).public.fingerprint
        code, out = verify_cli(capsys, signed_log, keyfile)
        assert code == 0, out
        assert out.splitlines()[1].startswith("signed: every record, by the key ed25519:")
        assert "(2 of them signatures)" in out.splitlines()[0]

    def test_the_command_names_the_signature_record(self, tmp_path, keyfile, capsys):
        write_cases(tmp_path / "cases")
        log = tmp_path / "a.jsonl"
        assert main(["audit", str(tmp_path / "cases" / "d_b6.json"), "--log", str(log), "--sign", str(keyfile)]) == 0
        out = capsys.readouterr().out
        assert ": record 1, signed in record 2, head " in out
        assert out.split("head ")[1].strip() == verify_log(log).head

    def test_without_a_public_key_signatures_are_counted_not_checked(self, signed_log, capsys):
        assert main(["audit", "verify", str(signed_log)]) == 0
        out = capsys.readouterr().out
        assert "(2 of them signatures)" in out and "signatures not checked: give --public-key" in out

    def test_a_whole_log_rewritten_with_recomputed_hashes_is_broken(self, signed_log, keyfile, capsys):
        entries = [parse_entry(line) for line in lines_of(signed_log)]
        target = entries[1]
        # A different person's facts, consulted and resealed: every record and hash consistent.
        report = expert.consult(CASES["d_b6.json"])
        forged = audit_record(report, include_facts=True).model_copy(update={"time": target.time})
        write_lines(signed_log, reseal([entries[0], forged, *entries[2:]]))
        assert verify_log(signed_log).ok  # the chain alone cannot tell
        code, out = verify_cli(capsys, signed_log, keyfile)
        assert code == 1
        assert f"BROKEN: record {len(CASES) + 1}: its signature does not verify with the key ed25519:" in out

    def test_signatures_removed_and_the_chain_resealed_is_broken(self, signed_log, keyfile, capsys):
        entries = [parse_entry(line) for line in lines_of(signed_log)]
        write_lines(signed_log, reseal([e for e in entries if isinstance(e, AuditRecord)]))
        assert verify_log(signed_log).ok
        code, out = verify_cli(capsys, signed_log, keyfile)
        assert code == 1
        assert "BROKEN: no record is signed by the key ed25519:" in out
        assert "but no signature by this key vouches for it" in out

    def test_a_log_never_signed_is_broken_against_a_key(self, tmp_path, keyfile, capsys):
        log = tmp_path / "plain.jsonl"
        append_records(log, [audit_record(expert.consult(CASES["a_magnesium.json"]))])
        code, out = verify_cli(capsys, log, keyfile)
        assert code == 1 and "BROKEN: no record is signed by the key" in out

    def test_records_after_the_last_signature_are_named_unsigned(self, signed_log, keyfile, tmp_path, capsys):
        case = tmp_path / "cases" / "b_vitamin_d.json"
        assert main(["audit", str(case), "--log", str(signed_log)]) == 0
        assert main(["audit", str(case), "--log", str(signed_log)]) == 0
        code, out = verify_cli(capsys, signed_log, keyfile)
        assert code == 3
        last = len(CASES) + 3
        assert f"UNSIGNED: records {last + 1}-{last + 2} come after the last signature by the key" in out
        assert f"(record {last})" in out
        result = verify_log(signed_log, public_key=PublicKey.read(f"{keyfile}.pub"))
        assert result.ok and result.unsigned == 2 and result.signed_to == last and not result.fully_signed

    def test_a_signature_forged_under_the_right_fingerprint_is_broken(self, signed_log, keyfile, capsys):
        lines = lines_of(signed_log)
        entries = [parse_entry(line) for line in lines]
        last = entries[-1]
        other = SigningKey.generate()
        bad = last.model_copy(update={"signature": other.sign(last.signed_message()), "hash": None})
        write_lines(signed_log, [*lines[:-1], seal(bad, entries[-2]).line().encode()])
        code, out = verify_cli(capsys, signed_log, keyfile)
        assert code == 1 and f"BROKEN: record {len(entries)}: its signature does not verify" in out

    def test_signatures_by_another_key_are_noted_and_do_not_count(self, signed_log, tmp_path, capsys):
        other = tmp_path / "other"
        assert main(["audit", "keygen", str(other)]) == 0
        code, out = verify_cli(capsys, signed_log, other)
        assert code == 1 and "BROKEN: no record is signed by the key" in out
        assert "(it holds signatures by 1 other key)" in out

    def test_a_signature_first_in_a_log_signs_nothing(self, tmp_path, keyfile):
        record = append_records(tmp_path / "x.jsonl", [audit_record(expert.consult(CASES["a_magnesium.json"]))])[0]
        from expert.audit.log import sign_head

        signature = sign_head(record, SigningKey.read(keyfile)).model_copy(update={"seq": None, "prev": None})
        path = tmp_path / "lone.jsonl"
        path.write_bytes(seal(signature, None).line().encode() + b"\n")
        assert "a signature of nothing" in verify_log(path).problem

    def test_replay_stats_and_diff_skip_signatures(self, signed_log, capsys):
        assert main(["audit", "replay", str(signed_log)]) == 0
        out = capsys.readouterr().out
        assert out.count(": identical") == len(CASES) + 1
        assert out.splitlines()[-1] == f"{len(CASES) + 1} records: {len(CASES) + 1} identical"
        stats = expert.log_stats(signed_log)
        assert stats.records == len(CASES) + 1
        diff = expert.diff_log(signed_log)
        assert [r.record for r in diff.records] == [1, 2, 3, 4, 6]
        assert {r.status for r in diff.records} == {"unchanged"}

    def test_signing_an_existing_head_from_the_library(self, tmp_path):
        log = tmp_path / "later.jsonl"
        append_records(log, [audit_record(expert.consult(CASES["a_magnesium.json"]))])
        key = SigningKey.generate()
        (signature,) = append_records(log, [], signing_key=key)
        assert isinstance(signature, SignatureRecord)
        assert verify_log(log, public_key=key.public).fully_signed


def test_a_forged_record_whose_facts_were_removed_does_not_replay_with_exit_0(signed_log, capsys):
    entries = [parse_entry(line) for line in lines_of(signed_log)]
    stripped = entries[1].model_copy(update={"facts": None, "case_file": None})
    write_lines(signed_log, reseal([entries[0], stripped, *entries[2:]]))
    assert verify_log(signed_log).ok
    code = main(["audit", "replay", str(signed_log)])
    out = capsys.readouterr().out
    assert code == 3, out
    assert "record 2: not replayed: recorded without its facts" in out


def test_replay_with_nothing_to_replay_is_not_exit_0(tmp_path, capsys):
    log = tmp_path / "private.jsonl"
    write_cases(tmp_path / "cases")
    assert main(["audit", str(tmp_path / "cases"), "--log", str(log)]) == 0
    assert main(["audit", "replay", str(log)]) == 3


def test_an_empty_log_replays_nothing_and_asks_nothing(tmp_path):
    log = tmp_path / "empty.jsonl"
    log.write_bytes(b"")
    assert main(["audit", "replay", str(log)]) == 0


def test_verify_help_says_what_each_exit_means(capsys):
    with pytest.raises(SystemExit):
        main(["audit", "verify", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "is BROKEN (exit 1)" in text and "named as unsigned (exit 3)" in text


def test_the_signature_record_is_canonical_json_with_its_key_and_signature(signed_log):
    last = json.loads(lines_of(signed_log)[-1])
    assert sorted(last) == ["format", "hash", "key", "kind", "prev", "seq", "signature", "time"]
    assert last["kind"] == "signature" and last["format"] == 2
