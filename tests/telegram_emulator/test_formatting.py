"""Telegram's formatting rules in the emulator: the expected values are tdlib's own test vectors
(test/message_entities.cpp) wherever tdlib has one, so the emulator fails like Telegram does."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from telegram_emulator.formatting import (
    EntityParseError,
    UnsupportedParseMode,
    checked_link,
    detect_entities,
    escape_html,
    escape_markdown_v2,
    parse,
    to_html,
    utf16_len,
)

STADIUM = "🏟"  # outside the BMP: 4 UTF-8 bytes, 2 UTF-16 units
ARROW = "➡️"  # two BMP code points: 6 UTF-8 bytes, 2 UTF-16 units


def e(kind: str, offset: int, length: int, **fields: object) -> dict[str, object]:
    return {"type": kind, "offset": offset, "length": length, **fields}


def parse_error(text: str, parse_mode: str) -> str:
    with pytest.raises(EntityParseError) as caught:
        parse(text, parse_mode)
    return str(caught.value)


# --- parse_mode handling ------------------------------------------------------------------------


@pytest.mark.parametrize("parse_mode", [None, "", "none", "None"])
def test_no_parse_mode_leaves_markup_alone(parse_mode: str | None) -> None:
    assert parse("<b>*hi*</b>", parse_mode) == ("<b>*hi*</b>", [])


@pytest.mark.parametrize("parse_mode", ["HTML", "html", "Html"])
def test_parse_mode_names_are_case_insensitive(parse_mode: str) -> None:
    assert parse("<b>hi</b>", parse_mode) == ("hi", [e("bold", 0, 2)])


def test_markdown_v2_and_legacy_markdown_are_told_apart() -> None:
    assert parse("*a* \\_", "markdownv2") == ("a _", [e("bold", 0, 1)])
    assert parse("*a* \\_", "MARKDOWN") == ("a _", [e("bold", 0, 1)])


def test_unknown_parse_mode_is_refused_with_telegrams_text() -> None:
    with pytest.raises(UnsupportedParseMode) as caught:
        parse("hi", "Markdown3")
    assert str(caught.value) == "Unsupported parse_mode"
    assert caught.value.description == "Bad Request: unsupported parse_mode"


def test_empty_text_is_not_parsed_at_all_like_the_bot_api() -> None:
    assert parse("", "Markdown3") == ("", [])


def test_parse_error_description_is_the_bot_api_answer() -> None:
    with pytest.raises(EntityParseError) as caught:
        parse("<b>bold", "HTML")
    assert caught.value.description == (
        "Bad Request: can't parse entities: Can't find end tag corresponding to start tag \"b\""
    )


def test_utf16_len_counts_surrogate_pairs_twice() -> None:
    assert utf16_len("a") == 1
    assert utf16_len(STADIUM) == 2
    assert utf16_len(ARROW) == 2
    assert utf16_len("") == 0


def test_offsets_count_utf16_units_after_an_emoji() -> None:
    assert parse(f"{STADIUM} <b>x</b>", "HTML") == (f"{STADIUM} x", [e("bold", 3, 1)])
    assert parse(f"{STADIUM} *x*", "MarkdownV2") == (f"{STADIUM} x", [e("bold", 3, 1)])
    assert parse(f"<i>{STADIUM}</i>", "HTML") == (STADIUM, [e("italic", 0, 2)])


# --- HTML ---------------------------------------------------------------------------------------

HTML_ERRORS = [
    ("<foo>bar</foo>", 'Unsupported start tag "foo" at byte offset 0'),
    ("<b>bold", 'Can\'t find end tag corresponding to start tag "b"'),
    ("<b><i>a</b>", 'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"'),
    ("a</b>", "Unexpected end tag at byte offset 1"),
    ("1 < 2", 'Unsupported start tag "" at byte offset 2'),
    ("1 <", "Unclosed start tag at byte offset 2"),
    ('<a ="x">y</a>', 'Empty attribute name in the tag "a" at byte offset 0'),
    ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
    ('<tg-emoji emoji-id="0">x</tg-emoji>', "Invalid custom emoji identifier specified"),
    (
        "&#57311;",
        "Text contains invalid Unicode characters after decoding HTML entities, check "
        "for unmatched surrogate code units",
    ),
    # tdlib's own vectors
    (f"{STADIUM} {STADIUM}&lt;<abacaba", "Unclosed start tag at byte offset 13"),
    (f"{STADIUM} {STADIUM}&lt;<abac aba>", 'Unsupported start tag "abac" at byte offset 13'),
    (f"{STADIUM} {STADIUM}&lt;<abac>", 'Unsupported start tag "abac" at byte offset 13'),
    (f"{STADIUM} {STADIUM}&lt;<i   =aba>", 'Empty attribute name in the tag "i" at byte offset 13'),
    (f"{STADIUM} {STADIUM}&lt;<i    aba>", 'Can\'t find end tag corresponding to start tag "i"'),
    (f"{STADIUM} {STADIUM}&lt;<i    aba  =  ", 'Unclosed start tag "i" at byte offset 13'),
    (
        f"{STADIUM} {STADIUM}&lt;<i    aba  =  190azAz-.,",
        "Unexpected end of name token at byte offset 27",
    ),
    (
        f'{STADIUM} {STADIUM}&lt;<i    aba  =  "&lt;&gt;&quot;>',
        "Unclosed start tag at byte offset 13",
    ),
    (
        f"{STADIUM} {STADIUM}&lt;<i    aba  =  '&lt;&gt;&quot;>",
        "Unclosed start tag at byte offset 13",
    ),
    (f"{STADIUM} {STADIUM}&lt;</", "Unexpected end tag at byte offset 13"),
    (f"{STADIUM} {STADIUM}&lt;<b></b></", "Unexpected end tag at byte offset 20"),
    (f"{STADIUM} {STADIUM}&lt;<i>a</i   ", "Unclosed end tag at byte offset 17"),
    (
        f"{STADIUM} {STADIUM}&lt;<i>a</em   >",
        'Unmatched end tag at byte offset 17, expected "</i>", found "</em>"',
    ),
    ('<tg-time unix="12345" format="rt">x</tg-time>', "Invalid date format used"),
]


@pytest.mark.parametrize(("markup", "message"), HTML_ERRORS)
def test_html_errors_carry_tdlibs_text(markup: str, message: str) -> None:
    assert parse_error(markup, "HTML") == message


S, A = STADIUM, ARROW
HTML_PARSED = [
    ("", "", []),
    (f"{A} {A}", f"{A} {A}", []),
    ("&ge;&lt;&gt;&amp;&quot;&laquo;&raquo;&#12345678;", '&ge;<>&"&laquo;&raquo;&#12345678;', []),
    ("&Or;", "&Or;", []),
    ("&#65;&#x42;&#x1F3DF;", f"AB{S}", []),
    (f"{A} {A}<i>{A} {A}</i>", f"{A} {A}{A} {A}", [e("italic", 5, 5)]),
    (f"{A} {A}<em>{A} {A}</em>", f"{A} {A}{A} {A}", [e("italic", 5, 5)]),
    (f"{A} {A}<strong>{A} {A}</strong>", f"{A} {A}{A} {A}", [e("bold", 5, 5)]),
    (f"{A} {A}<ins>{A} {A}</ins>", f"{A} {A}{A} {A}", [e("underline", 5, 5)]),
    (f"{A} {A}<strike>{A} {A}</strike>", f"{A} {A}{A} {A}", [e("strikethrough", 5, 5)]),
    (f"{A} {A}<del>{A} {A}</del>", f"{A} {A}{A} {A}", [e("strikethrough", 5, 5)]),
    (f"{A} {A}<blockquote>{A} {A}</blockquote>", f"{A} {A}{A} {A}", [e("blockquote", 5, 5)]),
    (
        f"{S} {S}<i>{S} &gt;<b aba   =   caba>&lt{S}</b></i>",
        f"{S} {S}{S} ><{S}",
        [e("italic", 5, 7), e("bold", 9, 3)],
    ),
    (f"{S} {S}&lt;<i    aba  =  190azAz-.>a</i>", f"{S} {S}<a", [e("italic", 6, 1)]),
    (f"{S} {S}&lt;<i    aba  =  '&lt;&gt;&quot;'>a</>", f"{S} {S}<a", [e("italic", 6, 1)]),
    (f"{S} {S}&lt;<i>a</    >", f"{S} {S}<a", [e("italic", 6, 1)]),
    (f"{S} {S}&lt;<b></b>", f"{S} {S}<", []),
    (
        f'{A} {A}<span class = "tg-spoiler">{A} {A}</span><b>{A} {A}</b>',
        f"{A} {A}{A} {A}{A} {A}",
        [e("spoiler", 5, 5), e("bold", 10, 5)],
    ),
    (f"<tg-spoiler>{S}</tg-spoiler>", S, [e("spoiler", 0, 2)]),
    ("<a href=telegram.org>\n</a>", "\n", [e("text_link", 0, 1, url="http://telegram.org/")]),
    (
        "<code><i><b> </b></i></code><i><b><code> </code></b></i>",
        "  ",
        [
            e("code", 0, 1),
            e("bold", 0, 1),
            e("italic", 0, 1),
            e("code", 1, 1),
            e("bold", 1, 1),
            e("italic", 1, 1),
        ],
    ),
    (
        "<i><b> </b> <code> </code></i>",
        "   ",
        [e("italic", 0, 3), e("bold", 0, 1), e("code", 2, 1)],
    ),
    (
        "<a   href=  'telegram.org?&lt;'   > </a>",
        " ",
        [e("text_link", 0, 1, url="http://telegram.org/?<")],
    ),
    ("<a> </a>", " ", []),
    ("<a>telegram.org </a>", "telegram.org ", []),
    ("<a>telegram.org</a>", "telegram.org", [e("text_link", 0, 12, url="http://telegram.org/")]),
    (
        "<a>https://telegram.org/asdsa?asdasdwe#12e3we</a>",
        "https://telegram.org/asdsa?asdasdwe#12e3we",
        [e("text_link", 0, 42, url="https://telegram.org/asdsa?asdasdwe#12e3we")],
    ),
    ('<a href="javascript:alert(1)">x</a>', "x", []),
    (
        '<a href="tg://user?id=42">Ann</a>',
        "Ann",
        [e("text_mention", 0, 3, user={"id": 42, "is_bot": False, "first_name": ""})],
    ),
    (f"{S} {S}&lt;<pre  >{S} {S}&lt;</>", f"{S} {S}<{S} {S}<", [e("pre", 6, 6)]),
    (f"{S} {S}&lt;<code >{S} {S}&lt;</>", f"{S} {S}<{S} {S}<", [e("code", 6, 6)]),
    (f"{S}<pre><code>{S}</code></>", f"{S}{S}", [e("pre", 2, 2), e("code", 2, 2)]),
    (
        f'{S}<pre><code class="language-">{S}</code></>',
        f"{S}{S}",
        [e("pre", 2, 2), e("code", 2, 2)],
    ),
    (
        f'{S}<pre><code class="language-fift">{S}</></>',
        f"{S}{S}",
        [e("pre", 2, 2, language="fift")],
    ),
    (
        f'{S}<code class="language-fift"><pre>{S}</></>',
        f"{S}{S}",
        [e("pre", 2, 2, language="fift")],
    ),
    (
        f'{S}<pre><code class="language-fift">{S}</> </>',
        f"{S}{S} ",
        [e("pre", 2, 3), e("code", 2, 2)],
    ),
    (
        f'{A} {A}<tg-emoji emoji-id = "12345">{A} {A}</tg-emoji><b>{A} {A}</b>',
        f"{A} {A}{A} {A}{A} {A}",
        [e("custom_emoji", 5, 5, custom_emoji_id="12345"), e("bold", 10, 5)],
    ),
    (
        f'{S} {S}<b aba   =   caba><tg-emoji emoji-id="1">{S}</tg-emoji>1</b>',
        f"{S} {S}{S}1",
        [e("bold", 5, 3), e("custom_emoji", 5, 2, custom_emoji_id="1")],
    ),
    (
        '<tg-time unix = "12345", format = "tttTTdDwW">x</tg-time>',
        "x",
        [e("date_time", 0, 1, unix_time=12345, date_time_format="wdt")],
    ),
    (
        '<blockquote   cite="" askdlbas nasjdbaj nj12b3>a&lt;<pre  >b;</></>',
        "a<b;",
        [e("blockquote", 0, 4), e("pre", 2, 2)],
    ),
    (
        "<blockquote   expandable>a&lt;<pre  >b;</></>",
        "a<b;",
        [e("expandable_blockquote", 0, 4), e("pre", 2, 2)],
    ),
    ("<blockquote   expandable=false>a</>", "a", [e("expandable_blockquote", 0, 1)]),
    ("<B>x</b><U>y</U>", "xy", [e("bold", 0, 1), e("underline", 1, 1)]),
]


@pytest.mark.parametrize(("markup", "text", "entities"), HTML_PARSED)
def test_html_gives_tdlibs_text_and_entities(markup: str, text: str, entities: list[dict]) -> None:
    assert parse(markup, "HTML") == (text, entities)


def test_html_nested_tags_give_nested_entities() -> None:
    markup = "<b>bold <i>both <u>all three</u></i></b> plain"
    assert parse(markup, "HTML") == (
        "bold both all three plain",
        [e("bold", 0, 19), e("italic", 5, 14), e("underline", 10, 9)],
    )


# --- MarkdownV2 ---------------------------------------------------------------------------------

RESERVED = "]()#+-=|{}.!"  # ">" is reserved only mid-line, see the errors below


@pytest.mark.parametrize("char", list(RESERVED))
def test_markdown_v2_reserved_characters_must_be_escaped(char: str) -> None:
    assert parse_error(char, "MarkdownV2") == (
        f"Character '{char}' is reserved and must be escaped with the preceding '\\'"
    )
    assert parse("\\" + char, "MarkdownV2") == (char, [])


@pytest.mark.parametrize(
    "char", [chr(c) for c in range(1, 126) if chr(c) not in "_*[~`>\\" + RESERVED]
)
def test_markdown_v2_other_characters_stand_for_themselves(char: str) -> None:
    assert parse(char, "MarkdownV2") == (char, [])


MARKDOWN_V2_ERRORS = [
    (f"{S} {S}_abacaba", "Can't find end of Italic entity at byte offset 9"),
    (f"{S} {S}_abac * asd ", "Can't find end of Bold entity at byte offset 15"),
    (f"{S} {S}_abac * asd _", "Can't find end of Italic entity at byte offset 21"),
    (f"{S} {S}`", "Can't find end of Code entity at byte offset 9"),
    (f"{S} {S}```", "Can't find end of Pre entity at byte offset 9"),
    (f"{S} {S}```a ", "Can't find end of PreCode entity at byte offset 9"),
    (f"{S} {S}_{S} {S}__", "Can't find end of Underline entity at byte offset 19"),
    (f"{S} {S}```{S} {S}`", "Can't find end of Code entity at byte offset 21"),
    ("~strike", "Can't find end of Strikethrough entity at byte offset 0"),
    (f"{S} {S}||test\\|", "Can't find end of Spoiler entity at byte offset 9"),
    ("[link", "Can't find end of TextUrl entity at byte offset 0"),
    ("[telegram\\.org](asd\\)", "Can't find end of a URL at byte offset 16"),
    ("[telegram\\.org](", "Can't find end of a URL at byte offset 16"),
    (f"{S} {S}![", "Can't find end of CustomEmoji entity at byte offset 9"),
    (f"{S} {S}![👍]", "The entity must contain a tg://emoji or tg://time URL"),
    (f"{S} {S}![👍](tg://emoji?id=1234", "Can't find end of a URL at byte offset 17"),
    (f"{S} {S}![👍](t://emoji?id=1234)", "Invalid tg://emoji or tg://time URL specified"),
    (f"{S} {S}![👍](tg://emoji?test=1231&id=025)", "Invalid tg://emoji or tg://time URL specified"),
    (
        f"{S} {S}![👍](tg://time?test=1231&date=025)",
        "Invalid tg://emoji or tg://time URL specified",
    ),
    (f"{S} {S}>", "Character '>' is reserved and must be escaped with the preceding '\\'"),
    (">*b\n>ld \n>bo\nld*\nasd\ndef", "Can't find end of Bold entity at byte offset 1"),
    (">\n*a*>2", "Character '>' is reserved and must be escaped with the preceding '\\'"),
    (">asd\n>q||e||w||\n||asdad", "Can't find end of Spoiler entity at byte offset 16"),
    (">asd\n>q||ew\n||asdad", "Can't find end of Spoiler entity at byte offset 7"),
    (">asd\n>q||e||w__\n||asdad", "Can't find end of Underline entity at byte offset 13"),
    ("Price: 5.00", "Character '.' is reserved and must be escaped with the preceding '\\'"),
]


@pytest.mark.parametrize(("markup", "message"), MARKDOWN_V2_ERRORS)
def test_markdown_v2_errors_carry_tdlibs_text(markup: str, message: str) -> None:
    assert parse_error(markup, "MarkdownV2") == message


MARKDOWN_V2_PARSED = [
    ("", "", []),
    ("\\\\", "\\", []),
    ("\\\\\\\\\\_\\*\\`", "\\\\_*`", []),
    (f"\\\\\\a\\b\\c\\d\\e\\f\\1\\2\\3\\4\\{A}\\", f"\\abcdef1234\\{A}\\", []),
    (f"{S} {S}_abac \\* asd _", f"{S} {S}abac * asd ", [e("italic", 5, 11)]),
    (f"{A} {A}_{A} {A}_*{A} {A}*", f"{A} {A}{A} {A}{A} {A}", [e("italic", 5, 5), e("bold", 10, 5)]),
    (f"{S} {S}_{S} __{S}___", f"{S} {S}{S} {S}", [e("italic", 5, 5), e("underline", 8, 2)]),
    (f"{S} {S}__{S} _{S}_\\___", f"{S} {S}{S} {S}_", [e("underline", 5, 6), e("italic", 8, 2)]),
    (f"{S} {S}`{S} {S}```", f"{S} {S}{S} {S}", [e("code", 5, 5)]),
    (f"{S} {S}```{S} {S}```", f"{S} {S} {S}", [e("pre", 5, 3, language=S)]),
    (f"{S} {S}```{S}\r\n{S}```", f"{S} {S}{S}", [e("pre", 5, 2, language=S)]),
    (f"{S} {S}```{S}\n\n{S}```", f"{S} {S}\n{S}", [e("pre", 5, 3, language=S)]),
    (f"{S} {S}```{S} \\\\\\`{S}```", f"{S} {S} \\`{S}", [e("pre", 5, 5, language=S)]),
    ("```python\nprint(1)\n```", "print(1)\n", [e("pre", 0, 9, language="python")]),
    ("```\nplain\n```", "plain\n", [e("pre", 0, 6)]),
    (f"{S} {S}**", f"{S} {S}", []),
    ("||test||", "test", [e("spoiler", 0, 4)]),
    ("~gone~", "gone", [e("strikethrough", 0, 4)]),
    (
        "`_* *_`__*` `*__",
        "_* *_ ",
        [e("code", 0, 5), e("code", 5, 1), e("bold", 5, 1), e("underline", 5, 1)],
    ),
    ("_* * ` `_", "   ", [e("italic", 0, 3), e("bold", 0, 1), e("code", 2, 1)]),
    ("[](telegram.org)", "", []),
    ("[ ](telegram.org)", " ", [e("text_link", 0, 1, url="http://telegram.org/")]),
    ("[ ](as)", " ", []),
    ("[telegram\\.org]", "telegram.org", [e("text_link", 0, 12, url="http://telegram.org/")]),
    (
        "[telegram\\.org](https://telegram.dog?)",
        "telegram.org",
        [e("text_link", 0, 12, url="https://telegram.dog/?")],
    ),
    (
        "[telegram\\.org](https://telegram.dog?\\\\\\()",
        "telegram.org",
        [e("text_link", 0, 12, url="https://telegram.dog/?\\(")],
    ),
    ("[telegram\\.org](asdasd)", "telegram.org", []),
    (
        f"{S} {S}![👍](TG://EMoJI/?test=1231&id=25#id=32)a",
        f"{S} {S}👍a",
        [e("custom_emoji", 5, 2, custom_emoji_id="25")],
    ),
    (
        f"{S} {S}![👍](TG://TiME/?test=1231&format=Wt&unix=25#unix=32)a",
        f"{S} {S}👍a",
        [e("date_time", 5, 2, unix_time=25, date_time_format="wt")],
    ),
    ("> \n> \n>", " \n \n", [e("blockquote", 0, 4)]),
    ("abc\n> \n> \n>\ndef", "abc\n \n \n\ndef", [e("blockquote", 4, 5)]),
    (">", "", []),
    ("\r>a", "\ra", [e("blockquote", 1, 1)]),
    (
        ">*b\n>ld \n>bo\n>ld*\nasd\ndef",
        "b\nld \nbo\nld\nasd\ndef",
        [e("blockquote", 0, 12), e("bold", 0, 11)],
    ),
    (
        ">`b\n>ld \n>bo\nld`\n>asd\ndef",
        "b\n>ld \n>bo\nld\nasd\ndef",
        [e("blockquote", 0, 18), e("code", 0, 13)],
    ),
    ("*>abcd\n*", "abcd\n", [e("blockquote", 0, 5), e("bold", 0, 5)]),
    (
        "abc\n>def\n>def\n\r>ghi2\njkl",
        "abc\ndef\ndef\n\rghi2\njkl",
        [e("blockquote", 4, 8), e("blockquote", 13, 5)],
    ),
    (
        ">asd\n>q||e||w||\nasdad",
        "asd\nqew\nasdad",
        [e("expandable_blockquote", 0, 8), e("spoiler", 5, 1)],
    ),
    (">asd\r\n>q||e||w||", "asd\r\nqew", [e("expandable_blockquote", 0, 8), e("spoiler", 6, 1)]),
    (">asd\n>q||ew||\nasdad", "asd\nqew\nasdad", [e("blockquote", 0, 8), e("spoiler", 5, 2)]),
    (">||", "", []),
]


@pytest.mark.parametrize(("markup", "text", "entities"), MARKDOWN_V2_PARSED)
def test_markdown_v2_gives_tdlibs_text_and_entities(
    markup: str, text: str, entities: list[dict]
) -> None:
    assert parse(markup, "MarkdownV2") == (text, entities)


# --- legacy Markdown ----------------------------------------------------------------------------

LEGACY_PARSED = [
    (
        "*bold* _italic_ `code`",
        "bold italic code",
        [e("bold", 0, 4), e("italic", 5, 6), e("code", 12, 4)],
    ),
    ("```python\nx = 1```", "x = 1", [e("pre", 0, 5, language="python")]),
    ("```x=1```", "x=1", [e("pre", 0, 3)]),
    ("```x = 1```", " = 1", [e("pre", 0, 4, language="x")]),  # Telegram takes "x" as the language
    ("[site](https://example.com/a)", "site", [e("text_link", 0, 4, url="https://example.com/a")]),
    ("\\*not bold\\* a\\_b", "*not bold* a_b", []),
    ("a.b (c) #d - e!", "a.b (c) #d - e!", []),
    ("**", "", []),
]


@pytest.mark.parametrize(("markup", "text", "entities"), LEGACY_PARSED)
def test_legacy_markdown_basics(markup: str, text: str, entities: list[dict]) -> None:
    assert parse(markup, "Markdown") == (text, entities)


@pytest.mark.parametrize(("markup", "offset"), [("*bold", 0), (f"{S} _it", 5), ("ok ```code", 3)])
def test_legacy_markdown_unclosed_entity(markup: str, offset: int) -> None:
    assert parse_error(markup, "Markdown") == (
        f"Can't find end of the entity starting at byte offset {offset}"
    )


# --- links as Telegram normalises them ----------------------------------------------------------


@pytest.mark.parametrize(
    ("link", "checked"),
    [
        ("example.com", "http://example.com/"),
        ("HTTPS://Example.COM:443/Path?q=1", "https://example.com:443/Path?q=1"),
        ("https://example.com/a b ", "https://example.com/a%20b"),
        ("tg://resolve?domain=durov", "tg://resolve?domain=durov"),
        ("tg:resolve?domain=durov", "tg://resolve?domain=durov"),
        ("localhost", None),
        ("javascript:alert(1)", None),
        ("ftp://example.com", None),
        ("https://exa mple.com", None),
        ("http://example.com:99999", None),
        ("tg://http://x", None),
    ],
)
def test_checked_link_follows_tdlib(link: str, checked: str | None) -> None:
    assert checked_link(link) == checked


# --- auto-detected entities ---------------------------------------------------------------------


def test_start_command_is_a_bot_command_at_offset_zero() -> None:
    assert detect_entities("/start") == [e("bot_command", 0, 6)]


def test_command_addressed_to_a_bot_keeps_its_username_and_not_the_payload() -> None:
    assert detect_entities("/start@SportsBot payload") == [e("bot_command", 0, 16)]


@pytest.mark.parametrize(
    ("text", "commands"),
    [
        (" /abc ", ["/abc"]),
        ("/a@abc", ["/a@abc"]),
        ("/a@b", []),
        ("/@bfdsa", []),
        ("/test/", []),
        ("and/or", []),
        ("/book_slot_12 now", ["/book_slot_12"]),
    ],
)
def test_bot_commands_follow_tdlib(text: str, commands: list[str]) -> None:
    found = [
        text[x["offset"] : x["offset"] + x["length"]]
        for x in detect_entities(text)
        if x["type"] == "bot_command"
    ]
    assert found == commands


@pytest.mark.parametrize(
    ("text", "mentions"),
    [
        ("@mention ", ["@mention"]),
        ("@abc @xyz @xxx@yyy", []),
        ("@abcde @xxxxx@yyyyy @ttttt", ["@abcde", "@xxxxx", "@ttttt"]),
        ("no@mention", []),
        ("@abcdefghijklmnopqrstuvwxyz123456", ["@abcdefghijklmnopqrstuvwxyz123456"]),
        ("@abcdefghijklmnopqrstuvwxyz1234567", []),
        ("нет@mention", []),
        ("@gif @wiki @ya", ["@gif", "@wiki"]),
    ],
)
def test_mentions_follow_tdlib(text: str, mentions: list[str]) -> None:
    found = [
        text[x["offset"] : x["offset"] + x["length"]]
        for x in detect_entities(text)
        if x["type"] == "mention"
    ]
    assert found == mentions


@pytest.mark.parametrize(
    ("text", "hashtags"),
    [
        ("#a", ["#a"]),
        (" #я ", ["#я"]),
        (" я#a ", []),
        (" #123 ", []),
        (" #123a ", ["#123a"]),
        ("#a#b #c #d", ["#c", "#d"]),
        ("#test@ab", ["#test"]),
        ("#test@abc", ["#test@abc"]),
    ],
)
def test_hashtags_follow_tdlib(text: str, hashtags: list[str]) -> None:
    found = [
        text[x["offset"] : x["offset"] + x["length"]]
        for x in detect_entities(text)
        if x["type"] == "hashtag"
    ]
    assert found == hashtags


def test_urls_and_emails_are_found_and_trailing_punctuation_is_left_out() -> None:
    text = f"{S} see https://example.com/a?b=1. or telegram.org, write to coach@club.org"
    found = [(x["type"], text_at(text, x)) for x in detect_entities(text)]
    assert found == [
        ("url", "https://example.com/a?b=1"),
        ("url", "telegram.org"),
        ("email", "coach@club.org"),
    ]


def test_plain_words_with_dots_are_not_urls() -> None:
    assert detect_entities("see file.txt and v1.2") == []


def text_at(text: str, found: dict) -> str:
    units = text.encode("utf-16-le")
    return units[found["offset"] * 2 : (found["offset"] + found["length"]) * 2].decode("utf-16-le")


# --- rendering for the web chat -----------------------------------------------------------------


def test_to_html_escapes_the_text() -> None:
    assert to_html("<script>alert('x')</script> & co", []) == (
        "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; co"
    )


def test_to_html_renders_nested_entities() -> None:
    text, entities = parse("<b>bold <i>both</i></b>\n<code>x&lt;y</code>", "HTML")
    assert to_html(text, entities) == "<b>bold <i>both</i></b>\n<code>x&lt;y</code>"


def test_to_html_closes_and_reopens_overlapping_entities() -> None:
    rendered = to_html("abcdef", [e("bold", 0, 4), e("italic", 2, 4)])
    assert rendered == "<b>ab<i>cd</i></b><i>ef</i>"


def test_to_html_counts_utf16_offsets() -> None:
    assert to_html(f"{S}ab", [e("underline", 2, 1)]) == f"{S}<u>a</u>b"


def test_to_html_renders_each_kind() -> None:
    text = "s c p q l u"
    entities = [
        e("spoiler", 0, 1),
        e("code", 2, 1),
        e("pre", 4, 1, language="py"),
        e("expandable_blockquote", 6, 1),
        e("text_link", 8, 1, url="https://x.org/"),
        e("url", 10, 1),
        e("strikethrough", 10, 1),
    ]
    assert to_html(text, entities) == (
        '<span class="spoiler">s</span> <code>c</code> '
        '<pre><code class="language-py">p</code></pre> <blockquote>q</blockquote> '
        '<a href="https://x.org/" rel="noopener noreferrer" target="_blank">l</a> '
        '<a href="http://u" rel="noopener noreferrer" target="_blank"><s>u</s></a>'
    )


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,x", "JAVASCRIPT://x"])
def test_to_html_does_not_link_unsafe_urls(url: str) -> None:
    assert to_html("click", [e("text_link", 0, 5, url=url)]) == "click"


def test_to_html_escapes_quotes_in_link_targets() -> None:
    rendered = to_html("x", [e("text_link", 0, 1, url='https://a.org/"onmouseover="x')])
    assert 'href="https://a.org/&quot;onmouseover=&quot;x"' in rendered


# --- properties ---------------------------------------------------------------------------------


@given(st.text())
def test_without_parse_mode_text_is_unchanged(text: str) -> None:
    assert parse(text, None) == (text, [])


@given(st.text())
def test_escaped_html_parses_back_to_the_text(text: str) -> None:
    assert parse(escape_html(text), "HTML") == (text, [])


@given(st.text())
def test_escaped_markdown_v2_parses_back_to_the_text(text: str) -> None:
    assert parse(escape_markdown_v2(text), "MarkdownV2") == (text, [])


@st.composite
def nested_bold_italic(draw: st.DrawFn, depth: int = 0) -> str:
    parts = draw(
        st.lists(
            st.one_of(
                st.text(st.characters(exclude_characters="<>&"), max_size=5),
                st.sampled_from(["b", "i", "u"]).flatmap(
                    lambda tag: nested_bold_italic(depth + 1).map(
                        lambda inner: f"<{tag}>{inner}</{tag}>"
                    )
                )
                if depth < 3
                else st.just(""),
            ),
            max_size=4,
        )
    )
    return "".join(parts)


@given(nested_bold_italic())
def test_nested_entities_lie_inside_the_text(markup: str) -> None:
    text, entities = parse(markup, "HTML")
    for found in entities:
        assert found["length"] > 0
        assert found["offset"] >= 0
        assert found["offset"] + found["length"] <= utf16_len(text)
    bold = [found for found in entities if found["type"] == "bold"]
    assert to_html(text, entities).count("<b>") == len(bold)  # nested: nothing is reopened
