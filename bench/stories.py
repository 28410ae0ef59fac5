"""Made-up stories shaped like the scraped ones in seeds/: pure Python, no Django.

A scraped file has a headline between "Separator" lines, an "img" placeholder, ten or so
paragraphs of thirty to fifty words with "Also Read:" cross-links among them, a "Current Issue"
line and a cookie-banner blurb at the end: about 2.7 KB. `story_text` writes one such file from
a seeded random generator, so a run is repeatable and every story is different.

`paragraph_pool` and `Story` serve the bulk generator, which needs 100,000 stories in seconds:
it picks whole paragraphs from a pool instead of drawing every word.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

# The words of the seed story and of the desks it comes from, so the text (and what search
# finds in it) reads like news rather than lorem ipsum.
_WORD_TEXT = """
defence minister visit cooperation drones industrial collaboration potential delivery
manufactured increases unmanned technology military member eager broaden economic links
outside europe middle east destination official allies evaluating established competence
aircraft systems explores platforms improve forces capabilities modern combat plans navy
shipyard inspect facilities monitor manufacturing ministry stated officials assess design
innovative equipment international reputation become known delivered proven successful
against attracting attention seeking modernize meetings indicate common desire bilateral
security ties governments continue conversations following days particular areas sector
grown dramatically recent years indigenous exporting experts believe expertise legitimate
partner looking strengthen posture interest evident domestically reportedly observed airport
during test flight heavy industries becoming increasingly important efforts address regional
challenges presence combined continuous missile development highlighted need additional
surveillance attack missions operational flexibility markets investors quarter growth
inflation central bank rates energy prices election parliament budget health hospital
schools teachers climate flooding harvest farmers exports shipping port railway court ruling
police investigation council housing water supply university research scientists study
the the the of of of and and and to to in in a a is was for on with that as by at from
"""
WORDS = _WORD_TEXT.split()

_HEADLINE_TEXT = """
Defence Minister Visits Talks Drones Shipyard Budget Election Markets Rally Court Rules
Ports Rail Strike Harvest Floods Summit Deal Exports Research Hospital Schools Council
Housing Water Energy Prices Bank Rates Growth Security Navy Airport Inflation Climate
"""
HEADLINE_WORDS = _HEADLINE_TEXT.split()

# A word every hundredth story carries in its headline and first paragraph: what the size
# benchmark searches for, so its result count grows with the database as a real topic's does.
TOPIC_WORD = "Hydrofoil"
TOPIC_EVERY = 100

COOKIE_BLURB = (
    "\N{COOKIE} Do you like Cookies?\n\n"
    "We use cookies to ensure you get the best experience on our website. Read more..."
)


def _sentence(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choices(WORDS, k=words))
    return text[0].upper() + text[1:] + "."


def paragraph(rng: random.Random) -> str:
    """Twenty-seven to forty-two words in two or three sentences, like a paragraph of the seed."""
    sentences = rng.randint(2, 3)
    total = rng.randint(27, 42)
    return " ".join(_sentence(rng, total // sentences) for _ in range(sentences))


def headline(rng: random.Random, number: int) -> str:
    """A headline; the number makes it unique, so imports never merge two stories."""
    words = rng.choices(HEADLINE_WORDS, k=rng.randint(5, 8))
    if number % TOPIC_EVERY == 0:
        words.insert(1, TOPIC_WORD)
    return f"{' '.join(words)} ({number})"


def story_text(rng: random.Random, number: int) -> str:
    """One scraped file's text: seed furniture, eight to ten paragraphs, two "Also Read" links."""
    paragraphs = [paragraph(rng) for _ in range(rng.randint(8, 10))]
    if number % TOPIC_EVERY == 0:
        paragraphs[0] = f"{TOPIC_WORD} {paragraphs[0]}"
    for position in sorted(rng.sample(range(3, len(paragraphs)), 2), reverse=True):
        paragraphs.insert(position, f"Also Read: {headline(rng, rng.randint(1, 10**6))}")
    parts = ["Separator", headline(rng, number), "Separator", "img", *paragraphs]
    return "\n\n".join([*parts, "Current Issue\n\n\n", COOKIE_BLURB]) + "\n"


def paragraph_pool(rng: random.Random, size: int = 400) -> list[str]:
    return [paragraph(rng) for _ in range(size)]


@dataclass(frozen=True, kw_only=True)
class Story:
    """A generated story as the bulk generator stores it: plain-text paragraphs."""

    number: int
    headline: str
    standfirst: str
    paragraphs: tuple[str, ...]

    @property
    def body_html(self) -> str:
        # Generated words hold no markup, so this is already what the sanitiser would store.
        return "\n".join(f"<p>{p}</p>" for p in self.paragraphs)

    @property
    def body_text(self) -> str:
        return " ".join(self.paragraphs)


def pooled_story(rng: random.Random, number: int, pool: list[str]) -> Story:
    """A story of whole paragraphs drawn from `pool`: fast enough for 100,000 at once."""
    chosen = rng.sample(pool, 9)
    standfirst = chosen[0]
    if number % TOPIC_EVERY == 0:
        standfirst = f"{TOPIC_WORD} {standfirst}"
    return Story(
        number=number,
        headline=headline(rng, number),
        standfirst=standfirst,
        paragraphs=tuple(chosen[1:]),
    )
