"""A person's gender as far as a news article lets us tell, so that `he` and `she` skip a person of the
other known gender (spaCy gives none).

The article's own words decide first: titles and words of kin or office right before a mention (`Mr.`,
`Mrs.`, `his wife,`, `the spokeswoman`). Failing those, the given name does, by the first-name lists of
the Faker package's locales: a name is a woman's when at least twice as many locales list it as female
only as list it as male only, and the other way round; a name both ways (`Kim`, `Hillary`) tells nothing.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections import Counter
from collections.abc import Iterable
from functools import cache

MALE = "male"
FEMALE = "female"

# Words before a name that tell a man from a woman (`Mr.`, `his wife,`, `the first lady,`).
MALE_TITLES = frozenset(
    ["mr", "sir", "husband", "father", "son", "brother", "king", "congressman", "chairman", "spokesman",
     "businessman", "widower", "grandfather", "uncle", "nephew", "boyfriend"]
)  # fmt: skip
FEMALE_TITLES = frozenset(
    ["mrs", "ms", "miss", "madam", "lady", "wife", "mother", "daughter", "sister", "queen", "congresswoman",
     "chairwoman", "spokeswoman", "businesswoman", "widow", "grandmother", "aunt", "niece", "girlfriend",
     "actress"]
)  # fmt: skip
PRONOUN_GENDERS = {"he": MALE, "him": MALE, "his": MALE, "she": FEMALE, "her": FEMALE, "hers": FEMALE}
_MAJORITY = 2  # one gender's when this many times as many votes (locales, titled mentions) give it


def gender_by_titles(titles: Iterable[str]) -> str | None:
    """The gender the words before a person's mentions tell, or None when they tell none, or both."""
    words = set(titles)
    male, female = bool(words & MALE_TITLES), bool(words & FEMALE_TITLES)
    return MALE if male and not female else FEMALE if female and not male else None


def gender_by_given_name(name: str) -> str | None:
    """The gender the first-name lists give a given name (`Melanie`), or None when unknown or both."""
    female, male = _given_names()
    return majority(female[name], male[name])


def majority(female: int, male: int) -> str | None:
    """The gender of at least twice as many votes as the other, or None."""
    if female and female >= _MAJORITY * male:
        return FEMALE
    if male and male >= _MAJORITY * female:
        return MALE
    return None


def is_given_name(word: str) -> bool:
    """Some locale's first-name list holds the word (`Donald`, `Kim`), whichever gender."""
    female, male = _given_names()
    return word in female or word in male


@cache
def _given_names() -> tuple[Counter[str], Counter[str]]:
    """How many of Faker's locales list each given name as female only, and as male only."""
    import faker.providers.person as person_providers

    female: Counter[str] = Counter()
    male: Counter[str] = Counter()
    for module in pkgutil.iter_modules(person_providers.__path__):
        provider = importlib.import_module(f"{person_providers.__name__}.{module.name}").Provider
        women, men = getattr(provider, "first_names_female", ()), getattr(provider, "first_names_male", ())
        if isinstance(women, str) or isinstance(men, str) or not women or not men:
            continue
        women, men = set(women), set(men)
        female.update(women - men)
        male.update(men - women)
    return female, male
