"""`expert rules`: every rule with its conditions, conclusions and citations, or the rule graph."""

import argparse


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "rules",
        help="list the rules, or draw which rule's conclusions feed which rule",
        description="List every rule of the knowledge base with its id, title, category, hedge, conditions, "
        "conclusions and citations (text or json), or draw the rule graph (dot for Graphviz, mermaid for "
        "Markdown): an edge from rule A to rule B when a finding A concludes can satisfy a condition of B.",
    )
    parser.add_argument(
        "--format",
        choices=["text", "json", "dot", "mermaid"],
        default="text",
        help="text (default), json (rules and edges), dot or mermaid (the rule graph)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, out) -> int:
    from expert.engine.session import Session
    from expert.kb.graph import rules_as

    # A Session loads the knowledge base and turns a broken one into InvalidKnowledgeBaseError.
    out.write(rules_as(Session().knowledge_base, args.format))
    return 0
