"""Text from outside (a file name, a medication's name, a forged log) made safe to print on a terminal.

A control character such as ESC starts an escape sequence that can recolour, retitle or clear a
terminal, or hide what follows; bidirectional overrides reorder what a reader sees; a lone
surrogate cannot even be encoded. `safe_text` writes each of them as a visible escape, the way
`repr` would (`\\x1b`, `\\n`, `\\u202e`), and leaves all other text, accents and emoji included, as it is.
"""

import unicodedata

# Control (Cc), format (Cf: bidi overrides, zero-width characters), surrogate (Cs), and the line
# and paragraph separators, which break a line where a reader does not see one.
_ESCAPED = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
_SHORT = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(char: str) -> str:
    if char in _SHORT:
        return _SHORT[char]
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def safe_text(text: str) -> str:
    """`text` on one line, every control, format or separator character shown as an escape."""
    text = str(text)
    if text.isprintable():  # the usual case: nothing to escape (isprintable is False for all of them)
        return text
    return "".join(_escape(c) if unicodedata.category(c) in _ESCAPED else c for c in text)


def safe_lines(text: str) -> str:
    """`text` with its line breaks kept and every other control character escaped."""
    return "\n".join(safe_text(line) for line in str(text).split("\n"))
