"""The width output wraps at: one rule for the console, its cached first screen and the reports.

Standard library only, so the console can work it out before anything heavy is imported.
"""

import os

DEFAULT_WIDTH = 88
MIN_WIDTH, MAX_WIDTH = 40, 100


def terminal_width(default: int = DEFAULT_WIDTH) -> int:
    """The width to wrap at: COLUMNS when set, else the terminal's, kept between 40 and 100.

    The terminal is the one output goes to, or, when output is piped (`expert consult x | less`),
    the one errors still go to: the reader sees the text there all the same.
    """
    try:
        width = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        width = default
        for fd in (1, 2):
            try:
                width = os.get_terminal_size(fd).columns
                break
            except (OSError, ValueError):
                continue
    return max(MIN_WIDTH, min(MAX_WIDTH, width))
