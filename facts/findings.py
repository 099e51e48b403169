"""What the rules conclude: derived findings, each traceable to the firing that made it."""

from typing import Literal

from pydantic import BaseModel, ConfigDict

from facts.vocabulary import display

FindingName = Literal[
    # A nutrient is low, from a test ("tested") or from the person's symptoms ("suspected").
    "deficiency",
    # The person's symptoms fit the profile the documents give for a nutrient's deficiency.
    "profile_match",
    # A supplement is taken above the threshold at which the documents warn of harm.
    "excess_intake",
    # Mechanism steps of the chains.
    "impaired_calcium_absorption",
    "hypocalcemia_risk",
    "nerve_hyperexcitability",
    "disrupted_nerve_signaling",
    "neurological_problems",
    "peripheral_neuropathy",
    "nervous_system_irritation",
    # A possible explanation of the person's twitching; `about` names the cause.
    "twitching_cause",
    # What to do.
    "blood_test_advised",
    "professional_evaluation",
    "urgent_care",
    "dietary_advice",
    "stop_supplement",
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
