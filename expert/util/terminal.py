"""The width output wraps at: one rule for the console, its cached first screen and the reports.

Standard library only, so the console can work it out before anything heavy is imported.
"""

import os

DEFAULT_WIDTH = 88
MIN_WIDTH, MAX_WIDTH = 40, 100


def terminal_width(default: int = DEFAULT_WIDTH) -> int:
    """The width to wrap at: COLUMNS when set, else the terminal's, kept between 40 and 100."""
    try:
        width = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        try:
            width = os.get_terminal_size().columns
        except OSError:
            width = default
    return max(MIN_WIDTH, min(MAX_WIDTH, width))
