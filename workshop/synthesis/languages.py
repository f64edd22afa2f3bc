"""Which shipped language a card is written in, guessed from its own words, and its content words.

The synthesis never trusts a declared language: a city team has a country, but many people write in English
whatever their country. Common function words (a few dozen per language: en fr de es it pl sl, the app's
languages) name the language of a card of a sentence or two, with no model and no new dependency; they are also
what a theme's label and a card's content view leave out.
"""
import re
from functools import lru_cache

_WORD = re.compile(r"[^\W\d_]+")
_LETTERS = re.compile(r"[\W_]+")  # what a token is compared by: "l'école" as "lécole", "CE2," as "ce2"

# Function words only (articles, pronouns, prepositions, conjunctions, auxiliaries): never a word that could be
# a theme's subject, so that dropping them from a card keeps what it is about.
STOP_WORDS = {
    "en": """a about after all also an and any are as at be because been before but by can could do does for from
        had has have he her his how if in into is it its more most no not of on once one only or other our out over
        own same she should so some such than that the their them then there these they this those through to too
        under until up very was we were what when where which while who why will with would you your""",
    "fr": """à au aucun aussi autre aux avec avant c ce ceci cela ces cet cette chaque comme dans de des dès donc dont du
        elle elles en encore entre est et être eux fait il ils je la le les leur leurs lui mais me même mes moins mon
        ne ni nos notre nous on ont ou où par pas pendant peu plus pour qu que qui sa sans se ses si son sont sous sur
        ta te tes toujours tous tout toute toutes très trop tu un une vers vos votre vous y""",
    "de": """ab aber alle allem allen aller alles als also am an auch auf aus bei beim bin bis bisher da damit dann
        das dass dem den denen der deren des dessen die dies diese diesem diesen dieser dir doch dort du durch ein
        eine einem einen einer eines er es etwa für gegen gibt hat hatte haben ich ihr ihre ihrem ihren ihrer im in
        ist jede jedem jeden jeder jedes kann kaum kein keine man mehr mit muss nach nicht noch nur ob oder ohne
        schon sehr sein seine sich sie sind so über um und uns unter viel viele vom von vor war was weil wenn
        werden wie wir wird wo zu zum zur zwischen""",
    "es": """a al algo algunos ante antes como con contra cual cuando de del desde donde durante e el ella ellas ellos
        en entre era es esa ese eso esta estas este esto estos fue ha hacia han hasta hay la las le les lo los más
        me mi mientras muy nada ni no nos nuestra nuestro o otra otras otro otros para pero poco por porque que
        quien se sea ser si sin sino sobre son su sus también tan te tiene tienen todo todos tras un una uno unos
        y ya""",
    "it": """a ad agli ai al alla alle allo anche che chi ci come con cui da dai dal dalla dalle degli dei del della
        delle dello di dove e è ed gli ha hanno i il in la le lo loro ma molto ne nei nel nella nelle nello no non
        o ogni per perché più poco quale quando quanto quella quelle quelli quello questa queste questi questo se
        sempre senza si sia sono su sua sue sui sul sulla suo suoi tra tutte tutti tutto un una uno""",
    "pl": """a aby ale bardzo bez bo być był była było były by czy dla do gdy gdzie i ich ile im jak jako jednak jego
        jej jest jeszcze jeśli już każdy każdej kiedy który która które którzy ktoś lub ma mają może można na nad
        nawet nie nich nic o od oraz po pod ponieważ przez przy są się sobie tak także tam też to tu tylko w we
        więc wszystkie z za ze żeby""",
    "sl": """a ali bi bil bila bilo bo brez da do ga in iz je jih jim jo kaj kako kar ker ki ko kot le med na nad naj
        ne niso no o ob od pa po pod pri s se si so sta še tudi v vse za z že""",
}
STOP_WORDS = {language: frozenset(words.split()) for language, words in STOP_WORDS.items()}
ALL_STOP_WORDS = frozenset().union(*STOP_WORDS.values())
# A word several languages share ("a", "in", "e") counts for each of them in proportion.
_WEIGHTS = {}
for _words in STOP_WORDS.values():
    for _word in _words:
        _WEIGHTS[_word] = _WEIGHTS.get(_word, 0) + 1
_WEIGHTS = {word: 1 / count for word, count in _WEIGHTS.items()}


def words(text):
    """The text's words, lower case, without digits and punctuation."""
    return _WORD.findall(text.lower())


@lru_cache(maxsize=50_000)  # a board's cards are guessed again at every question about it
def guess(text):
    """The shipped language whose function words the text uses most, or None when it uses none of them (a card
    of three nouns, or a language the app does not ship)."""
    scores = dict.fromkeys(STOP_WORDS, 0.0)
    for word in words(text):
        if word in _WEIGHTS:
            for language, stop_words in STOP_WORDS.items():
                if word in stop_words:
                    scores[language] += _WEIGHTS[word]
    best = max(scores, key=scores.get)
    return best if scores[best] > 0 else None


def content(text):
    """The text without its guessed language's function words (spacing and punctuation of the rest kept); the
    text itself when no language is guessed or nothing would be left."""
    language = guess(text)
    if language is None:
        return text
    stop_words = STOP_WORDS[language]
    kept = [token for token in text.split() if _LETTERS.sub("", token.lower()) not in stop_words]
    return " ".join(kept) or text
