"""Small shared pieces: argument checks, safe file reading, case files, escaping of others' text."""
