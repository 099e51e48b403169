"""Knowledge-base tools: the review checks, the rule graph and the CLIPS export."""
