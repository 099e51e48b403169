"""The engine: rules compiled into experta, run over a person's facts, every firing recorded."""
