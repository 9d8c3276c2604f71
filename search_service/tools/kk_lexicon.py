"""Rebuild ``kk_nouns.txt`` and ``kk_verbs.txt`` from Debian's hunspell-kk dictionary.

Usage (the package is ``hunspell-kk`` 1.1-3)::

    apt-get download hunspell-kk
    dpkg-deb -x hunspell-kk_*.deb pkg
    search-service build-kk-lexicon pkg/usr/share/hunspell

It writes ``kk_nouns.txt`` and ``kk_verbs.txt`` into ``search_service/text/data/``.

The dictionary lists verbs in their ``-у`` form (``табу``, ``шығу``) with the verbal affix flags,
and everything else with the nominal flags. We keep:

* verbs as bare roots, written as the imperative is (``табу`` -> ``тап``, ``қою`` -> ``қой``);
* nominal stems, minus entries that are only an inflected form of another entry: hunspell-kk
  lists many verb forms (``алады``, ``болатын``, ``салынды``) and noun forms (``басы``,
  ``сөзін``) as words of their own, and a listed form would stop the stemmer from reaching the
  stem. A few real nouns that look like a verb form (``қала`` is not ``қал-а``) are kept by name.
"""

from __future__ import annotations

import bisect
import re
from pathlib import Path

import click

DATA_DIR = Path(__file__).resolve().parents[1] / "text" / "data"  # where the lists live
HEADER = """\
# {what}
# Derived from the Debian package hunspell-kk 1.1-3 (kk_KZ.dic), (c) 2009 Akmaral
# Mussayeva, László Németh, Rail Aliev; licence GPL-2+ or LGPL-2.1+ or MPL-1.1+ (this
# derived file is offered under the same terms). Lower-cased, ё folded to е.
# Rebuilt by `search-service build-kk-lexicon`: {how}
"""
NOUNS_WHAT = "Kazakh nominal stems (nouns, adjectives, adverbs, names), one per line."
NOUNS_HOW = (
    "one- and most two-letter entries and entries that are an\n"
    "# inflected form of another entry (алады, болатын, жұмысын) removed."
)
VERBS_WHAT = "Kazakh verb roots (the bare imperative: тап, шық, ал), one per line."
VERBS_HOW = "the -у of the dictionary form cut, a final б/г/ғ devoiced."

VOWELS = "аәеиоөұүыіэюяё"


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


VERB_FLAG = "M"  # every verb entry carries the verbal affix flags M..z

# Real nominal words that read like a verb root plus a verbal ending, or like a noun plus a
# case ending (қала is not қал-а, тонна is not тон-на): a hand-written list beside this script.
KEEP = frozenset(
    line.strip()
    for line in (DATA_DIR / "kk_whole_nouns.txt").read_text("utf-8").splitlines()
    if line.strip() and not line.startswith("#")
)

# Two-letter verb roots that exist; hunspell-kk's other two-letter roots come from misread
# entries (елу "fifty" is not ел- + -у) and would match the start of many words.
SHORT_VERBS = _words(
    "аз ай ал ар ас ат ау аш ақ де ез ек ем ер ес ет же жи жу и ки оз ой ор оқ оң өп су ти ту "
    "ыс іл ір іс іш қи қу үз үй үр үс ұй ұл ұр ұт ұш ұқ өл өн өр өс өт өш"
)
# Common verbs the dictionary lacks.
EXTRA_VERBS = _words("қыл қайт жүгір тос қалдыр тоқтат бірлес айналыс атсалыс тездет алаңдат")

# Common nouns the dictionary lists only as a verb (су "water" beside су- "to water").
EXTRA_NOUNS = _words("су")

# Endings that close a verb form (tense, person, converb, participle, condition), and the
# ones that may stand between the root and them (voice, negation). Harmony variants listed.
_PERSON_SHORT = r"(?:м|ң|қ|к|ңыз|ңіз|ңдар|ңдер)?"  # after the past -ды and the conditional -са
_PERSON_LONG = r"(?:ды|ді|мын|мін|мыз|міз|сың|сің|сыз|сіз|сыңдар|сіңдер|сыздар|сіздер)?"
_VERB_FORM = re.compile(
    r"(?:ыл|іл|л|ын|ін|н)?(?:ма|ме|ба|бе|па|пе)?"  # voice, negation
    r"(?:"
    rf"(?:ды|ді|ты|ті|са|се){_PERSON_SHORT}"  # past, conditional
    rf"|(?:а|е|й|и){_PERSON_LONG}"  # converb, present
    r"|(?:ып|іп|п)(?:ты|ті)?"  # converb, evidential past
    r"|(?:ған|ген|қан|кен|атын|етін|йтын|йтін|мақ|мек|пақ|пек|бақ|бек|мас|мес|пас|пес|бас|бес"
    r"|у)(?P<nominal>.*)"  # participles, the verbal noun: they take nominal endings after them
    r")"
)
# Noun endings that make an entry an inflected form: plural, a case, or a possessive with a
# case (жұмысын). A bare possessive (-ы, -ым) or -ды/-ті also derive words (жақсы, шешім,
# маңызды), so they condemn nothing; the stemmer cuts them from listed words itself.
_NOUN_ENDING = re.compile(
    r"(?:лар|лер|дар|дер|тар|тер).*"
    r"|(?:ы|і|сы|сі)(?:н|на|не|нда|нде|нан|нен|ның|нің)"
    r"|ның|нің|дың|дің|тың|тің|ға|ге|қа|ке|да|де|та|те|дан|ден|тан|тен|нан|нен|ны|ні"
    r"|мен|бен|пен"
)
# What a participle or a verbal noun takes after it: any nominal ending (болғанын, білгендік).
_AFTER_PARTICIPLE = re.compile(
    r"(?:дық|дік|тық|тік|лық|лік)?(?:лар|лер|дар|дер|тар|тер)?"
    r"(?:ы|і|сы|сі|ым|ім|ың|ің|ымыз|іміз|ыңыз|іңіз|м|ң|мыз|міз)?"
    r"(?:н|на|не|нда|нде|нан|нен|ның|нің|ға|ге|қа|ке|да|де|та|те|дан|ден|тан|тен|нан|нен"
    r"|ны|ні|ды|ді|ты|ті|мен|бен|пен|дай|дей|тай|тей|ша|ше)?"
)
# Two-letter nominal entries worth keeping: hunspell-kk's others are mostly letters and syllables.
SHORT_NOUNS = _words("су ту шу ми би ки жу не")
_DEVOICE = str.maketrans("бгғ", "пкқ")
_NEGATED = re.compile("(?:ма|ме|ба|бе|па|пе)")
_VOWEL_YU = re.compile("([аәеоөұүыі])ю")


def verb_root(entry: str) -> str | None:
    """The bare root of a dictionary verb (its -у/-ю verbal noun), as an imperative is written.

    >>> [verb_root(w) for w in ("алу", "табу", "шығу", "сайлау", "қою", "кию")]
    ['ал', 'тап', 'шық', 'сайла', 'қой', 'ки']
    """
    if entry.endswith("ию"):
        return entry[:-1]
    if entry.endswith("ю"):
        return entry[:-1] + "й"
    if not entry.endswith("у") or len(entry) < 3:
        return None
    if len(entry) == 3 and entry[1] in "аә":
        return entry  # жау, сау: the у belongs to the root (жауды, сауып)
    root = entry[:-1]
    # a voiced final is written voiceless at the end of a word: таб-у -> тап
    return root[:-1] + root[-1].translate(_DEVOICE)


def normal(word: str) -> str:
    return word.strip().lower().replace("ё", "е")


def read_dictionary(folder: Path) -> tuple[set[str], set[str]]:
    """(nominal entries, verb roots) of kk_KZ.dic, before filtering."""
    nouns: set[str] = set()
    verbs: set[str] = set()
    lines = (folder / "kk_KZ.dic").read_text(encoding="utf-8-sig").splitlines()
    for line in lines[1:]:  # the first line is the entry count
        word, _, flags = line.partition("/")
        word = normal(word)
        if not word or " " in word:
            continue
        if VERB_FLAG in flags:
            root = verb_root(word)
            if root:
                verbs.add(root)
        elif len(word) >= 2:
            nouns.add(word)
    return nouns, verbs


def _verb_bases(part: str) -> list[str]:
    """Roots that ``part`` may spell before an ending (таб -> тап, оқи -> оқы, оқ)."""
    bases = [part]
    if part[-1] in "бгғ":
        bases.append(part[:-1] + part[-1].translate(_DEVOICE))
    if part[-1] in "иыі":  # оқи-ды, оқы-ған: hunspell's оқ(у)
        bases += [part[:-1] + "ы", part[:-1] + "і", part[:-1]]
    if len(part) > 3 and part[-2] in "ыі" and part[-1] not in VOWELS and part[-3] not in VOWELS:
        bases.append(part[:-2] + part[-1])  # қорық-қан: hunspell's қорқ(у)
    return bases


def _plausible(word: str) -> bool:
    """A nominal entry long enough to be a stem (two letters only as ел, ат or a listed one)."""
    return len(word) > 2 or (len(word) == 2 and word[0] in VOWELS) or word in SHORT_NOUNS


def is_verb_form(word: str, verbs: set[str]) -> bool:
    """True if ``word`` is a listed verb root followed by a regular verbal ending chain."""
    word = _VOWEL_YU.sub(r"\1йу", word)  # қоюға is қой-у-ға
    for cut in range(2, len(word)):
        head, tail = word[:cut], word[cut:]
        match = _VERB_FORM.fullmatch(tail)
        if not match or not any(base in verbs for base in _verb_bases(head)):
            continue
        nominal = match.group("nominal")
        if not nominal or _AFTER_PARTICIPLE.fullmatch(nominal):
            return True
    return False


def is_noun_form(word: str, nouns: set[str]) -> bool:
    """True if ``word`` is another listed nominal stem followed by inflection."""
    for cut in range(2, len(word) - 1):
        head, tail = word[:cut], word[cut:]
        if not _NOUN_ENDING.fullmatch(tail) or not _plausible(head):
            continue
        heads = [head, head[:-1] + head[-1].translate(_DEVOICE)]
        if len(head) > 2 and head[-1] not in VOWELS and head[-2] not in VOWELS:  # аузы: ауыз
            heads += [head[:-1] + vowel + head[-1] for vowel in "ыі"]
        if any(candidate in nouns for candidate in heads):
            return True
    # a possessive after a dropped vowel is never a word of its own: халқы (халық), орны (орын)
    head, tail = word[:-1], word[-1]
    if tail in "ыі" and len(head) > 2 and head[-1] not in VOWELS and head[-2] not in VOWELS:
        return any(head[:-1] + vowel + head[-1] in nouns for vowel in "ыі")
    return False


def is_passive_stem(word: str, verbs: set[str]) -> bool:
    """True when ``word`` is a listed verb root plus the passive -ыл/-іл (-л after a vowel).

    (Not the reflexive -ын/-н: too many nouns and names end so, боран, Асан.)

    >>> is_passive_stem("ашыл", {"аш"}), is_passive_stem("басталдар", {"баста"})
    (True, False)
    """
    for voice in ("ыл", "іл", "л"):
        base = word[: -len(voice)]
        if not word.endswith(voice) or len(base) < 2:
            continue
        if len(voice) == 1 and base[-1] not in VOWELS:
            continue
        if any(root in verbs for root in _verb_bases(base)):
            return True
    return False


def is_voiced_alternant(word: str, words: set[str]) -> bool:
    """True for an entry that is only the form a listed stem takes before a vowel ending.

    A Kazakh word never ends in a voiced б, г, ғ; hunspell-kk still lists some stems so
    (``себеб`` beside ``себеп``, ``бүг`` beside the verb ``бүк``), and such an entry lets the
    stemmer read ``бүгінде`` as ``бүг-інде`` instead of ``бүгін-де``.

    >>> is_voiced_alternant("себеб", {"себеп"}), is_voiced_alternant("клуб", {"клуп"} - {"клуп"})
    (True, False)
    """
    if word[-1] not in "бгғ":
        return False
    return word[:-1] + word[-1].translate(_DEVOICE) in words


# What a plural or an abstract noun proves. A case ending takes no plural after it and a
# finite verb form takes neither, so a listed plural (оқиғалары) or -лық noun (ақылдылық) built
# on an entry shows that the entry is a stem; a participle or a verbal noun takes both
# (болғандар), and a locative makes -лік words (күнделік), so those prove nothing.
_PLURAL = re.compile(r"(?:лар|лер|дар|дер|тар|тер)\w*")
_ABSTRACT = re.compile(r"(?:лық|лік|дық|дік|тық|тік|сыз|сіз|лас|лес|дас|дес|тас|тес)\w*")
_TAKES_BOTH = re.compile(
    r"(?:ған|ген|қан|кен|атын|етін|йтын|йтін|у|ушы|уші|мақ|мек|бақ|бек|пақ|пек|мас|мес|бас|бес"
    r"|ар|ер|р)$"
)
_PAST = re.compile(r"(?:ды|ді|ты|ті)$")
_LOCATIVE = re.compile(r"(?:да|де|та|те|нда|нде)$")


def has_own_forms(word: str, entries: list[str]) -> bool:
    """True when the dictionary lists a plural or a -лық noun built on the whole entry.

    Such an entry is a word of its own even when it reads like a form of a shorter one:
    ``ақылды`` (ақылдылық) is "clever", not ``ақыл-ды``; ``оқиға`` (оқиғалары) is "event",
    not ``оқи-ға``. ``entries`` is sorted, so the entries that start with ``word`` follow it.

    >>> has_own_forms("оқиға", ["оқиға", "оқиғалары"]), has_own_forms("болған", ["болғандар"])
    (True, False)
    """
    if _TAKES_BOTH.search(word):
        return False
    proofs = (_PLURAL,) if _LOCATIVE.search(word) else (_PLURAL, _ABSTRACT)
    at = bisect.bisect_right(entries, word)
    while at < len(entries) and entries[at].startswith(word):
        if any(proof.fullmatch(entries[at][len(word) :]) for proof in proofs):
            return True
        at += 1
    return False


def build(folder: Path) -> tuple[list[str], list[str]]:
    """The filtered (nouns, verbs), sorted."""
    nouns, verbs = read_dictionary(folder)
    verbs = {verb for verb in verbs if len(verb) > 2 or verb in SHORT_VERBS} | EXTRA_VERBS
    # hunspell also lists some negative stems as verbs (бермеу): the stemmer cuts -ма/-ме itself
    verbs = {
        verb
        for verb in verbs
        if not any(
            _NEGATED.fullmatch(verb[cut:]) and verb[:cut] in verbs for cut in range(2, len(verb))
        )
    }
    nouns = {word for word in nouns if _plausible(word)}
    everything = sorted(nouns)
    nouns = {word for word in nouns if not is_voiced_alternant(word, nouns | verbs)}
    # hunspell lists passive verb stems with the nominal flags too (ашыл, бастал); a real noun
    # that looks like one (ауыл, ақыл) has a plural or a noun made from it in the dictionary
    nouns = {
        word
        for word in nouns
        if word in KEEP or not is_passive_stem(word, verbs) or has_own_forms(word, everything)
    }
    kept = set()
    for word in nouns:
        verb_form = is_verb_form(word, verbs)
        form = verb_form or is_noun_form(word, nouns)
        # a finite past (-ды) takes no plural, an adjective in -ды does (ақылды); a converb
        # (алып, көрсе) is far commoner in news than the noun it may also be
        proven = has_own_forms(word, everything) and (not verb_form or _PAST.search(word))
        if word in KEEP or not form or proven:
            kept.add(word)
    return sorted(kept | EXTRA_NOUNS), sorted(verbs)


def write(path: Path, what: str, how: str, words: list[str]) -> None:
    text = HEADER.format(what=what, how=how) + "\n".join(words) + "\n"
    path.write_text(text, encoding="utf-8")


@click.command("build-kk-lexicon")
@click.argument("hunspell_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
def command(hunspell_dir: Path) -> None:
    """Rebuild the Kazakh stem lists (text/data/kk_nouns.txt, kk_verbs.txt) from hunspell-kk.

    HUNSPELL_DIR is the folder holding kk_KZ.dic of the Debian package hunspell-kk 1.1-3.

    \b
    Example:
      apt-get download hunspell-kk && dpkg-deb -x hunspell-kk_*.deb pkg
      search-service build-kk-lexicon pkg/usr/share/hunspell
    """
    nouns, verbs = build(hunspell_dir)
    write(DATA_DIR / "kk_nouns.txt", NOUNS_WHAT, NOUNS_HOW, nouns)
    write(DATA_DIR / "kk_verbs.txt", VERBS_WHAT, VERBS_HOW, verbs)
    click.echo(f"{len(nouns)} nominal stems, {len(verbs)} verb roots")
