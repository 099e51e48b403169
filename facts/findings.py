"""What the rules conclude: derived findings, each traceable to the firing that made it."""

from typing import Literal

from pydantic import BaseModel, ConfigDict

from expert.facts.vocabulary import display

FindingName = Literal[
    # The person has one of the muscle complaints the documents are about; `about` names it
    # (twitching, cramps or spasms).
    "complaint",
    # A nutrient is low, from a test ("tested") or from the person's answers ("suspected").
    "deficiency",
    # A sign the documents tie to one nutrient's deficiency in particular: enough, with a
    # complaint and no test yet, to suspect that deficiency.
    "profile_match",
    # A sign the documents tie to several causes alike, or a missing food source: it adds to
    # the evidence for the nutrient but does not by itself make its deficiency suspected.
    "weak_sign",
    # A supplement is taken above the dose at which the documents (or a named authority) warn.
    "excess_intake",
    # A symptom among the effects the documents give for an excess.
    "excess_sign",
    # Mechanism steps of the chains.
    "impaired_calcium_absorption",
    "hypocalcemia_risk",
    "nerve_hyperexcitability",
    "disrupted_nerve_signaling",
    "neurological_problems",
    "peripheral_neuropathy",
    "nervous_system_irritation",
    # A possible explanation of the person's complaint; `about` names the cause.
    "twitching_cause",
    # What to do.
    "blood_test_advised",
    "professional_evaluation",
    "urgent_care",
    "dietary_advice",
    "stop_supplement",
    # Two pieces of advice about one nutrient pull in opposite directions.
    "advice_conflict",
]

Basis = Literal["tested", "suspected"]


class Finding(BaseModel):
    """A derived fact. `about` names the nutrient or factor it concerns, where it has one."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)

    kind: Literal["finding"] = "finding"
    name: FindingName
    about: str | None = None
    basis: Basis | None = None

    def describe(self) -> str:
        words = self.name.replace("_", " ")
        if self.about:
            words += ": " + display(self.about)
        if self.basis:
            words += f" ({self.basis})"
        return words
