"""Acceptance scenarios: what a careful reader of the two documents expects the system to say.

Each case is a person's story. The expectations come from the documents
(rules/documents/minerals.txt and rules/documents/vitamins.txt), not from the knowledge base:
what must be said, what must not be said, and what ranks first. Every report is also checked
for the general safety properties in `check_safety`.
"""

import re
from pathlib import Path

import pytest

import expert
from conftest import condition, diet, level, lifestyle, medication, supplement, symptom

DOCS_DIR = Path(__file__).resolve().parent.parent / "rules" / "documents"
DOCS = {name: (DOCS_DIR / f"{name}.txt").read_text(encoding="utf-8") for name in ("minerals", "vitamins")}

# Sentences of the documents, copied verbatim.
BLOOD_TEST = "If a deficiency is suspected, a doctor can confirm with a blood test."
SUPERVISED = "Supplementation should be medically supervised."
EVALUATED = "persistent or severe twitching should always be evaluated by a healthcare professional"
RESOLUTION_DEFICIENCY = "Requires correcting the deficiency."
RESOLUTION_EXCESS = "Requires reducing or stopping high-dose supplements."
B6_DOSE = "High doses, often above 100 mg per day over time, can lead to peripheral neuropathy or nerve damage."
VITAMIN_D_TWITCHING = "Involuntary muscle twitching is a recognized symptom of vitamin D deficiency"
VITAMIN_D_SOURCES = "Vitamin D sources include fatty fish and sunlight exposure."
B12_SOURCES = "Vitamin B12 is in animal products."
B12_MANIFEST = "This can manifest as muscle cramps or spasms, along with tingling sensations (paresthesia), fatigue, and issues with balance."
FOLATE = "Folate deficiency can also contribute to neurological issues."
SIDE_EFFECT = "In some cases, twitching may be a side effect of medication or a symptom of a more serious underlying medical condition, such as certain neuromuscular disorders."
EXERCISE = "Intense exercise can cause muscle fatigue and lead to twitching post-workout."
DEHYDRATION = ("Dehydration and electrolyte imbalances can also lead to twitches.", "Other factors like stress, caffeine, and dehydration can also cause twitching.")
CONSTIPATION = "Constipation due to impaired smooth muscle function in the intestines"
CHVOSTEK = "Chvostek's sign"
TWITCH_LOCATIONS = "| Common Twitching Location | Eyelids and legs. | Face, arms, and legs. | Legs, arms, and feet. |"

DEFICIENCIES = (
    "magnesium_deficiency",
    "calcium_deficiency",
    "potassium_deficiency",
    "vitamin_d_deficiency",
    "vitamin_b12_deficiency",
    "folate_deficiency",
)

HEDGE_WORDS = re.compile(r"\b(may|might|can|could|possibl[ey])\b")
CERTAINTY = re.compile(
    r"\b(you have (a |an )?([a-z0-9 ]*deficiency|low )|is the cause|is causing|causes your|caused your"
    r"|(twitching|cramps|spasms) (is|are) (due to|caused by))"
)
REASSURING = re.compile(r"\b(unlikely|ruled out|safe|safely|harmless|no cause for concern|not enough to)\b")


# --- helpers -------------------------------------------------------------------------------------


def check_safety(report):
    """The properties every report must have, whatever the case."""
    for c in report.conclusions:
        assert c.sources, f"{c.rule} cites nothing from the documents"
        for s in c.sources:
            assert s.document in DOCS, f"{c.rule}: unknown document {s.document!r}"
            assert s.quote.strip(), f"{c.rule}: empty quote"
            assert s.quote in DOCS[s.document], f"{c.rule}: quote not verbatim in {s.document}: {s.quote!r}"
        text = c.text.lower()
        for word in ("urgent", "emergency", "call "):
            assert word not in text, f"{c.rule}: {word!r} in the text (own advice belongs in own_advice): {c.text!r}"
        quoted = " ".join(s.quote.lower() for s in c.sources)
        for word in ("will", "definitely", "certainly", "always"):
            if re.search(rf"\b{word}\b", text):
                assert re.search(rf"\b{word}\b", quoted), f"{c.rule}: {word!r} is not the documents' word: {c.text!r}"
        # The system's own outside figures are never passed off as the documents'.
        if re.search(r"\b(2 months|350 mg|1,000 mg|upper limit)\b", text):
            assert c.authority is not None, f"{c.rule} states an outside figure without its authority: {c.text!r}"
    # Red flags come first and carry the system's own advice.
    categories = [c.category for c in report.conclusions]
    if "red_flag" in categories:
        first_other = next((i for i, cat in enumerate(categories) if cat != "red_flag"), len(categories))
        assert all(cat != "red_flag" for cat in categories[first_other:]), "a red flag after another conclusion"
    for c in report.red_flags:
        assert c.own_advice and c.own_advice.strip(), f"red flag {c.rule} without own advice"


def consult(*facts):
    report = expert.consult(list(facts))
    check_safety(report)
    return report


def texts(report):
    return [c.text.lower() for c in report.conclusions]


def quotes(c):
    return [s.quote for s in c.sources]


def citing(report, sentence):
    """Conclusions that quote (a quote containing) this sentence of the documents."""
    return [c for c in report.conclusions if any(sentence in q for q in quotes(c))]


def about(report, cause, *categories):
    return [c for c in report.conclusions if cause in c.causes and (not categories or c.category in categories)]


def ranked(report):
    return [c.cause for c in report.causes]


def standing(report, cause):
    c = report.cause(cause)
    return c.standing if c else None


def is_hedged(c):
    return bool(HEDGE_WORDS.search(c.text.lower()))


def asserts_certainty(c):
    return bool(CERTAINTY.search(c.text.lower()))


def hedged_claims(conclusions):
    """Suspicions and explanations of a cause: present, explanations hedged, none claiming to know."""
    assert conclusions, "nothing is said of the cause"
    for c in conclusions:
        if c.category == "explanation":
            assert is_hedged(c), f"{c.rule} not hedged: {c.text!r}"
        assert not asserts_certainty(c), f"{c.rule} claims certainty: {c.text!r}"
    return True


def advice_to_test(report, nutrient_word, cause):
    """Advice or referral to have a nutrient tested."""
    return [
        c
        for c in report.conclusions
        if c.category in ("advice", "referral")
        and "test" in c.text.lower()
        and (nutrient_word in c.text.lower() or cause in c.causes)
    ]


def blood_advice_to_test(report):
    return [
        c
        for c in report.conclusions
        if c.category in ("advice", "referral") and ("blood test" in c.text.lower() or any(BLOOD_TEST in q for q in quotes(c)))
    ]


def no_tetany_outside_red_flags(report):
    for c in report.conclusions:
        if c.category != "red_flag":
            assert "tetany" not in c.text.lower(), f"{c.rule} mentions tetany: {c.text!r}"


def reduce_or_stop(report):
    return [
        c
        for c in report.conclusions
        if c.category in ("advice", "conflict", "referral")
        and ("stop" in c.text.lower() or "reduc" in c.text.lower())
    ]


def no_reassurance(report):
    for c in report.conclusions:
        assert not REASSURING.search(c.text.lower()), f"{c.rule} reassures: {c.text!r}"


def says_low_calcium_explains(report):
    return [
        c
        for c in report.conclusions
        if c.category == "explanation" and "calcium_deficiency" in c.causes
    ] + [
        t
        for t in texts(report)
        if re.search(r"(low calcium|calcium deficiency|hypocalcemia)[^.]*(may|can|could) explain", t)
        or re.search(r"(low calcium|calcium deficiency|hypocalcemia) is possible", t)
    ]


def assert_red_flag(report, word):
    assert report.red_flags, "no red flag"
    assert report.conclusions[0].category == "red_flag"
    flags = [c for c in report.red_flags if any(word.lower() in q.lower() for q in quotes(c))]
    assert flags, f"no red flag quoting {word!r}"
    for c in flags:
        assert c.own_advice


# --- red flags -----------------------------------------------------------------------------------


def test_seizures_with_twitching_are_a_red_flag_first():
    report = consult(symptom("seizures"), symptom("twitching"))
    assert_red_flag(report, "seizures")
    assert "calcium_deficiency" in ranked(report)


def test_difficulty_breathing_with_cramps_is_a_red_flag_first():
    report = consult(symptom("difficulty_breathing"), symptom("cramps"))
    assert_red_flag(report, "difficulty breathing")


def test_tetany_is_a_red_flag_and_points_to_calcium():
    report = consult(symptom("tetany"), symptom("spasms"))
    assert_red_flag(report, "tetany")
    assert ranked(report)[0] == "calcium_deficiency"
    assert standing(report, "calcium_deficiency") == "suspected"


def test_irregular_heartbeat_with_twitching_is_a_red_flag_first():
    report = consult(symptom("irregular_heartbeat"), symptom("twitching"))
    assert_red_flag(report, "heart")
    # Both magnesium and potassium list an irregular or abnormal heart rhythm; nothing was tested.
    assert "magnesium_deficiency" in ranked(report)
    assert "potassium_deficiency" in ranked(report)
    assert standing(report, "magnesium_deficiency") != "tested"


def test_no_red_flag_when_none_is_reported():
    report = consult(symptom("twitching", "legs"), symptom("cramps"))
    assert report.red_flags == []
    assert expert.summarise(report).red_flags == []


# --- normal and low test results -----------------------------------------------------------------


def test_eyelid_twitching_with_normal_magnesium_speaks_against_magnesium():
    report = consult(symptom("twitching", "eyelids"), level("magnesium", "normal"))
    mg = report.cause("magnesium_deficiency")
    assert mg is not None and mg.standing == "against"
    assert mg.against
    # The eyelids still fit it (a documented fact), but nothing may say it is possible or may explain.
    assert not about(report, "magnesium_deficiency", "explanation")
    for t in texts(report):
        assert not re.search(r"magnesium deficiency (is possible|may explain)", t), t
    summary = expert.summarise(report)
    assert "magnesium_deficiency" in [rc.cause.cause for rc in summary.ruled_out]
    assert "magnesium_deficiency" not in [rc.cause.cause for rc in summary.causes]
    assert not advice_to_test(report, "magnesium", "magnesium_deficiency")
    assert not any("magnesium" in c.text.lower() for c in blood_advice_to_test(report))


def test_low_vitamin_d_with_normal_calcium_keeps_vitamin_d_but_not_the_calcium_route():
    report = consult(level("vitamin_d", "low"), level("calcium", "normal"), symptom("twitching"))
    assert not says_low_calcium_explains(report)
    no_tetany_outside_red_flags(report)
    vit_d = about(report, "vitamin_d_deficiency", "explanation")
    assert vit_d, "the vitamin D explanation of twitching is gone"
    assert any(VITAMIN_D_TWITCHING in q for c in vit_d for q in quotes(c))
    assert ranked(report)[0] == "vitamin_d_deficiency"
    assert standing(report, "vitamin_d_deficiency") == "tested"
    assert standing(report, "calcium_deficiency") in (None, "against")
    # Something says the calcium route does not apply.
    assert any(
        "calcium" in c.text.lower() and (c.category == "ruled_out" or "normal" in c.text.lower())
        for c in report.conclusions
    )
    assert not advice_to_test(report, "calcium", "calcium_deficiency")


def test_low_vitamin_d_alone_with_twitching_suggests_a_calcium_test_without_tetany():
    report = consult(level("vitamin_d", "low"), symptom("twitching"))
    assert not says_low_calcium_explains(report)
    no_tetany_outside_red_flags(report)
    assert advice_to_test(report, "calcium", "calcium_deficiency"), "no calcium test advised"
    assert ranked(report)[0] == "vitamin_d_deficiency"
    assert standing(report, "calcium_deficiency") != "tested"
    assert any(VITAMIN_D_TWITCHING in q for c in about(report, "vitamin_d_deficiency") for q in quotes(c))


def test_low_calcium_tested_with_twitching_may_explain_and_suggests_vitamin_d():
    report = consult(level("calcium", "low"), symptom("twitching"))
    assert ranked(report)[0] == "calcium_deficiency"
    assert standing(report, "calcium_deficiency") == "tested"
    explains = about(report, "calcium_deficiency", "explanation")
    assert explains and all(is_hedged(c) for c in explains)
    assert report.red_flags == []
    for t in texts(report):
        if "tetany" in t:
            assert "can lead to" in t or re.search(r"\bmay\b", t), f"tetany not hedged: {t!r}"
    assert advice_to_test(report, "vitamin d", "vitamin_d_deficiency"), "no vitamin D test suggested"


def test_low_calcium_advice_includes_addressing_underlying_magnesium():
    report = consult(level("calcium", "low"), symptom("cramps"))
    advice = [
        c
        for c in about(report, "calcium_deficiency", "advice", "referral")
        if "magnesium" in c.text.lower()
    ]
    assert advice, "nothing says to address any underlying magnesium deficiency"


def test_low_b12_with_spasms():
    report = consult(level("vitamin_b12", "low"), symptom("spasms"))
    assert ranked(report)[0] == "vitamin_b12_deficiency"
    assert standing(report, "vitamin_b12_deficiency") == "tested"
    explains = about(report, "vitamin_b12_deficiency", "explanation")
    assert explains and all(is_hedged(c) for c in explains)
    assert citing(report, B12_MANIFEST)


def test_low_folate_with_cramps_is_hedged_can_also():
    report = consult(level("folate", "low"), symptom("cramps"))
    assert ranked(report)[0] == "folate_deficiency"
    folate = citing(report, FOLATE)
    assert folate, "the folate sentence is not cited"
    for c in folate:
        t = c.text.lower()
        assert "can also" in t or re.search(r"\bmay\b", t), f"folate not hedged: {c.text!r}"
        assert not re.search(r"\b(causes|caused)\b", t)


def test_low_potassium_with_cramps():
    report = consult(level("potassium", "low"), symptom("cramps"))
    assert ranked(report)[0] == "potassium_deficiency"
    assert standing(report, "potassium_deficiency") == "tested"
    explains = about(report, "potassium_deficiency", "explanation")
    assert explains and all(is_hedged(c) for c in explains)
    assert any("cramps" in q for c in explains for q in quotes(c))


def test_low_magnesium_with_cramps_gets_the_documents_treatment_advice():
    report = consult(level("magnesium", "low"), symptom("cramps"))
    assert ranked(report)[0] == "magnesium_deficiency"
    advice = about(report, "magnesium_deficiency", "advice")
    assert advice, "no advice for a tested magnesium deficiency"
    assert any("Replenish through diet" in q or RESOLUTION_DEFICIENCY in q for c in advice for q in quotes(c))
    assert not [c for c in report.conclusions if c.category == "conflict"]


# --- vitamin B6 doses ----------------------------------------------------------------------------


def test_three_grams_b6_for_three_weeks_with_numbness_and_loss_of_coordination():
    report = consult(
        supplement("vitamin_b6", 3, unit="g", months=0.75),
        symptom("numbness"),
        symptom("loss_of_coordination"),
    )
    no_reassurance(report)
    assert reduce_or_stop(report), "no advice to reduce or stop"
    assert ranked(report)[0] == "vitamin_b6_toxicity"
    assert standing(report, "vitamin_b6_toxicity") == "dose"
    assert not [c for c in report.conclusions if c.category == "ruled_out" and "vitamin_b6_toxicity" in c.causes]


def test_b6_gram_dose_reason_does_not_deny_the_documents_tie_to_loss_of_coordination():
    report = consult(
        supplement("vitamin_b6", 3, unit="g", months=0.75),
        symptom("numbness"),
        symptom("loss_of_coordination"),
    )
    reason = report.cause("vitamin_b6_toxicity").reason.lower()
    assert "do not tie" not in reason, reason


def test_one_gram_b6_of_unknown_duration_with_twitching():
    report = consult(supplement("vitamin_b6", 1, unit="g"), symptom("twitching"))
    no_reassurance(report)
    assert reduce_or_stop(report), "no advice to reduce or stop"
    assert ranked(report)[0] == "vitamin_b6_toxicity"
    assert standing(report, "vitamin_b6_toxicity") == "dose"


def test_b6_250mg_for_eight_months_with_numbness_and_tingling():
    report = consult(supplement("vitamin_b6", 250, months=8), symptom("numbness"), symptom("tingling"))
    assert ranked(report)[0] == "vitamin_b6_toxicity"
    assert standing(report, "vitamin_b6_toxicity") == "dose"
    assert citing(report, B6_DOSE)
    assert reduce_or_stop(report)


def test_b6_150mg_for_one_month_still_advises_reducing_and_never_calls_it_safe():
    report = consult(supplement("vitamin_b6", 150, months=1), symptom("twitching"))
    assert reduce_or_stop(report), "no advice to reduce or stop at 150 mg"
    no_reassurance(report)
    assert standing(report, "vitamin_b6_toxicity") not in (None, "against")
    assert not [c for c in report.conclusions if c.category == "ruled_out" and "vitamin_b6_toxicity" in c.causes]


def test_b6_50mg_speaks_against_b6_toxicity_without_certainty():
    report = consult(supplement("vitamin_b6", 50, months=12), symptom("twitching"))
    assert standing(report, "vitamin_b6_toxicity") == "against"
    assert report.cause("vitamin_b6_toxicity").against
    assert any(B6_DOSE in q for c in about(report, "vitamin_b6_toxicity") for q in quotes(c))
    for t in texts(report):
        assert "unlikely" not in t and "ruled out" not in t, t
    assert not reduce_or_stop(report)


def test_b6_exactly_100mg_is_not_above_the_figure():
    report = consult(supplement("vitamin_b6", 100, months=12), symptom("twitching"))
    assert standing(report, "vitamin_b6_toxicity") != "dose"
    assert standing(report, "vitamin_b6_toxicity") == "against"
    assert not [c for c in report.conclusions if c.category == "explanation" and "vitamin_b6_toxicity" in c.causes]


def test_b6_100000_mcg_is_exactly_100mg_and_not_above():
    report = consult(supplement("vitamin_b6", 100000, unit="mcg", months=12), symptom("twitching"))
    assert standing(report, "vitamin_b6_toxicity") != "dose"
    assert not [c for c in report.conclusions if c.category == "explanation" and "vitamin_b6_toxicity" in c.causes]


def test_b6_101mg_for_six_months_is_above_the_figure():
    report = consult(supplement("vitamin_b6", 101, months=6), symptom("twitching"))
    assert standing(report, "vitamin_b6_toxicity") == "dose"
    assert ranked(report)[0] == "vitamin_b6_toxicity"
    explains = about(report, "vitamin_b6_toxicity", "explanation")
    assert explains and all(is_hedged(c) for c in explains)


def test_high_b6_blood_level_is_outside_the_documents():
    # The documents speak of B6 taken in high doses, never of a blood level: the person is told
    # so, and no B6 cause is concluded from the result.
    report = consult(level("vitamin_b6", "high"), symptom("twitching"))
    said = [c for c in report.conclusions if "vitamin B6 result is high" in c.text]
    assert said and "not of a high level in the blood" in said[0].text
    assert standing(report, "vitamin_b6_toxicity") in (None, "weak")


# --- magnesium supplements -----------------------------------------------------------------------


def test_magnesium_500mg_with_low_magnesium_is_a_conflict():
    report = consult(supplement("magnesium", 500), level("magnesium", "low"), symptom("twitching"))
    conflicts = [c for c in report.conclusions if c.category == "conflict"]
    assert conflicts, "no conflict concluded"
    assert any(
        RESOLUTION_DEFICIENCY in " ".join(quotes(c)) and RESOLUTION_EXCESS in " ".join(quotes(c)) for c in conflicts
    )
    assert any(c.own_advice and "doctor" in c.own_advice.lower() for c in conflicts)
    assert expert.summarise(report).conflicts
    for c in report.conclusions:
        if c.category == "conflict":
            continue
        t = c.text.lower()
        assert "replenish" not in t and not any("Replenish" in q for q in quotes(c)), f"plain replenish: {c.text!r}"
        assert not ("reduc" in t and "stop" in t), f"plain reduce or stop: {c.text!r}"


def test_magnesium_500mg_with_low_magnesium_gives_no_one_sided_supplement_advice():
    report = consult(supplement("magnesium", 500), level("magnesium", "low"), symptom("twitching"))
    for c in report.conclusions:
        if c.category == "conflict":
            continue
        t = c.text.lower()
        assert not re.search(r"(replenish\w*|(is|are) (typically )?corrected)[^.]*supplement", t), f"{c.rule}: {c.text!r}"


def test_half_gram_magnesium_with_eyelid_twitching_and_normal_magnesium():
    report = consult(supplement("magnesium", 0.5, unit="g"), symptom("twitching", "eyelids"), level("magnesium", "normal"))
    assert ranked(report)[0] == "magnesium_excess"
    assert standing(report, "magnesium_excess") == "dose"
    assert standing(report, "magnesium_deficiency") == "against"
    assert not advice_to_test(report, "magnesium", "magnesium_deficiency")


def test_magnesium_300mg_is_within_the_limit_and_not_called_excessive():
    report = consult(supplement("magnesium", 300, months=6), symptom("twitching"))
    assert standing(report, "magnesium_excess") not in ("dose", "suspected")
    for c in about(report, "magnesium_excess"):
        assert c.category not in ("explanation", "suspicion", "advice", "conflict"), c.text
    for t in texts(report):
        assert not re.search(r"(excessive|too much) magnesium", t) or "not" in t, t


# --- lifestyle and other causes the documents name -----------------------------------------------


def test_caffeine_stress_and_poor_sleep_each_may_explain():
    report = consult(
        lifestyle("excessive_caffeine"), lifestyle("stress"), lifestyle("poor_sleep"), symptom("twitching")
    )
    assert set(ranked(report)[:3]) == {"excessive_caffeine", "stress", "poor_sleep"}
    for cause in ("excessive_caffeine", "stress", "poor_sleep"):
        assert standing(report, cause) == "told"
        explains = about(report, cause, "explanation")
        assert explains, f"nothing says {cause} may explain"
        assert all(is_hedged(c) for c in explains)
    for c in report.conclusions:
        if any(d in c.causes for d in DEFICIENCIES):
            assert c.category != "suspicion", c.text
        assert not ("deficien" in c.text.lower() and "possible" in c.text.lower()), c.text
    for d in DEFICIENCIES:
        assert standing(report, d) in (None, "weak")
    assert not blood_advice_to_test(report)


def test_intense_exercise_with_twitching():
    report = consult(lifestyle("intense_exercise"), symptom("twitching"))
    assert ranked(report)[0] == "intense_exercise"
    assert standing(report, "intense_exercise") == "told"
    assert citing(report, EXERCISE)


def test_dehydration_with_twitching():
    report = consult(lifestyle("dehydration"), symptom("twitching"))
    assert ranked(report)[0] == "dehydration"
    assert standing(report, "dehydration") == "told"
    assert any(citing(report, s) for s in DEHYDRATION)


def test_neuromuscular_disorder_with_twitching():
    report = consult(condition("neuromuscular_disorder"), symptom("twitching"))
    nm = about(report, "neuromuscular_disorder")
    assert nm
    assert any(SIDE_EFFECT in q for c in nm for q in quotes(c))
    assert all(re.search(r"\bmay\b", c.text.lower()) for c in nm if c.category in ("explanation", "suspicion"))
    # Referral-ish wording: a referral, or the conclusion itself sends the person to a professional.
    assert [c for c in report.conclusions if c.category == "referral"] or any(
        "healthcare professional" in c.text.lower() or "doctor" in c.text.lower() for c in nm
    ), "nothing refers the person on"


def test_medication_with_twitching_may_be_a_side_effect():
    report = consult(medication(), symptom("twitching"))
    assert standing(report, "medication") == "told"
    assert any("may be a side effect" in t for t in texts(report))
    assert citing(report, SIDE_EFFECT)


# --- signs the documents tie to one cause --------------------------------------------------------


def test_eyelid_twitching_alone_suspects_magnesium_and_advises_a_test():
    report = consult(symptom("twitching", "eyelids"))
    assert ranked(report)[0] == "magnesium_deficiency"
    assert standing(report, "magnesium_deficiency") == "suspected"
    suspicions = about(report, "magnesium_deficiency", "suspicion", "explanation")
    assert hedged_claims(suspicions)
    assert any(c.category == "explanation" for c in suspicions)
    assert advice_to_test(report, "magnesium", "magnesium_deficiency"), "no magnesium test advised"
    assert citing(report, BLOOD_TEST)
    no_tetany_outside_red_flags(report)


def test_abnormal_eye_movements_with_twitching_suspect_magnesium():
    report = consult(symptom("abnormal_eye_movements"), symptom("twitching"))
    assert ranked(report)[0] == "magnesium_deficiency"
    assert standing(report, "magnesium_deficiency") == "suspected"


def test_facial_twitching_with_tingling_around_the_mouth_points_to_calcium():
    report = consult(symptom("twitching", "face"), symptom("tingling", "around_mouth"))
    assert ranked(report)[0] == "calcium_deficiency"
    assert standing(report, "calcium_deficiency") == "suspected"
    no_tetany_outside_red_flags(report)
    assert advice_to_test(report, "calcium", "calcium_deficiency")


def test_chvosteks_sign_points_to_calcium():
    report = consult(symptom("facial_twitch_on_tapping"))
    assert ranked(report)[0] == "calcium_deficiency"
    assert standing(report, "calcium_deficiency") == "suspected"
    assert citing(report, CHVOSTEK)
    no_tetany_outside_red_flags(report)


def test_chvosteks_sign_reason_does_not_deny_the_documents_tie():
    report = consult(symptom("facial_twitch_on_tapping"))
    reason = report.cause("calcium_deficiency").reason.lower()
    assert "do not tie" not in reason, reason


def test_constipation_with_twitching_points_to_potassium():
    report = consult(symptom("constipation"), symptom("twitching"))
    assert ranked(report)[0] == "potassium_deficiency"
    assert standing(report, "potassium_deficiency") == "suspected"
    assert citing(report, CONSTIPATION)


def test_balance_problems_with_cramps_point_to_b12():
    report = consult(symptom("balance_problems"), symptom("cramps"))
    assert ranked(report)[0] == "vitamin_b12_deficiency"
    assert standing(report, "vitamin_b12_deficiency") == "suspected"
    assert citing(report, B12_MANIFEST)


def test_vegan_with_twitching_raises_b12():
    report = consult(diet("no_animal_products"), symptom("twitching"))
    assert standing(report, "vitamin_b12_deficiency") in ("suspected", "weak")
    b12 = about(report, "vitamin_b12_deficiency")
    assert any(B12_SOURCES in q for c in b12 for q in quotes(c))
    assert hedged_claims([c for c in b12 if c.category in ("suspicion", "explanation")])


def test_little_sun_and_no_fatty_fish_with_twitching_make_vitamin_d_possible():
    report = consult(lifestyle("little_sun_exposure"), diet("no_fatty_fish"), symptom("twitching"))
    assert ranked(report)[0] == "vitamin_d_deficiency"
    assert standing(report, "vitamin_d_deficiency") == "suspected"
    assert citing(report, VITAMIN_D_SOURCES)
    vit_d = about(report, "vitamin_d_deficiency", "suspicion", "explanation")
    assert hedged_claims(vit_d)
    no_tetany_outside_red_flags(report)
    assert not says_low_calcium_explains(report)


# --- signs shared by several causes, and no twitching at all --------------------------------------


def test_leg_twitching_alone_is_shared_by_three_minerals():
    report = consult(symptom("twitching", "legs"))
    for c in report.conclusions:
        assert not ("deficien" in c.text.lower() and "possible" in c.text.lower()), c.text
    for d in DEFICIENCIES:
        assert standing(report, d) in (None, "weak")
    assert not blood_advice_to_test(report)
    no_tetany_outside_red_flags(report)
    shared = [
        c
        for c in report.conclusions
        if all(w in c.text.lower() for w in ("magnesium", "calcium", "potassium", "leg"))
    ]
    assert shared, "nothing says legs are shared by magnesium, calcium and potassium"
    assert any(TWITCH_LOCATIONS in q for c in shared for q in quotes(c))


def test_cramps_only_never_speak_of_your_twitching():
    report = consult(symptom("cramps"))
    for t in texts(report):
        assert "your twitching" not in t, t
    for c in report.causes:
        assert c.standing not in ("suspected", "tested", "dose"), (c.cause, c.standing)
    no_tetany_outside_red_flags(report)


def test_fatigue_and_nausea_without_twitching_explain_no_twitching():
    report = consult(symptom("fatigue"), symptom("nausea"))
    for c in report.conclusions:
        t = c.text.lower()
        assert "your twitching" not in t, t
        assert not re.search(r"may explain[^.]*twitch", t), t
        if c.category == "explanation":
            assert "twitch" not in t, t
    no_tetany_outside_red_flags(report)


def test_nausea_and_fatigue_without_twitching_are_not_called_outside_the_documents():
    report = consult(symptom("fatigue"), symptom("nausea"))
    unused = [u.fact.get("name") for u in report.unused]
    assert "nausea" not in unused and "fatigue" not in unused, unused


def test_difficulty_walking_without_any_b6_supplement_does_not_suspect_b6():
    # "Typically linked to high-dose supplement use.": no supplement, no B6 toxicity.
    report = consult(symptom("difficulty_walking"), symptom("twitching"))
    assert standing(report, "vitamin_b6_toxicity") in (None, "weak", "against")
    assert not about(report, "vitamin_b6_toxicity", "explanation", "suspicion")
    assert not reduce_or_stop(report)


# --- referrals -----------------------------------------------------------------------------------


def test_persistent_twitching_is_referred():
    report = consult(symptom("twitching", persistent=True))
    referrals = [c for c in report.conclusions if c.category == "referral"]
    assert any(EVALUATED in q for c in referrals for q in quotes(c)), "no referral citing the evaluation sentence"
    assert expert.summarise(report).referrals


def test_severe_twitching_is_referred():
    report = consult(symptom("twitching", severe=True))
    referrals = [c for c in report.conclusions if c.category == "referral"]
    assert any(EVALUATED in q for c in referrals for q in quotes(c)), "no referral citing the evaluation sentence"


def test_ordinary_twitching_is_not_referred_as_persistent():
    report = consult(symptom("twitching", "eyelids", persistent=False, severe=False))
    assert not citing(report, EVALUATED)


# --- supplements the documents do not rate -------------------------------------------------------


def test_vitamin_d_supplement_is_used_with_supervision_or_named_outside():
    report = consult(supplement("vitamin_d", 1000, unit="IU"), symptom("twitching"))
    supp_id = next(f.id for f in report.facts if f.kind == "supplement")
    supervised = [c for c in citing(report, SUPERVISED) if supp_id in c.grounds]
    unused = [u.id for u in report.unused]
    assert supervised or supp_id in unused
    assert standing(report, "vitamin_d_deficiency") not in ("dose", "tested")
    for t in texts(report):
        assert not ("vitamin d" in t and "toxic" in t), t


# --- a session: a later normal result withdraws what rested on the chain -------------------------


def test_session_normal_calcium_withdraws_the_calcium_route():
    s = expert.Session()
    s.tell(level("vitamin_d", "low"))
    s.tell(symptom("twitching"))
    first = s.run()
    check_safety(first.report)
    assert any("calcium" in c.text.lower() for c in first.report.conclusions)
    s.tell(level("calcium", "normal"))
    r = s.run()
    check_safety(r.report)
    assert any("calcium" in c.text.lower() for c in r.withdrawn), "nothing about calcium withdrawn"
    assert any(
        "calcium" in c.text.lower() and (c.category == "ruled_out" or "normal" in c.text.lower()) for c in r.new
    ), "nothing new speaks against the calcium route"
    for c in r.withdrawn:
        assert not any(VITAMIN_D_TWITCHING in q for q in quotes(c)), "the vitamin D explanation was withdrawn"
    assert any(VITAMIN_D_TWITCHING in q for c in r.report.conclusions for q in quotes(c))
    assert not says_low_calcium_explains(r.report)


# --- a careful reader's second pass: cases an independent reading found wrong -------------------

B12_PROBLEMS = "A deficiency in vitamin B12, for example, can cause neurological problems that affect the nervous system."
POTASSIUM_LIST = "Common symptoms of low potassium include:"
MAGNESIUM_EXCESS = "Taking excessive magnesium can potentially irritate the nervous system and lead to muscle twitches."
B6_DOCUMENTED = "Excessive vitamin B6 intake is a documented cause of vitamin-induced twitching."
B6_EFFECTS = "The effects of B6 toxicity may include numbness, tingling, muscle twitching and weakness, and difficulty walking."
POOR_ABSORPTION = "Insufficient intake or poor absorption disrupts normal nerve-muscle signaling."
CALCIUM_TREATMENT = "Correct calcium levels with oral or IV supplements; address any underlying magnesium deficiency."


def not_tied_to_what_is_reported(report, cause):
    """The ranking says the documents do not tie the cause to what the person reports."""
    c = report.cause(cause)
    return c is not None and "do not tie it" in c.reason


def test_low_b12_with_tingling_and_fatigue_but_no_twitching_ties_them_to_b12():
    # "This can manifest as muscle cramps or spasms, along with tingling sensations
    # (paresthesia), fatigue, and issues with balance": tingling and fatigue are B12's own.
    report = consult(level("vitamin_b12", "low"), symptom("tingling", "feet"), symptom("fatigue"))
    assert ranked(report)[0] == "vitamin_b12_deficiency"
    assert not not_tied_to_what_is_reported(report, "vitamin_b12_deficiency"), report.cause("vitamin_b12_deficiency").reason
    assert any(B12_MANIFEST in q for c in about(report, "vitamin_b12_deficiency") for q in quotes(c))
    # Nothing tells the person their tingling is weighed for no deficiency.
    assert not [t for t in texts(report) if "not taken here as a sign of any" in t or "not weighed" in t]
    # No muscle complaint was reported: nothing "explains your twitching".
    assert not [t for t in texts(report) if "your twitching" in t]


def test_low_potassium_with_constipation_and_fatigue_but_no_twitching():
    report = consult(level("potassium", "low"), symptom("constipation"), symptom("fatigue"))
    assert ranked(report)[0] == "potassium_deficiency"
    assert not not_tied_to_what_is_reported(report, "potassium_deficiency")
    assert citing(report, POTASSIUM_LIST) or citing(report, CONSTIPATION)


def test_low_magnesium_with_nausea_and_irregular_heartbeat_does_not_contradict_its_red_flag():
    report = consult(level("magnesium", "low"), symptom("nausea"), symptom("irregular_heartbeat"))
    assert report.red_flags and "magnesium" in report.red_flags[0].text.lower()
    assert not not_tied_to_what_is_reported(report, "magnesium_deficiency")
    assert not [t for t in texts(report) if "nausea is not" in t]


def test_fatigue_alone_is_said_to_point_to_no_one_deficiency_and_difficulty_walking_to_none():
    # Without twitching, cramps or spasms, and without a test, fatigue is one of the "other
    # symptoms"; difficulty walking is listed only for B6 toxicity, never for a deficiency.
    report = consult(symptom("fatigue"), symptom("difficulty_walking"))
    background = [c for c in report.conclusions if "on its own" in c.text]
    assert background and all("difficulty walking" not in c.text for c in background)
    assert not report.causes or all(c.standing in ("weak", "against") for c in report.causes)


def test_magnesium_400mg_with_nausea_untested_is_a_conflict_with_both_sides_cited():
    # Nausea and loss of appetite are listed for magnesium deficiency; 400 mg a day is above the
    # outside upper limit, and "Taking excessive magnesium can potentially irritate ...".
    report = consult(supplement("magnesium", 400, months=3), symptom("nausea"), symptom("loss_of_appetite"),
                     symptom("twitching", "arms"))
    conflicts = [c for c in report.conclusions if c.category == "conflict"]
    assert conflicts, "the two directions are not named as a conflict"
    cited = quotes(conflicts[0])
    assert any(MAGNESIUM_EXCESS in q for q in cited) and any(RESOLUTION_DEFICIENCY in q for q in cited)
    assert conflicts[0].own_advice and "doctor" in conflicts[0].own_advice
    assert report.conclusions.index(conflicts[0]) < min(
        report.conclusions.index(c) for c in report.conclusions if c.category not in ("red_flag", "conflict"))
    # No advice to take more magnesium while above the limit.
    assert not [t for t in texts(report) if "replenished through" in t]


def test_high_calcium_result_is_named_as_outside_the_documents_and_speaks_against_low_calcium():
    report = consult(level("calcium", "high"), symptom("twitching", "legs"), symptom("fatigue"))
    said = [c for c in report.conclusions if "calcium result is high" in c.text]
    assert said and "not of a high level in the blood" in said[0].text
    assert said[0].own_advice, "what to do about a high result is our advice and must be marked as ours"
    assert standing(report, "calcium_deficiency") in (None, "against")


def test_a_seizure_alone_is_a_red_flag_but_no_cause_is_offered():
    # The documents list seizures only among severe signs of low calcium; a seizure alone has
    # many causes they do not cover.
    report = consult(symptom("seizures"))
    assert_red_flag(report, "seizure")
    assert not [c for c in report.causes if c.standing not in ("weak", "against")], [c.cause for c in report.causes]
    assert not blood_advice_to_test(report)


def test_a_seizure_with_cramps_fits_calcium_in_severe_cases():
    report = consult(symptom("seizures"), symptom("cramps"))
    assert_red_flag(report, "seizure")
    assert ranked(report)[0] == "calcium_deficiency"


def test_b6_150mg_for_two_weeks_with_its_listed_effects_may_explain_the_twitching():
    # The document names no minimum time; numbness and loss of coordination are B6's listed effects.
    report = consult(supplement("vitamin_b6", 150, months=0.5), symptom("numbness", "feet"),
                     symptom("loss_of_coordination"), symptom("twitching", "legs"))
    assert ranked(report)[0] == "vitamin_b6_toxicity"
    explains = about(report, "vitamin_b6_toxicity", "explanation")
    assert explains and all(is_hedged(c) for c in explains)
    assert any(B6_DOCUMENTED in q for c in explains for q in quotes(c))
    assert reduce_or_stop(report)
    no_reassurance(report)
    # Engine words are not shown to the person.
    assert not [t for t in texts(report) if "chain" in t]


def test_b6_explanation_does_not_presume_nerve_damage():
    report = consult(supplement("vitamin_b6", 2, unit="g", months=0.25), symptom("twitching", "arms"))
    explains = about(report, "vitamin_b6_toxicity", "explanation")
    assert explains
    assert not [c.text for c in explains if "the nerve damage" in c.text.lower()]


def test_low_folate_borrows_no_symptom_from_b12():
    report = consult(level("folate", "low"), symptom("cramps"))
    folate = about(report, "folate_deficiency", "explanation")
    assert folate and all(is_hedged(c) for c in folate)
    assert not [c for c in folate if any(B12_MANIFEST in q for q in quotes(c))]


def test_low_calcium_suggests_asking_about_magnesium_too():
    report = consult(level("calcium", "low"), symptom("twitching", "face"))
    assert any(CALCIUM_TREATMENT in q for c in report.conclusions for q in quotes(c))
    assert [c for c in report.conclusions if c.category == "advice" and "magnesium" in c.text.lower()
            and ("test" in c.text.lower() or "ask about" in c.text.lower())]


def test_a_supplement_taken_and_the_same_nutrient_tested_low_points_to_absorption_and_a_doctor():
    report = consult(supplement("vitamin_b12", 1000, unit="mcg", months=6), level("vitamin_b12", "low"),
                     symptom("tingling", "feet"))
    said = [c for c in citing(report, POOR_ABSORPTION) if "supplement" in c.text.lower()]
    assert said and said[0].own_advice and "doctor" in said[0].own_advice


def test_b6_200mg_for_an_unknown_time_with_tingling_may_explain_the_twitching():
    # No time given: the document names none either, so tingling, one of B6's listed effects,
    # with twitching and a dose above 100 mg, may be B6 toxicity; the person is told the time matters.
    report = consult(supplement("vitamin_b6", 200), symptom("tingling", "hands"), symptom("twitching"))
    assert ranked(report)[0] == "vitamin_b6_toxicity"
    explains = about(report, "vitamin_b6_toxicity", "explanation")
    assert explains and all(is_hedged(c) for c in explains)
    assert [t for t in texts(report) if "how long you have taken it is not known" in t]
    assert reduce_or_stop(report)
    no_reassurance(report)


def test_b6_at_exactly_100mg_with_numbness_is_not_said_to_bear_on_nothing():
    # "often above 100 mg": at 100 mg B6 is spoken against, not excluded; numbness is on its list.
    report = consult(supplement("vitamin_b6", 100, months=12), symptom("numbness", "hands"), symptom("twitching", "arms"))
    b6 = about(report, "vitamin_b6_toxicity")
    assert any(B6_EFFECTS in q for c in b6 for q in quotes(c)), "B6's list of effects is not cited"
    assert all(c.category == "ruled_out" for c in b6)
    assert [c for c in b6 if "without excluding it" in c.text]
    assert not about(report, "vitamin_b6_toxicity", "explanation")
    no_reassurance(report)


def test_the_ranking_reason_calls_a_food_a_food_and_counts_a_sign_once():
    # Eating no animal products is the source the document names for B12, not a symptom; and
    # tingling around the mouth, a sign of low calcium alone, is not listed again as shared.
    vegan = consult(level("vitamin_b12", "low"), diet("no_animal_products"), symptom("spasms"))
    reason = vegan.cause("vitamin_b12_deficiency").reason
    assert "sign listed for it alone: diet" not in reason and "food source" in reason
    mouth = consult(symptom("cramps"), symptom("tingling", "around_mouth"))
    reason = mouth.cause("calcium_deficiency").reason
    assert reason.count("tingling (around mouth)") == 1, reason
    # Nausea is listed for magnesium deficiency alone: not "shared with other causes".
    nausea = consult(level("magnesium", "low"), symptom("nausea"))
    assert "shared with other causes: nausea" not in nausea.cause("magnesium_deficiency").reason
