"""A program that embeds the library hears nothing about a person in its own logs unless it asks.

experta's watchers log every fact declared, with its values (a medication's name), and every
rule fired; with `logging.basicConfig(level=logging.DEBUG)` in the host, one consultation used to
write some 100 KB of them to the host's stderr.
"""

import logging
import sys
from pathlib import Path

import pytest

import expert
from bounded import run

ROOT = Path(__file__).resolve().parent.parent

SECRET_CONSULTATION = """
import logging, sys
logging.basicConfig(level=logging.DEBUG, stream=sys.stderr)
import expert
expert.consult([{"kind": "medication", "name": "SECRETMED"}, {"kind": "symptom", "name": "twitching"}])
session = expert.Session()
session.tell({"kind": "medication", "name": "SECRETMED"})
session.run()
sys.stderr.write("--- the host asks for the engine's logs ---\\n")
expert.enable_engine_logging()
expert.consult([{"kind": "medication", "name": "SECRETMED"}])
"""


def test_a_host_logging_at_debug_hears_nothing_about_the_person_unless_it_asks():
    done = run([sys.executable, "-c", SECRET_CONSULTATION], "the host's consultations to end",
               cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    before, asked = done.stderr.split("--- the host asks for the engine's logs ---\n")
    assert before == "" and "SECRETMED" not in done.stdout
    assert "SECRETMED" in asked  # so the switch is real, and what it lets through is documented


def test_engine_logging_is_shut_again_on_request():
    engine = logging.getLogger("experta")
    expert.enable_engine_logging()
    try:
        assert engine.propagate
    finally:
        expert.enable_engine_logging(False)
    assert not engine.propagate and not engine.isEnabledFor(logging.CRITICAL)
    with pytest.raises(expert.InvalidArgumentError):
        expert.enable_engine_logging("yes")
