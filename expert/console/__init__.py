"""The console: the questions, the interview that asks them, and the terminal that shows the answers."""
