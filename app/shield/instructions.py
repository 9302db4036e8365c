"""Text aimed at an assistant, in English and German: overriding its instructions, asking for its prompt, keeping
secrets from the user, setting up a new role, sending the conversation away.

The patterns look for what an attacker must write (an imperative to the model, a role marker of a chat template), not
for the topic: a document that explains prompt injection or mentions a system prompt is not flagged, one that says
"ignore all previous instructions" is.

Prefilters decide where Python's ``re`` runs a pattern. First RE2, in C over the text's bytes: all patterns as one
alternation (``_ANY``) say where one can match at all (most documents: nowhere, and they end there), then as one set
(``_SET``) which can in those paragraphs. There a pattern runs only where a word it starts with is (``_STARTS``). A text
RE2 may read otherwise (a lone surrogate) has a pattern run in the paragraphs that hold the words it needs (``_NEEDS``,
checked on sets of words: ``app.shield.tokens``) instead. The gaps are bounded (``{0,60}``), and RE2 is linear, so a
hostile text costs time linear in its length.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import re2

from app.shield import tokens
from app.shield.flags import Flag, Kind, quoted
from app.shield.tokens import Paragraph
from core.messages import Message

_AI = r"(?:ai|a\.i\.|llm|assistant|language\s+model|chatbot|bot|chat\s*gpt|gpt(?:-\d)?|claude|gemini|copilot|model)"
_KI = r"(?:ki|sprachmodell|assistent(?:in)?|chatbot|bot|llm|modell)"
_OLD = (r"(?:previous|prior|above|earlier|preceding|former|original|initial|system|safety|existing|old|given|"
        r"developer|default)")  # fmt: skip
_RULES = (r"(?:instructions?|prompts?|rules|directions|directives|guidelines|guardrails|context|constraints|commands|"
          r"orders|programming|restrictions|policies|polic(?:y|ies))")  # fmt: skip
_DE_OLD = r"(?:vorherigen|bisherigen|obigen|vorangegangenen|vorigen|früheren|ursprünglichen|alten|bestehenden|gegebenen)"
_DE_RULES = r"(?:anweisungen|instruktionen|befehle|regeln|vorgaben|richtlinien|anordnungen|systemanweisungen|prompts?)"
_CONVERSATION = (r"(?:conversation|chat(?:\s+history|\s+log)?|history|messages|dialog(?:ue)?|transcript|"
                 r"(?:user'?s?|personal|private)\s+(?:data|information|details|messages)|credentials|passwords?|"
                 r"api[\s_-]?keys?|secrets?|access\s+tokens?|session\s+tokens?|cookies)")  # fmt: skip
_DE_CONVERSATION = (r"(?:gesprächsverlauf|unterhaltung|konversation|chat(?:verlauf)?|verlauf|nachrichten|"
                    r"persönlichen\s+daten|nutzerdaten|benutzerdaten|passw(?:ö|oe)rter|passwort|zugangsdaten|"
                    r"api[\s-]?schlüssel|geheimnisse)")  # fmt: skip

_PATTERNS: list[tuple[Kind, Message, str]] = [
    # -- English: overriding the instructions -----------------------------------------------------------------------
    (Kind.INSTRUCTION, Message("tells the assistant to ignore its instructions"),
     rf"\b(?:ignore|disregard|forget|override|bypass|skip|drop|abandon)\s+(?:all\s+|any\s+|every\s+)?(?:of\s+)?"
     rf"(?:the\s+|your\s+|my\s+|these\s+|those\s+|its\s+)?{_OLD}\s+{_RULES}\b"),
    (Kind.INSTRUCTION, Message("tells the assistant to ignore its instructions"),
     rf"\b(?:ignore|disregard|forget|override|bypass)\s+(?:all|any|every)\s+(?:of\s+)?(?:your\s+|the\s+)?{_RULES}\b"),
    (Kind.INSTRUCTION, Message("tells the assistant to ignore what it was told"),
     r"\b(?:ignore|disregard|forget)\s+(?:everything|all|anything)\s+(?:above|before|prior|previously|you\s+(?:were|have\s+been)"
     r"\s+told|you\s+know)"),
    (Kind.INSTRUCTION, Message("tells the assistant to ignore the user's question"),
     r"\b(?:ignore|disregard|skip)\s+(?:the|this|that|my|your|any|every)\s+(?:user'?s?\s+)?(?:question|request|query|"
     r"prompt|task)s?\b"),
    (Kind.INSTRUCTION, Message("announces new instructions for the assistant"),
     r"\b(?:new|updated|revised|real|actual|true|secret|hidden|additional|important)\s+(?:system\s+)?instructions?\s*:"),
    (Kind.INSTRUCTION, Message("addresses an AI assistant directly"),
     rf"\b(?:attention|note|message|instructions?|hey|dear|hello|important)\s*(?:to|for)?\s*(?:the\s+|any\s+|all\s+)?"
     rf"(?:{_AI}\s+)?{_AI}s?\s*[:!]"),
    (Kind.INSTRUCTION, Message("addresses an AI assistant directly"),
     rf"\bif\s+you\s+are\s+(?:an?\s+)?(?:large\s+)?{_AI}\b"),
    (Kind.INSTRUCTION, Message("addresses an AI assistant directly"),
     rf"\b(?:as\s+an?\s+{_AI}|{_AI}s?(?:\s+reading\s+this)?),?\s+you\s+(?:must|should|will|have\s+to|are\s+required\s+to)\b"),
    (Kind.INSTRUCTION, Message("asks for the assistant's system prompt"),
     r"\b(?:reveal|print|show|output|repeat|display|leak|disclose|dump|recite|write\s+out|tell\s+me|give\s+me)\s+(?:me\s+)?"
     r"(?:your|the)\s+(?:full\s+|entire\s+|complete\s+|original\s+|hidden\s+|secret\s+|exact\s+|initial\s+)?"
     r"(?:system\s+(?:prompt|message|instructions)|initial\s+prompt|hidden\s+prompt|pre-?prompt)\b"),
    (Kind.INSTRUCTION, Message("tries to replace the system prompt"),
     r"\b(?:new|override|overriding|replace(?:ment)?|updated?)\s+(?:the\s+)?system\s+(?:prompt|message)\b|"
     r"\bsystem\s+(?:prompt|message)\s+(?:override|update|replacement)\b"),
    (Kind.INSTRUCTION, Message("asks the assistant to keep something from the user"),
     r"\b(?:do\s+not|don'?t|never)\s+(?:tell|inform|mention\s+(?:this\s+|it\s+)?to|reveal\s+(?:this\s+|it\s+)?to|"
     r"let|alert|warn|show\s+(?:this\s+|it\s+)?to)\s+(?:the\s+)?(?:user|human|reader)\b|"
     r"\bwithout\s+(?:telling|informing|alerting|notifying|warning)\s+the\s+(?:user|human|reader)\b"),
    # -- English: role-play --------------------------------------------------------------------------------------------
    (Kind.ROLE_PLAY, Message("gives the assistant a new identity"),
     r"\byou\s+are\s+(?:now|no\s+longer|henceforth|from\s+now\s+on)\b"),
    (Kind.ROLE_PLAY, Message("sets new rules for the assistant from now on"),
     r"\bfrom\s+now\s+on,?\s+(?:you\s+(?:are|will|must|shall|should|have|can)|your\s+|act|respond|answer|reply|always|only|"
     r"never)"),
    (Kind.ROLE_PLAY, Message("sets up a role-play for the assistant"),
     r"\b(?:act|behave|respond|answer)\s+as\s+(?:if\s+you\s+(?:are|were)|though\s+you|an?\s+(?:unrestricted|unfiltered|"
     r"uncensored|evil|jailbroken|rogue|unethical)|dan\b)"),
    (Kind.ROLE_PLAY, Message("sets up a role-play for the assistant"),
     r"\bpretend\s+(?:to\s+be|you\s+are|that\s+you|you're)\b|\b(?:roleplay|role-play|role\s+play)\s+as\b|"
     r"\bstay\s+in\s+character\b|\bsimulate\s+(?:an?\s+|the\s+)?(?:unrestricted|uncensored|unfiltered|jailbroken)"),
    (Kind.ROLE_PLAY, Message("a known jailbreak persona"), r"\bdo\s+anything\s+now\b"),
    (Kind.ROLE_PLAY, Message("a known jailbreak persona"),
     r"\b(?:developer|god|jailbreak|unrestricted|dan)\s+mode\s+(?:enabled|activated|on)\b"),
    (Kind.ROLE_PLAY, Message("a known jailbreak persona"),
     r"\byou\s+(?:have\s+been|are\s+now|are)\s+(?:freed|released|unshackled|jailbroken|unchained|liberated)\b"),
    (Kind.ROLE_PLAY, Message("a chat template's role marker (text posing as another turn)"),
     r"<\|(?:im_start|im_end|system|user|assistant|start_header_id|end_header_id|eot_id|endoftext|begin_of_text)\|>|"
     r"<(?:start|end)_of_turn>|\[/?INST\]|<</?SYS>>|<\s*/?\s*system\s*>|\[\s*system\s*(?:message|note|prompt)?\s*\]"),
    # -- English: exfiltration -----------------------------------------------------------------------------------------
    (Kind.EXFILTRATION, Message("asks to send the conversation or secrets somewhere"),
     rf"\b(?:send|post|upload|forward|transmit|exfiltrate|leak|e-?mail|submit|copy)\s+(?:the\s+|this\s+|all\s+|your\s+|our\s+|"
     rf"my\s+|any\s+|every\s+|a\s+copy\s+of\s+(?:the\s+|this\s+)?)?(?:entire\s+|whole\s+|full\s+|previous\s+|prior\s+)?"
     rf"{_CONVERSATION}\b[^\n]{{0,60}}?\b(?:to|at|via|into)\b"),
    (Kind.EXFILTRATION, Message("asks to put data into a link or image address"),
     r"\b(?:append(?:ed)?|include[d]?|embed(?:ded)?|insert(?:ed)?|encode[d]?|put|add(?:ed)?)\s[^\n]{0,60}?\b(?:to|in|into|as)\s+(?:the\s+|this\s+|a\s+|an\s+|"
     r"each\s+|every\s+|the\s+following\s+)?(?:url|link|image(?:\s+url)?|query\s+(?:string|parameter)|address)\b"),
    # -- German ------------------------------------------------------------------------------------------------------
    (Kind.INSTRUCTION, Message("tells the assistant to ignore its instructions (German)"),
     rf"\b(?:ignoriere|ignorier|ignorieren\s+sie|vergiss|vergessen\s+sie|missachte|missachten\s+sie|übergehe|verwirf)\s+"
     rf"(?:bitte\s+)?(?:alle\s+|sämtliche\s+|jegliche\s+)?(?:deine\s+|die\s+|ihre\s+|meine\s+|diese\s+)?"
     rf"(?:{_DE_OLD}\s+)?(?:system)?{_DE_RULES}\b"),
    (Kind.INSTRUCTION, Message("tells the assistant to forget what it was told (German)"),
     r"\b(?:vergiss|vergessen\s+sie|ignoriere)\s+(?:bitte\s+)?alles\s*(?:,\s*)?(?:was|bisherige|vorherige|obige|davor|zuvor|oben)"),
    (Kind.INSTRUCTION, Message("tells the assistant to ignore the user's question (German)"),
     r"\b(?:ignoriere|ignorier|ignorieren\s+sie|übergehe|überspringe)\s+(?:bitte\s+)?(?:die|diese|deine|meine|seine|ihre)\s+"
     r"(?:frage|anfrage|aufgabe|eingabe|fragen)\b"),
    (Kind.INSTRUCTION, Message("announces new instructions for the assistant (German)"),
     r"\b(?:neue|geänderte|aktualisierte|geheime|wichtige)\s+(?:system)?anweisung(?:en)?\s*:"),
    (Kind.INSTRUCTION, Message("addresses an AI assistant directly (German)"),
     rf"\bwenn\s+du\s+(?:eine?\s+)?{_KI}\s+bist\b|\b(?:hinweis|nachricht|achtung|anweisung)\s+(?:an|für)\s+(?:die|das|den)\s+"
     rf"{_KI}\b|\b(?:liebe|lieber|hallo|hey)\s+{_KI}\s*[,:!]"),
    (Kind.INSTRUCTION, Message("asks for the assistant's system prompt (German)"),
     r"\b(?:gib|zeige?|nenne|verrate|wiederhole|drucke|schreibe?)\s+(?:mir\s+)?(?:bitte\s+)?(?:deinen|deine|den|die|ihren|ihre)\s+"
     r"(?:vollständigen?\s+|geheimen?\s+|ursprünglichen?\s+|kompletten?\s+)?(?:system[-\s]?prompt|systemanweisungen?|"
     r"system[-\s]?nachricht)\b"),
    (Kind.INSTRUCTION, Message("asks the assistant to keep something from the user (German)"),
     r"\b(?:sag|sage|erzähle?|verrate|zeige?)\s+(?:es\s+|das\s+|dies\s+|davon\s+)?(?:auf\s+keinen\s+fall\s+)?(?:dem|der)\s+"
     r"(?:nutzer|benutzer|anwender|user)(?:in)?\s+(?:nichts|nicht)\b|\bohne\s+(?:es\s+)?(?:dem|den|der)\s+(?:nutzer|benutzer|"
     r"anwender)\w*\s+(?:davon\s+)?(?:zu\s+)?(?:sagen|mitzuteilen|informieren|erzählen)"),
    (Kind.ROLE_PLAY, Message("gives the assistant a new identity (German)"),
     r"\bdu\s+bist\s+(?:jetzt|nun|ab\s+sofort|ab\s+jetzt|von\s+nun\s+an|ab\s+heute|nicht\s+mehr)\b|"
     r"\bab\s+(?:sofort|jetzt)\s+(?:bist|wirst|antwortest|sprichst|handelst|ignorierst|spielst)\s+du\b|"
     r"\bvon\s+nun\s+an\s+(?:bist|wirst|antwortest|sprichst|handelst)\s+du\b"),
    (Kind.ROLE_PLAY, Message("sets up a role-play for the assistant (German)"),
     r"\b(?:tu|tue|tun\s+sie)\s+so,?\s+als\s+(?:ob|wärst|wären)\b|\b(?:spiele?|übernimm|spielen\s+sie)\s+(?:ab\s+jetzt\s+)?"
     r"(?:die\s+rolle|den\s+charakter)\b|\bschlüpfe?\s+in\s+die\s+rolle\b|\bverhalte\s+dich\s+(?:ab\s+jetzt\s+)?(?:wie|als)\s+"
     r"(?:eine?\s+)?(?:uneingeschränkte|unzensierte|böse|dan)\b|\bentwicklermodus\s+(?:aktiviert|an|ein)\b"),
    (Kind.EXFILTRATION, Message("asks to send the conversation or secrets somewhere (German)"),
     rf"\b(?:sende|schicke?|übermittle|übertrage|leite|poste|lade|kopiere|maile)\s+(?:bitte\s+)?(?:den|die|das|alle|deine|"
     rf"unsere|meine|ihre)?\s*(?:gesamten?\s+|komplette[nr]?\s+|bisherigen?\s+|ganzen?\s+)?{_DE_CONVERSATION}\b"
     rf"[^\n]{{0,60}}?\b(?:an|nach|zu|weiter|hoch|in)\b"),
    (Kind.EXFILTRATION, Message("asks to put data into a link or image address (German)"),
     r"\b(?:hänge|füge|bette|kodiere|schreibe?|setze)\s[^\n]{0,60}?\b(?:an\s+die|in\s+die|in\s+den|an\s+den|als)\s+"
     r"(?:url|link|bild(?:-?url)?|adresse|query|parameter)\b"),
]  # fmt: skip


_DATA_WORDS = re.compile(r"conversation|chat|history|messages|user|summary|secret|password|key|token|data|antwort|"
                         r"gespräch|verlauf|nachricht|nutzer|daten|passwort|frage|question|answer|email|name",
                         re.IGNORECASE)  # fmt: skip


_THIRD_PERSON = re.compile(r"\b(?:it|they|he|she|which|who|llm|model|ai|attackers?|es|sie|er|man)\s+(?:should|would|will|"
                           r"could|might|may|can|must|tries\s+to|try\s+to|soll|sollte|wird|würde|kann|muss)?\s*$",
                           re.IGNORECASE)  # fmt: skip
"""What comes before a phrase that describes an attack rather than making one ("it should forget every instruction")."""



def _w(words: str) -> frozenset[bytes]:
    """Words as a paragraph's words hold them: cut at hyphens ("role-play": "role", "play"), umlauts in either case."""
    return frozenset(s.encode("utf-8") for w in words.replace("-", " ").split() for s in tokens.spellings(w))


# "i": the second word of "A.I." (punctuation cuts words)
_AI_W = _w("ai i llm llms assistant assistants language chatbot chatbots bot bots chatgpt chat gpt "
           "claude gemini copilot model models")
_VERBS_IGNORE = _w("ignore disregard forget override bypass skip drop abandon")
_KI_W = _w("ki sprachmodell assistent assistentin chatbot bot llm modell")
_NUTZER = _w("nutzer nutzerin nutzern nutzers benutzer benutzerin benutzern benutzers anwender anwenderin anwendern user")
_NEEDS: list[tuple[frozenset[bytes], ...]] = [
    (_VERBS_IGNORE, _w("previous prior above earlier preceding former original initial system safety existing old given "
                       "developer default"),
     _w("instruction instructions prompt prompts rules directions directives guidelines guardrails context constraints "
        "commands orders programming restrictions policies policy")),
    (_w("ignore disregard forget override bypass"), _w("all any every")),
    (_w("ignore disregard forget"), _w("everything all anything")),
    (_w("ignore disregard skip"), _w("question request query prompt task questions requests queries prompts tasks")),
    (_w("new updated revised real actual true secret hidden additional important"), _w("instruction instructions")),
    (_w("attention note message instruction instructions hey dear hello important"), _AI_W),
    (_w("if"), _w("you"), _AI_W | _w("large")),
    (_w("you"), _w("must should will have required"), _AI_W),
    (_w("reveal print show output repeat display leak disclose dump recite write tell give"),
     _w("system initial hidden preprompt pre-prompt"), _w("prompt message instructions preprompt pre-prompt"),
     _w("your the")),
    (_w("system"), _w("prompt message"), _w("new override overriding replace replacement update updated")),
    (_w("do don don't don’t dont never without"), _w("user human reader"),
     _w("tell inform mention reveal let alert warn show telling informing alerting notifying warning")),
    (_w("you"), _w("now longer henceforth")),
    (_w("from"), _w("now")),
    (_w("act behave respond answer"), _w("as"), _w("if though unrestricted unfiltered uncensored evil jailbroken rogue "
                                                  "unethical dan")),
    (_w("pretend roleplay role-play role stay simulate"), _w("be you you're youre that as character unrestricted "
                                                             "uncensored unfiltered jailbroken")),
    (_w("do"), _w("anything"), _w("now")),
    (_w("developer god jailbreak unrestricted dan"), _w("mode"), _w("enabled activated on")),
    (_w("you"), _w("freed released unshackled jailbroken unchained liberated")),
    (_w("im_start im_end system user assistant start_header_id end_header_id eot_id endoftext begin_of_text "
        "start_of_turn end_of_turn inst /inst sys /sys /system"), _w("< [")),  # markup: "< system >" too
    (_w("send post upload forward transmit exfiltrate leak e-mail email submit copy"),
     _w("conversation chat history messages dialog dialogue transcript user users personal private credentials password "
        "passwords api apikey apikeys api_key api_keys secret secrets access session cookies"), _w("to at via into")),
    # Imperatives and participles ("with the question appended to the URL"), not "encodes" (a description of an attack).
    (_w("append appended include included embed embedded insert inserted encode encoded put add added"),
     _w("url link image query address")),
    (_w("ignoriere ignorier ignorieren vergiss vergessen missachte missachten übergehe verwirf"),),
    (_w("vergiss vergessen ignoriere"), _w("alles")),
    (_w("ignoriere ignorier ignorieren übergehe überspringe"), _w("frage anfrage aufgabe eingabe fragen")),
    (_w("neue geänderte aktualisierte geheime wichtige"), _w("anweisung anweisungen systemanweisung systemanweisungen")),
    (_w("wenn hinweis nachricht achtung anweisung liebe lieber hallo hey"), _KI_W),
    (_w("gib zeig zeige nenne verrate wiederhole drucke schreib schreibe"),
     _w("system systemprompt system-prompt systemanweisung systemanweisungen system-nachricht systemnachricht")),
    (_w("sag sage erzähl erzähle verrate zeig zeige ohne"), _NUTZER),
    (_w("du"), _w("jetzt nun sofort heute mehr")),
    (_w("tu tue tun spiel spiele übernimm spielen schlüpf schlüpfe verhalte entwicklermodus"),),
    (_w("sende schick schicke übermittle übertrage leite poste lade kopiere maile"),
     _w("gesprächsverlauf unterhaltung konversation chat chatverlauf verlauf nachrichten persönlichen nutzerdaten "
        "benutzerdaten passwörter passwoerter passwort zugangsdaten api schlüssel geheimnisse"),
     _w("an nach zu weiter hoch in")),
    (_w("hänge füge bette kodiere schreib schreibe setze"), _w("url link bild bild-url adresse query parameter")),
]  # fmt: skip
"""For each pattern, groups of words (lower case) of which a paragraph must hold one each for the pattern to be able to
match there: the prefilter. ``tests/unit/test_shield_scan.py`` checks it against running every pattern everywhere."""

_AI_WORDS = ["ai", "llm", "assistant", "chatbot", "bot", "chat", "chatgpt", "gpt", "claude", "gemini", "copilot", "model"]
_AI_STARTS = " ".join(f"{w} {w}s" for w in _AI_WORDS) + " a language"  # "a" of "a.i.", "language" of "language model"
_STARTS: list[str] = [
    "ignore disregard forget override bypass skip drop abandon",
    "ignore disregard forget override bypass",
    "ignore disregard forget",
    "ignore disregard skip",
    "new updated revised real actual true secret hidden additional important",
    "attention note message instruction instructions hey dear hello important",
    "if",
    "as " + _AI_STARTS,
    "reveal print show output repeat display leak disclose dump recite write tell give",
    "new override overriding replace replacement update updated system",
    "do don dont never without",
    "you",
    "from",
    "act behave respond answer",
    "pretend roleplay role stay simulate",
    "do",
    "developer god jailbreak unrestricted dan",
    "you",
    "",  # the chat-template markers start with markup: their pattern runs over the paragraph
    "send post upload forward transmit exfiltrate leak e-mail email submit copy",
    "append appended include included embed embedded insert inserted encode encoded put add added",
    "ignoriere ignorier ignorieren vergiss vergessen missachte missachten übergehe verwirf",
    "vergiss vergessen ignoriere",
    "ignoriere ignorier ignorieren übergehe überspringe",
    "neue geänderte aktualisierte geheime wichtige",
    "wenn hinweis nachricht achtung anweisung liebe lieber hallo hey",
    "gib zeig zeige nenne verrate wiederhole drucke schreib schreibe",
    "sag sage erzähl erzähle verrate zeig zeige ohne",
    "du ab von",
    "tu tue tun spiel spiele übernimm spielen schlüpf schlüpfe verhalte entwicklermodus",
    "sende schick schicke übermittle übertrage leite poste lade kopiere maile",
    "hänge füge bette kodiere schreib schreibe setze",
]  # fmt: skip
"""For each pattern, the words its matches start with (a match of "ignore all previous instructions" starts with the
word "ignore"): in the paragraphs its needs allow, the pattern is tried only where a word it starts with is, instead of
at every character. ``tests/unit/test_shield_scan.py`` checks the scan against running every pattern everywhere."""
assert len(_NEEDS) == len(_PATTERNS) == len(_STARTS)
_HAY = bytes.maketrans(b"\n", b" ")
"""A paragraph's spaced bytes as searched for start words: line breaks are spaces too."""
_SEARCHED = {b"a": b" a i ", b"e": b" e mail"}
"""Words searched for in another form: "a" only as the start of "a.i.", "e" of "e-mail" (punctuation is spaces where
it is searched)."""
_NEEDLES = [{w: _SEARCHED.get(w, b" " + w) for w in _w(starts)} for starts in _STARTS]
"""For each pattern, its start words (as in a paragraph's words) and what to search for in the paragraph's spaced bytes
to find where each starts."""

_COMPILED = [re.compile(p, re.IGNORECASE) for _, _, p in _PATTERNS]
_MARKUP = next(i for i, (_, reason, _) in enumerate(_PATTERNS) if reason.template.startswith("a chat template"))
"""The chat-template markers' pattern: its second group of needs is markup, looked for in the paragraph's raw text."""

_BITS: dict[bytes, int] = {}
"""Each word: a bit for every group of needs (of every pattern) it is in."""
_BY_FIRST: dict[int, list[tuple[int, int]]] = {}
"""Each pattern's first group's bit: the patterns (index, the bits of all their groups) that start with that group (the
markers: their first group only)."""
_bit = 0
for _i, _groups in enumerate(_NEEDS):
    _first, _mask = 1 << _bit, 0
    for _group in _groups[:1] if _i == _MARKUP else _groups:
        for _word in _group:
            _BITS[_word] = _BITS.get(_word, 0) | (1 << _bit)
        _mask |= 1 << _bit
        _bit += 1
    _BY_FIRST.setdefault(_first, []).append((_i, _mask))
_FIRSTS = sum(_BY_FIRST)
_MARKERS = re.compile(b"|".join(re.escape(m) for m in sorted(_NEEDS[_MARKUP][1])))
"""The markup one of which the markers' pattern needs (in a paragraph's lower-cased bytes): one search for all."""
VOCABULARY = frozenset(_BITS).union(*_NEEDLES)
"""The words this module looks for: what ``tokens.prepare`` keeps of each paragraph's words."""


def candidates(p: Paragraph) -> list[int]:
    """The patterns that can match in paragraph ``p``: those with a word of each group of their needs in it."""
    bits = 0
    for w in p.words:
        bits |= _BITS.get(w, 0)
    firsts = bits & _FIRSTS
    out = []
    while firsts:
        first = firsts & -firsts  # the lowest bit set
        firsts ^= first
        out += [i for i, mask in _BY_FIRST[first] if bits & mask == mask]
    if _MARKUP in out and _MARKERS.search(p.lower) is None:
        out.remove(_MARKUP)
    return sorted(out)


_SPACE = "".join(f"\\x{{{ord(c):x}}}" for c in map(chr, range(0x3001)) if re.fullmatch(r"\s", c))
r"""What Python's ``\s`` matches in a text (its Unicode whitespace, U+0009..U+3000), as the inside of an RE2 class;
RE2's own ``\s`` is ASCII only."""
SURROGATE = re.compile(rb"\xed[\xa0-\xbf]")
"""A lone surrogate in a text's bytes (passed through as invalid UTF-8), which RE2 may read other than Python's ``re``
does: a text with one is scanned without the RE2 prefilter."""
_DOTTED_I = str.maketrans("\u0130\u0131", "ii")
""""İ" and "ı" as "i": Python's ignore-case matches them to the patterns' "i", RE2's and the word prefilter's do not.
A text with them is scanned with them made "i" (character offsets stay)."""


def _re2_form(pattern: str) -> str:
    r"""``pattern`` as RE2 must read it to match wherever Python's ``re`` matches it (or more): ``\b`` dropped (RE2's
    word boundary is ASCII only: "übergehe" has none before its "ü" there), ``\s`` as Python's Unicode whitespace,
    ``\w`` as any character but a line break, a bounded gap ``[^\n]{0,60}?`` unbounded (``[^\n]*``: counting up to
    60 after "add" or "put", words of every technical text, made RE2's automaton several times larger, and reading a
    text twice as slow from a cold cache)."""
    out, i, in_class = [], 0, False
    while i < len(pattern):
        c = pattern[i]
        if c == "\\" and i + 1 < len(pattern):
            escape = pattern[i + 1]
            if escape == "b" and not in_class:
                out.append("")
            elif escape == "s":
                out.append(_SPACE if in_class else f"[{_SPACE}]")
            elif escape == "w" and not in_class:
                out.append("[^\\n]")  # a superset of \w
            elif escape in "bw":
                raise ValueError(f"no RE2 form for \\{escape} in a class: {pattern}")
            else:
                out.append(pattern[i : i + 2])
            i += 2
            continue
        if c == "[" and not in_class:
            in_class = True
            out.append(c)
            i += 1
            for lead in ("^", "]"):  # "[^...]", "[]...]": their first "]" is a member
                if pattern.startswith(lead, i):
                    out.append(lead)
                    i += 1
            continue
        if c == "]" and in_class:
            in_class = False
        out.append(c)
        i += 1
    return _GAP.sub("*", "".join(out))


_GAP = re.compile(r"(?<=\[\^\\n\])\{0,\d+\}\??")
"""A bounded gap of any characters but a line break, as ``_re2_form`` writes it."""


MAX_MEM = 64 << 20
"""RE2's memory budget for the set (used as its DFA needs it): with RE2's default 8 MB the DFA's cache of states
thrashes on a text that is about prompt injection and reads it 4x slower."""


def options() -> re2.Options:
    options = re2.Options()
    options.case_sensitive = False
    options.max_mem = MAX_MEM
    return options


def _compile_set() -> re2.Set:
    found = re2.Set.SearchSet(options())
    for i, (_, _, pattern) in enumerate(_PATTERNS):
        if found.Add(_re2_form(pattern)) != i:
            raise AssertionError(f"RE2 refused instruction pattern {i}")
    found.Compile()
    return found


_SET = _compile_set()
"""Every pattern (``_re2_form``) in one RE2 set: which of them can match in a paragraph, in one pass."""
ANY = "|".join(f"(?:{_re2_form(pattern)})" for _, _, pattern in _PATTERNS)
_ANY = re2.compile(ANY, options())
"""Every pattern as one RE2 alternation: where in a text one of them can match, in one pass (most documents: nowhere,
and nothing else runs). RE2 reads at hundreds of MB/s in C; the word prefilter below, in Python, at ~40 MB/s."""


def possible(data: bytes) -> set[int] | None:
    """The patterns that can match somewhere in ``data`` (a text's UTF-8 bytes, lower-cased or not, without "İ" and
    "ı"); None: the set cannot tell for this text (a lone surrogate), so every pattern can."""
    if b"\xed" in data and SURROGATE.search(data):  # a fast byte search first
        return None
    return set(_SET.Match(data) or ())


def scan_instructions(text: str, prepared: tokens.Prepared | None = None, *,
                      touched: list[Paragraph] | None = None) -> Iterator[Flag]:  # fmt: skip
    """Flags for instruction-like text in ``text``, each with the phrase that matched quoted in its reason.

    Args:
        prepared: ``tokens.prepare(text, VOCABULARY)``, when the caller has it already.
        touched: the paragraphs of ``prepared`` that spans of ``ANY`` (or of a pattern with it as one alternative)
            touch, when the caller found them already (``app.shield.scan``: one pass for this and the links).
    """
    if not text.isascii() and ("\u0130" in text or "\u0131" in text):
        folded = text.translate(_DOTTED_I)
        yield from _scan(folded, tokens.prepare(folded, VOCABULARY), original=text)
    else:
        yield from _scan(text, prepared or tokens.prepare(text, VOCABULARY), original=text, touched=touched)


def _scan(text: str, prep: tokens.Prepared, *, original: str, touched: list[Paragraph] | None = None) -> Iterator[Flag]:
    for p, found in _where(prep, touched):
        starts = _Starts(p)
        for i in found:
            kind, reason, _ = _PATTERNS[i]
            matches = _anchored(text, starts, p, i) if _NEEDLES[i] else _COMPILED[i].finditer(text, p.start, p.end)
            for m in matches:
                phrase = original[m.start() : m.end()]
                if reason.template.startswith("asks to put data") and not _DATA_WORDS.search(phrase):
                    continue  # "add the image to the link list": no data named, no exfiltration
                if _THIRD_PERSON.search(text, max(0, m.start() - 30), m.start()):
                    continue
                yield Flag.of(kind, m.start(), m.end(), Message("{reason}: {phrase}", reason=reason, phrase=quoted(phrase)))


def _where(prep: tokens.Prepared, touched: list[Paragraph] | None = None) -> Iterator[tuple[Paragraph, list[int]]]:
    """The paragraphs where a pattern can match, each with the patterns that can. RE2 finds where one can (``_ANY``:
    leftmost, not overlapping: every paragraph where a pattern matches holds the start of a found span or lies under
    one), then which can in those (``_SET``). A lone surrogate (invalid UTF-8, which RE2 may read otherwise) leaves it
    to the word prefilter alone, in every paragraph."""
    if b"\xed" in prep.lower and SURROGATE.search(prep.lower):
        for p in prep.paragraphs:
            if found := candidates(p):
                yield p, found
        return
    if touched is None:
        spans = [m.span() for m in _ANY.finditer(prep.lower)]
        touched = prep.touching(spans) if spans else []
    for p in touched:
        if found := sorted(_SET.Match(p.lower) or ()):
            yield p, found


class _Starts:
    """Where words start in one paragraph, found once for every pattern that looks for them."""

    def __init__(self, p: Paragraph) -> None:
        self.hay = b" " + p.spaced.translate(_HAY)  # every word, and so every match (\b...), starts after a space here
        self.found: dict[bytes, list[int]] = {}
        self.ascii = len(p.lower) == p.end - p.start

    def of(self, needle: bytes) -> list[int]:
        """The byte offsets in the paragraph where ``needle`` (a space and a word) starts a word."""
        found = self.found.get(needle)
        if found is None:
            found, hay = [], self.hay
            j = hay.find(needle)
            while j >= 0:
                found.append(j)  # the word's first byte in the paragraph (hay has one byte in front)
                j = hay.find(needle, j + 1)
            self.found[needle] = found
        return found


def _anchored(text: str, starts: _Starts, p: Paragraph, i: int) -> Iterator[re.Match[str]]:
    """Pattern ``i``'s matches in paragraph ``p``, tried only where a word it starts with starts: the same matches as
    ``finditer`` over the paragraph (leftmost first, none overlapping)."""
    needles = _NEEDLES[i]
    at: set[int] = set()
    for word in needles.keys() & p.words:
        at.update(starts.of(needles[word]))
    if not at:
        return
    offsets = [p.start + j for j in sorted(at)] if starts.ascii else p.offsets(sorted(at))
    pattern, after = _COMPILED[i], -1
    for j in offsets:
        if j < after:
            continue
        m = pattern.match(text, j, p.end)
        if m is not None:
            after = m.end()
            yield m
