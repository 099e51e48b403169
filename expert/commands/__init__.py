"""The CLI's subcommands: each module registers its own parser and handler."""
