"""`expert export --clips FILE.clp`: the knowledge base as CLIPS constructs, loadable by CLIPS as it is."""

import argparse

from expert.errors import ExpertError, InvalidKnowledgeBaseError


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "export",
        help="write the knowledge base in another engine's language (CLIPS)",
        description="Write the knowledge base as CLIPS constructs: a deftemplate for each kind of fact "
        "(findings included) and a defrule for each rule, its citations in the rule's comment. "
        "Load the file in CLIPS with (load \"FILE.clp\"), then (reset) and (run).",
    )
    parser.add_argument("--clips", metavar="FILE.clp", required=True, help="where to write the CLIPS file ('-' for standard output)")
    parser.add_argument(
        "--case", metavar="CASE.json", help="also write the facts of this case file as a deffacts, so that (reset) asserts them"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, out) -> int:
    from expert.engine.session import parse_fact
    from expert.kb.clips import deffacts, export_clips
    from expert.rules.knowledge import KnowledgeBaseError, default_knowledge_base
    from expert.util.casefile import read_case

    try:
        kb = default_knowledge_base()
    except KnowledgeBaseError as exc:
        raise InvalidKnowledgeBaseError(exc.problems) from exc
    text = export_clips(kb)
    if args.case:
        facts = [parse_fact(raw, f"facts[{i}]") for i, raw in enumerate(read_case(args.case))]
        text += "\n" + deffacts(facts)
    if args.clips == "-":
        out.write(text)
        return 0
    try:
        with open(args.clips, "w", encoding="utf-8") as file:
            file.write(text)
    except OSError as exc:
        raise ExpertError(f"cannot write {args.clips}: {exc.strerror}; choose another path for --clips") from exc
    out.write(f"wrote {len(kb.rules)} rules and {text.count('(deftemplate ')} templates to {args.clips}\n")
    return 0
