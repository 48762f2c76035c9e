"""Which language a patient wrote in: ``en``, ``es`` or ``other``.

``py3langid`` (a bundled naive-Bayes model, offline) reads sentences well but guesses wildly on one or
two words ("hi" -> Arabic, "Hola" -> Zulu), and most chat messages are short. So short or uncertain
messages are decided by small lists of common words instead, and a message defaults to English unless
it is clearly something else: answering an English speaker "I only read English" is the worse mistake.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any

_WORD = re.compile(r"[^\W\d_]+")
# Common words of each language, none in both lists ("no", "me" and "a" are in neither); accents stripped first.
_SPANISH = frozenset("""hola gracias buenos buenas dias tardes noches adios tengo tiene duele duelen dolor espalda
rodilla rodillas cuello hombro cadera tobillo pie pies pierna piernas mano muneca codo cabeza pecho puedo puede
quiero necesito por favor que como cuando donde porque pero tambien muy mucho poco mi mis su sus el la los las
del una uno unos unas es esta estoy estan son hay para con sin desde hasta ayuda ayudar hacer ejercicio ejercicios
caminar correr sentado dormir noche manana semana horas cita citas seguro terapia fisioterapia clinica medico
doctor pastillas medicina cirugia operacion despues antes hijo hija mama papa esposo esposa nino nina ya si se lo
le les nos usted ustedes ellos ella eso esto esta ese sabe saber mejor peor ahora hoy ayer siempre nunca
aceptan estacionamiento horario abren cierran cuesta precio cancelar este deja vivir mas algo nada todo
bien mal hace tiempo dia desde aqui ahi cuanto cuantos cuantas hago debo siento estar""".split())
_ENGLISH = frozenset("""the my is and i it to of in for on with at have has had do does did can could should would
will what how why when where which who hurts hurt hurting pain sore back knee neck hip shoulder foot feet leg legs
arm hand elbow ankle after before since this that there are was were be been get got im ive dont cant its your you
help thanks thank hi hello hey bye ok okay yes please about from just not but so if or any some lol
test pt exercise exercises walk walking run running stretch stretches ice heat""".split())
_LANGUAGES = ["en", "es", "fr", "pt", "de", "it", "nl", "pl", "vi", "tl", "ht", "ru", "uk", "zh", "ja", "ko", "ar",
              "hi", "bn", "pa", "ur", "fa", "tr", "sw", "so", "am", "el", "he", "th", "ro", "hu", "cs", "sv"]


@lru_cache(maxsize=1)
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(_LANGUAGES)
    return identifier


def _plain(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text.lower()) if unicodedata.category(c) != "Mn")


def _latin_share(text: str) -> float:
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return 1.0
    return sum("LATIN" in unicodedata.name(c, "") for c in letters) / len(letters)


def detect(text: str) -> str:
    """``en``, ``es`` or ``other`` for one message (already cleaned of look-alike letters)."""
    if _latin_share(text) < 0.5:
        return "other"
    words = _WORD.findall(_plain(text))
    if not words:
        return "en"
    spanish = sum(w in _SPANISH for w in words)
    english = sum(w in _ENGLISH for w in words)
    marks = bool(re.search(r"[¿¡ñÑ]", text))
    if len(words) <= 3 or (spanish + english) / len(words) >= 0.5:
        if spanish > english or (marks and spanish >= english):
            return "es"
        if english or len(words) <= 3:
            return "en"
    language, probability = _identifier().classify(text)
    if language == "es" and spanish >= english:
        return "es"
    if language == "en" or english >= 2 or probability < 0.8:
        return "es" if spanish > english + 1 else "en"
    return "other"
