"""A request's answers as staff read them: each question's label and each chosen option's label, in the
reader's language, never the stored codes."""

from django.utils.translation import get_language


def _option_label(question, key) -> str:
    language = get_language() or ""
    for option in question.values or []:
        if str(option.get("key")) == str(key):
            return (option.get("name_translations") or {}).get(language) or option.get("name") or str(key)
    return str(key)


def _answer_text(question, value) -> str:
    if isinstance(value, dict):  # an import's nested answer: its parts, readable
        return "; ".join(f"{key}: {_answer_text(None, part)}" for key, part in value.items())
    values = value if isinstance(value, list) else [value]
    if question is not None and question.datatype in question.LIST_TYPES:
        return ", ".join(_option_label(question, v) for v in values)
    return ", ".join(str(v) for v in values)


def labelled_answers(sr, questions, answers: dict | None = None) -> list[tuple[str, str]]:
    """(question, answer) pairs in the questions' order; answers to removed questions keep their code last.
    ``answers``: another set of the request's answers (the public ones) instead of what the resident gave."""
    by_code = {q.code: q for q in questions}
    answers = answers if answers is not None else sr.answers
    answers = answers if isinstance(answers, dict) else {}
    pairs = [(q.localized_description(), _answer_text(q, answers[q.code])) for q in questions if q.code in answers]
    pairs += [(code, _answer_text(None, value)) for code, value in answers.items() if code not in by_code]
    return pairs
