"""Names and addresses from general evidence (issue 11, second round): a given name followed by a
surname, a rare given name mid-sentence, name positions (labels, relatives, honorifics, frames,
sign-offs), addresses of many shapes; and the eponyms, exercises, brands, places and months that
look like names but must stay. Examples are written here, not taken from the privacy corpora."""

from __future__ import annotations

import pytest

from chatbot.privacy import redact
from chatbot.privacy.lexicon import is_given_name, is_surname, placeish, word_name

NAMES = [
    # a given name and a surname, wherever they stand
    ("Quick one from Dolores Whitfield about the balance class", ["Dolores", "Whitfield"]),
    ("Hello. Meenakshi Venkataraman, first visit Tuesday", ["Meenakshi", "Venkataraman"]),
    ("LORRAINE KESSLER WANTS TO RESCHEDULE", ["LORRAINE", "KESSLER"]),
    ("Maria Jose Ortega Ruiz - wrist follow up", ["Maria", "Jose", "Ortega", "Ruiz"]),
    # a given name rare in English, mid-sentence
    ("the massage therapist, Yolanda, said to ice it", ["Yolanda"]),
    ("please remind Fatima that I moved my slot", ["Fatima"]),
    # at the start of a sentence only with what a person does
    ("Ingrid said the brace is optional", ["Ingrid"]),
    # labels, with the surname first after a comma
    ("Guardian: Paulette Okafor\nChild: Dario Okafor", ["Paulette", "Okafor", "Dario"]),
    ("Patient: Lindqvist, Henrietta\nReason: knee", ["Lindqvist", "Henrietta"]),
    ("name bernice calloway\ndob 3/3/1950", ["bernice", "calloway"]),
    ("MI NOMBRE ES ROSALBA QUINTERO", ["ROSALBA", "QUINTERO"]),
    # relatives and helpers, honorifics
    ("our babysitter Consuelo brings him on Fridays", ["Consuelo"]),
    ("my daughter's coach Reggie thinks it's Sever's", ["Reggie"]),
    ("HI ITS GRANDMA ROSE AGAIN", ["ROSE"]),
    ("my 9yo, Leighton, keeps spraining that ankle", ["Leighton"]),
    # frames where even an ordinary word is a name
    ("could you let Hope know I'm running late", ["Hope"]),
    ("I hope Faith is working tomorrow", ["Faith"]),
    ("Dr. June said 3 sets", ["June"]),
    ("Summer did my eval last spring", ["Summer"]),
    ("Ray (my husband) has the same pain", ["Ray"]),
    ("Penny from billing called me", ["Penny"]),
    # sign-offs
    ("see you monday\n-marisol", ["marisol"]),
    ("Thanks so much!\nFrom Harriet and Wendell", ["Harriet", "Wendell"]),
    ("all good now, xoxo Tamsin", ["Tamsin"]),
    ("Sent by Anneliese", ["Anneliese"]),
]


@pytest.mark.parametrize(("text", "parts"), NAMES)
def test_names_are_found_from_general_evidence(text: str, parts: list[str]) -> None:
    result = redact(text)
    for part in parts:
        assert part not in result.text.split() and f"{part}," not in result.text, (part, result.text)
    assert "NAME" in result.kinds


STAY = [
    "Is the Alexander technique good for posture?",
    "my Jefferson curls are getting heavier",
    "Tommy John surgery rehab timeline?",
    "We moved from Austin to Madison last year",
    "is there a clinic in Savannah or Charlotte?",
    "ran around Lincoln Park and my knee held up",
    "Morton's neuroma again, do the Hoka shoes help?",
    "THE DR SAID NO LIFTING",
    "the dr said to keep icing",
    "Dr. Scholl's inserts or custom orthotics?",
    "Cleveland Clinic did my surgery in March",
    "We saw the Boston Marathon in April, my hip hurt after",
    "Will my knee get better by June?",
    "I have faith in the exercises and hope to run again",
    "Mein Termin: 14 Uhr",
    "¡Socorro! me duele la espalda",
    "Tomo ibuprofeno 400 mg",
    "Pain Is Worse In The Morning And Better By Evening",
    "my HRV dropped to 28 after PT days",
    "Should I do 3 sets walk then 2 sets run?",
    "Apple Watch says my heart rate is 58",
]


@pytest.mark.parametrize("text", STAY)
def test_eponyms_places_brands_and_words_stay(text: str) -> None:
    assert redact(text).text == text


ADDRESSES = [
    ("send it to 1450 Route 9W, Selkirk NY 12158", ["1450 Route 9W", "12158"]),
    ("I'm at 3015 Hwy 101 N, Gearhart OR 97138", ["3015 Hwy 101 N", "97138"]),
    ("address 45-17 Broadway, Astoria NY 11103", ["45-17 Broadway", "11103"]),
    ("new place: 22 Harbour Quay, Leith", ["22 Harbour Quay"]),
    ("Lot 12, 400 Mill Pond Rd, Ayden NC 28513", ["Lot 12", "400 Mill Pond Rd", "28513"]),
    ("mail goes to PMB 77, 9 Ridge Ave", ["PMB 77", "9 Ridge Ave"]),
    ("HC 3 Box 41B, Kamuela HI 96743", ["HC 3 Box 41B", "96743"]),
    ("its 8 birch ln, bangor maine 04401", ["8 birch ln", "04401"]),
    ("14 Kingsley Road, London SW4 7QT", ["14 Kingsley Road", "SW4 7QT"]),
    ("1006-250 Queens Quay W, Toronto ON M5J 2N2", ["1006-250 Queens Quay W", "M5J 2N2"]),
    ("15 Oak Crescent, Dublin 9, D09 X2P4", ["15 Oak Crescent", "D09 X2P4"]),
    ("mi dirección: 5 Rue des Lilas, 75019 Paris", ["5 Rue des Lilas", "75019"]),
    ("Address: Via Garibaldi 14, 10122 Torino", ["Via Garibaldi 14", "10122"]),
    ("Dirección: Carrera 15 # 88-20, Bogotá", ["Carrera 15 # 88-20"]),
    ("forms to 77 Heron Cir, Naples FL 34102-6301 please", ["77 Heron Cir", "34102-6301"]),
]


@pytest.mark.parametrize(("text", "values"), ADDRESSES)
def test_addresses_of_many_countries_and_shapes(text: str, values: list[str]) -> None:
    result = redact(text)
    for value in values:
        assert value not in result.text, (value, result.text)
    assert "ADDRESS" in result.kinds


def test_a_city_before_a_state_and_zip_is_not_a_name() -> None:
    result = redact("I live at 4 Elm St, Dayton OH 45402")
    assert "Dayton OH" in result.text and "NAME" not in result.kinds


def test_the_word_lists_are_evidence_not_verdicts() -> None:
    assert is_given_name("Yolanda") and is_surname("Whitfield") and not is_surname("Venkataraman")
    assert is_surname("Stone") and word_name("Grace") and not word_name("Yolanda")
    assert placeish("the Alexander technique", 4, 13) and placeish("we moved to Madison", 12, 19)
    assert not placeish("please tell Fatima", 12, 18)
