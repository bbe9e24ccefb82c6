"""SSOT000 parse-error."""

from ssot_lint.rules.base import MetaRule


class ParseError(MetaRule):
    code = "SSOT000"
    name = "parse-error"
    summary = "File cannot be read or parsed"
    what_it_does = """
        Reports a file that cannot be analysed: a syntax error, bytes that do not
        decode in the file's declared encoding, or a file that cannot be read.
        The diagnostic points at the position of the problem; the run goes on
        with every other file.
        """
    why_bad = """
        Nothing else can be checked in a file that does not parse, so its SSOT
        violations stay invisible. A file Python cannot parse also breaks test
        collection for everything that imports it.
        """
    example = """
        def start_execution(agent_name: str:
            return agent_name
        """
    use_instead = """
        def start_execution(agent_name: str):
            return agent_name
        """
