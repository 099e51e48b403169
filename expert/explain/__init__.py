"""Explanations: proofs of each conclusion, the short summary, and the plain-text report."""
