"""Rebuild ``kk_nouns.txt`` and ``kk_verbs.txt`` from Debian's hunspell-kk dictionary.

Usage (the package is ``hunspell-kk`` 1.1-3)::

    apt-get download hunspell-kk
    dpkg-deb -x hunspell-kk_*.deb pkg
    python search_service/text/data/build_kk_lexicon.py pkg/usr/share/hunspell

The dictionary lists verbs in their ``-у`` form (``табу``, ``шығу``) with the verbal affix flags,
and everything else with the nominal flags. We keep:

* verbs as bare roots, written as the imperative is (``табу`` -> ``тап``, ``қою`` -> ``қой``);
* nominal stems, minus entries that are only an inflected form of another entry: hunspell-kk
  lists many verb forms (``алады``, ``болатын``, ``салынды``) and noun forms (``басы``,
  ``сөзін``) as words of their own, and a listed form would stop the stemmer from reaching the
  stem. A few real nouns that look like a verb form (``қала`` is not ``қал-а``) are kept by name.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

HEADER = """\
# {what}
# Derived from the Debian package hunspell-kk 1.1-3 (kk_KZ.dic), (c) 2009 Akmaral
# Mussayeva, László Németh, Rail Aliev; licence GPL-2+ or LGPL-2.1+ or MPL-1.1+ (this
# derived file is offered under the same terms). Lower-cased, ё folded to е.
# Rebuilt by build_kk_lexicon.py: {how}
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
# case ending (қала is not қал-а, тонна is not тон-на). Chosen by hand from the entries the
# filters below drop, among those that news text also shows with noun endings (қаланың).
KEEP = _words(
    """
    аға алла алты ара арна ару аспап астық атамекен ата атырап ауа аула аумақ айып
    айнала аймақ аса ауылдық баға батпақ белсенді береке бірлестік бұғана дене демек ерікті
    ерте есе жабдық жаға жаза жамандық жара жарна жарты жаппай жеке жеңілдік жеті жетім
    жетістік жұбай жылдық кеме кенеп кеңсе кеше көне көше қазына қайта қала қалдық қалып
    қаңқа қара қарқынды қате қауіп қауіпті қақпақ қорған қорытынды мақала мәрте медицина
    мереке міне науқан орай орта орындық отандық өте өтемақы салмақ сала сынып талай талап
    тарап толықтай тонна төлемақы туынды түйе ұрпақ ірге ынтымақтастық ыстық үздік шеше
    шекті шетелдік дарынды баспана артық шағын дайын тегін еркін қиын бүгін кейін алтын
    тоғыз отын қалың жалын басқа өзге алға жақын
    орын
    """
)

# Two-letter verb roots that exist; hunspell-kk's other two-letter roots come from misread
# entries (елу "fifty" is not ел- + -у) and would match the start of many words.
SHORT_VERBS = _words(
    "аз ай ал ар ас ат ау аш ақ де ез ек ем ер ес ет же жи жу и ки оз ой ор оқ оң өп су ти ту "
    "ыс іл ір іс іш қи қу үз үй үр үс ұй ұл ұр ұт ұш ұқ өл өн өр өс өт өш"
)
# Common verbs the dictionary lacks.
EXTRA_VERBS = _words("қыл қайт жүгір тос қалдыр тоқтат бірлес айналыс атсалыс тездет алаңдат")

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
    kept = {
        word
        for word in nouns
        if word in KEEP or not (is_verb_form(word, verbs) or is_noun_form(word, nouns))
    }
    return sorted(kept), sorted(verbs)


def write(path: Path, what: str, how: str, words: list[str]) -> None:
    text = HEADER.format(what=what, how=how) + "\n".join(words) + "\n"
    path.write_text(text, encoding="utf-8")


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    nouns, verbs = build(Path(argv[0]))
    out = Path(__file__).parent
    write(out / "kk_nouns.txt", NOUNS_WHAT, NOUNS_HOW, nouns)
    write(out / "kk_verbs.txt", VERBS_WHAT, VERBS_HOW, verbs)
    print(f"{len(nouns)} nominal stems, {len(verbs)} verb roots")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
