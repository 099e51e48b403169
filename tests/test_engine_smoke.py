"""The engine runs a first chain end to end."""

import expert


def test_low_vitamin_d_chains_to_hypocalcemia_risk():
    report = expert.consult([{"kind": "nutrient_level", "nutrient": "vitamin_d", "level": "low"}])
    assert report.rules_fired[:3] == [
        "vitamin_d.tested_low",
        "vitamin_d.impairs_calcium_absorption",
        "vitamin_d.calcium_levels_fall",
    ]
