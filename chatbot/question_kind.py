"""What kind of question a patient asked, so an answer's lead-in speaks to the question ("About timing, …",
"Why that happens, …") rather than to the article. English and Spanish; the lead-ins themselves are data
(``lead_ins`` in ``prompts/replies.yaml`` and ``replies_es.yaml``), keyed by these kinds.

Regular expressions, not a model: there are a handful of question shapes, the words that mark them are
few and fixed, and a wrong guess only costs a slightly generic lead-in (every kind's wording is written
so it still reads correctly before any quote about the topic).
"""

from __future__ import annotations

import re

# First match wins, so the narrower shapes come first ("should I see a doctor" is about when to get
# checked, not a yes/no about doing something).
KINDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("when_to_get_checked", re.compile(
        r"\b(see|call|visit|go to) (a |the |my )?(doctor|physio|physical therapist|therapist|pt|er|urgent care|gp)\b"
        r"|\bwhen (should|do) i (worry|be worried)|\b(checked|looked at|seen) by\b|\bget (it |this |that )?"
        r"(checked|looked at|seen)\b|\bworried about\b|\bserious\b"
        r"|\b(ver|llamar|ir) al? (m[eé]dico|doctor|fisioterapeuta|urgencias)\b|\bpreocupar(me)?\b", re.I)),
    ("timing", re.compile(
        r"\bhow (long|soon)\b|\bwhen (can|will|should|do|does|is)\b|\bhow many (days|weeks|months|minutes|hours|"
        r"seconds)\b|\bcu[aá]nto tiempo\b|\bcu[aá]ndo\b", re.I)),
    ("amount", re.compile(
        r"\bhow (often|many|much|far|hard)\b|\b(times|reps|sets) a (day|week)\b|\bcu[aá]nt[oa]s?\b"
        r"|\bcada cu[aá]nto\b", re.I)),
    ("why", re.compile(r"\bwhy\b|\bwhat causes\b|\bhow come\b|\bpor ?qu[eé]\b|\bqu[eé] causa\b", re.I)),
    ("how_to", re.compile(
        r"\bhow (do|can|should|could) (i|we|you)\b|\bhow to\b|\bwhat (exercises?|stretch(es)?|can i do|should i do)\b"
        r"|\b(ways|tips|things) to\b|\bbest way\b|\bhelp (with|my|for)\b|\bc[oó]mo (puedo|debo|se)\b"
        r"|\bqu[eé] (ejercicios|puedo hacer)\b", re.I)),
    ("should_i", re.compile(
        r"^\W*(should|can|could|may|must|do|does|is|are|will|would)\b|\b(should|can|could) i\b|\bis it (ok|okay|safe|"
        r"bad|normal|fine|good)\b|\bok to\b|\bokay to\b|\bdo i (need|have)\b|\b(debo|puedo|es normal|es malo|"
        r"es bueno|est[aá] bien)\b", re.I)),
    ("what_is", re.compile(r"\bwhat('s| is| are| does)\b|\bwhats\b|\bqu[eé] (es|son|significa)\b", re.I)),
)


# A lead-in must not promise what the quote doesn't give: "About timing, …" only before a quote with a time or
# a count in it, and so on; otherwise the plain lead-in is used.
_AMOUNT = re.compile(
    r"\b(\d+|one|two|three|four|five|six|ten|twenty|thirty|a few|several|many|uno|dos|tres|cuatro|cinco|diez|"
    r"veinte|unos)\b[\s-]*(to[\s-]*\w+\s*)?(seconds?|minutes?|hours?|days?|weeks?|months?|years?|times|reps?|sets?"
    r"|minutos|horas|d[ií]as|semanas|meses|veces)\b|\b(daily(?! (life|living|tasks|activities|routine))|every day"
    r"|each day|a day|per day|once|twice|al d[ií]a|cada d[ií]a)\b", re.I)
EVIDENCE: dict[str, re.Pattern[str]] = {
    "timing": _AMOUNT,
    "amount": _AMOUNT,
    "when_to_get_checked": re.compile(
        r"\b(see (a|your) (doctor|physical therapist|therapist)|get (it )?checked|checked|medical (care|help)|right "
        r"away|emergency|urgent|promptly|m[eé]dico|urgencias|revis\w+)\b", re.I),
    "why": re.compile(r"\b(because|causes?d?|comes? from|happens|due to|reasons?|why|since|when|porque|causa\w*"
                      r"|cuando|debido)\b", re.I),
}


def question_kind(message: str, quote: str | None = None) -> str:
    """One of the names in ``KINDS``, or ``"other"`` when none fits, or when ``quote`` (the text that will
    follow the lead-in) lacks what that kind promises (a time or count, when to get checked, a reason)."""
    for name, pattern in KINDS:
        if pattern.search(message):
            evidence = EVIDENCE.get(name)
            if quote is not None and evidence is not None and not evidence.search(quote):
                return "other"
            return name
    return "other"
