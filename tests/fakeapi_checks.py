"""What the fake Bot API refuses with 400: the real API's checks on what a bot sends.

Limits follow Bot API 10.0, the version python-telegram-bot 22.8 speaks.
"""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any


class BadRequest(Exception):
    """What the real API answers with 400 "Bad Request: …"."""


_TAGS = {
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "a",
    "code",
    "pre",
    "tg-spoiler",
    "span",
    "blockquote",
    "tg-emoji",
}
_ENTITIES = {"lt", "gt", "amp", "quot"}

# The emoji a bot may react with (ReactionTypeEmoji in the Bot API docs). Three are ZWJ
# sequences, which PTB's ReactionEmoji spells with U+FE0F; which spelling the server wants
# is not documented in plain text, so both are allowed.
_LISTED_EMOJI = (
    "👍 👎 ❤ 🔥 🥰 👏 😁 🤔 🤯 😱 🤬 😢 🎉 🤩 🤮 💩 🙏 👌 🕊 🤡 🥱 🥴 😍 🐳 🌚 🌭 "
    "💯 🤣 ⚡ 🍌 🏆 💔 🤨 😐 🍓 🍾 💋 🖕 😈 😴 😭 🤓 👻 👀 🎃 🙈 😇 😨 🤝 ✍ 🤗 🫡 "
    "🎅 🎄 ☃ 💅 🤪 🗿 🆒 💘 🙉 🦄 😘 💊 🙊 😎 👾 🤷 😡"
)
REACTION_EMOJI = frozenset(
    [
        *_LISTED_EMOJI.split(),
        "\U0001f468\u200d\U0001f4bb",  # technologist
        "\u2764\u200d\U0001f525",  # heart on fire
        "\U0001f937\u200d\u2642",  # man shrugging
        "\U0001f937\u200d\u2640",  # woman shrugging
        "\u2764\ufe0f\u200d\U0001f525",
        "\U0001f937\u200d\u2642\ufe0f",
        "\U0001f937\u200d\u2640\ufe0f",
    ]
)


class _TelegramHTML(HTMLParser):
    """Parses text the way Bot API's HTML parse mode does, counting the visible characters."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.open: list[str] = []
        self.visible: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _TAGS:
            raise BadRequest(f'can\'t parse entities: unsupported start tag "{tag}"')
        # The tags that need an attribute to mean anything; Telegram refuses them without.
        if tag == "span" and ("class", "tg-spoiler") not in attrs:
            raise BadRequest('can\'t parse entities: tag "span" must have class "tg-spoiler"')
        if tag == "tg-emoji" and not dict(attrs).get("emoji-id"):
            raise BadRequest('can\'t parse entities: tag "tg-emoji" must have emoji-id')
        if self.open and self.open[-1] in ("pre", "code") and tag != "code":
            raise BadRequest(f'can\'t parse entities: tag "{tag}" inside "{self.open[-1]}"')
        self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open.pop() != tag:
            raise BadRequest(f'can\'t parse entities: unexpected end tag "{tag}"')

    def handle_data(self, data: str) -> None:
        if "<" in data or "&" in data:
            raise BadRequest("can't parse entities: unescaped '<' or '&'")
        self.visible.append(data)

    def handle_entityref(self, name: str) -> None:
        if name not in _ENTITIES:
            raise BadRequest(f'can\'t parse entities: unsupported entity "&{name};"')
        self.visible.append("&")

    def handle_charref(self, name: str) -> None:
        self.visible.append("&")


def visible(text: str, parse_mode: Any) -> str:
    """The text as the user sees it: HTML checked and its tags dropped (entities count as one)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate, as from slicing an emoji in half
        raise BadRequest("strings must be encoded in UTF-8") from None
    if parse_mode != "HTML":
        return text
    parser = _TelegramHTML()
    parser.feed(text)
    parser.close()
    if parser.open:
        raise BadRequest(f'can\'t parse entities: unclosed tag "{parser.open[-1]}"')
    return "".join(parser.visible)


def check_message(params: dict[str, Any]) -> None:
    """Raise BadRequest for a sendMessage the real Bot API would refuse."""
    text = params.get("text", "")
    shown = visible(text, params.get("parse_mode"))
    # Telegram trims the text once the markup is parsed: "<b> </b>" is empty too.
    if not shown.strip():
        raise BadRequest("message text is empty")
    # Telegram measures text in UTF-16 code units (as entity offsets do): an emoji is two.
    if len(shown.encode("utf-16-le")) // 2 > 4096:
        raise BadRequest("message is too long")
    markup = params.get("reply_markup") or {}
    for row in markup.get("inline_keyboard", []):
        for button in row:
            data = button.get("callback_data")
            if data is not None and not 1 <= len(data.encode()) <= 64:
                raise BadRequest("BUTTON_DATA_INVALID")


def check_document(params: dict[str, Any]) -> None:
    """Raise BadRequest for a sendDocument the real Bot API would refuse."""
    document = params.get("document")
    if isinstance(document, bytes):
        if not document:
            raise BadRequest("file must be non-empty")
        if len(document) > 50 * 1024 * 1024:
            raise BadRequest("file is too big")  # a bot uploads at most 50 MB
    elif not isinstance(document, str) or not document:
        raise BadRequest("there is no document in the request")
    caption = params.get("caption")
    if caption is not None:
        shown = visible(caption, params.get("parse_mode"))
        if len(shown.encode("utf-16-le")) // 2 > 1024:
            raise BadRequest("message caption is too long")


def check_callback_answer(params: dict[str, Any]) -> None:
    """Raise BadRequest for an answerCallbackQuery whose notification is too long."""
    if len(params.get("text", "")) > 200:
        raise BadRequest("MESSAGE_TOO_LONG")


def poll_options(params: dict[str, Any]) -> list[str]:
    """The option texts of a sendPoll, given as strings or as InputPollOption objects."""
    options = params.get("options")
    if not isinstance(options, list):
        raise BadRequest("can't parse options JSON object")
    texts = []
    for option in options:
        text = option.get("text") if isinstance(option, dict) else option
        if not isinstance(text, str):
            raise BadRequest("can't parse InputPollOption JSON object")
        parse_mode = option.get("text_parse_mode") if isinstance(option, dict) else None
        texts.append(visible(text, parse_mode))
    return texts


def flag(params: dict[str, Any], name: str, default: bool) -> bool:
    """A Boolean parameter: JSON true/false, which form bodies also carry JSON-encoded."""
    value = params.get(name, default)
    if not isinstance(value, bool):
        raise BadRequest(f"can't parse {name}: expected a Boolean")
    return value


def correct_options(params: dict[str, Any]) -> list[int]:
    """A quiz's correct option ids: Bot API 9.6's list, or the older single id."""
    if "correct_option_ids" in params:
        ids = params["correct_option_ids"]
        return ids if isinstance(ids, list) else [ids]
    if "correct_option_id" in params:
        return [params["correct_option_id"]]
    return []


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def check_poll(params: dict[str, Any]) -> None:
    """Raise BadRequest for a sendPoll the real Bot API would refuse."""
    question = params.get("question", "")
    if not isinstance(question, str) or not question.strip():
        raise BadRequest("poll question must be non-empty")
    if len(visible(question, params.get("question_parse_mode"))) > 300:
        raise BadRequest("poll question length must not exceed 300")
    options = poll_options(params)
    if not options:
        raise BadRequest("poll must have at least 1 option")
    if len(options) > 12:
        raise BadRequest("poll can't have more than 12 options")
    for text in options:
        if not text.strip():
            raise BadRequest("poll options must be non-empty")
        if len(text) > 100:
            raise BadRequest("poll options length must not exceed 100")
    kind = params.get("type", "regular")
    if kind not in ("regular", "quiz"):
        raise BadRequest("wrong poll type specified")
    for name in ("is_anonymous", "allows_multiple_answers", "is_closed", "allows_revoting"):
        flag(params, name, False)
    if kind == "quiz":
        ids = correct_options(params)
        in_range = all(_is_int(i) and 0 <= i < len(options) for i in ids)
        if not ids or not in_range or ids != sorted(set(ids)):
            raise BadRequest("wrong correct option ID specified")
    explanation = params.get("explanation")
    if explanation is not None:
        shown = visible(explanation, params.get("explanation_parse_mode"))
        if len(shown) > 200:
            raise BadRequest("explanation length must not exceed 200")
        if shown.count("\n") > 2:
            raise BadRequest("explanation must have at most 2 line feeds")
    if "open_period" in params:
        period = params["open_period"]
        if not _is_int(period) or not 5 <= period <= 2628000:
            raise BadRequest("wrong open period specified")
        if "close_date" in params:
            raise BadRequest("open_period and close_date can't be used together")


def check_reaction(params: dict[str, Any]) -> None:
    """Raise BadRequest for a setMessageReaction the real Bot API would refuse."""
    if not _is_int(params.get("message_id")):
        raise BadRequest("message_id is empty")
    reaction = params.get("reaction") or []
    if not isinstance(reaction, list):
        raise BadRequest("can't parse reaction types JSON object")
    # Bots, like users without Premium, may set one reaction per message.
    if len(reaction) > 1:
        raise BadRequest("REACTIONS_TOO_MANY")
    for item in reaction:
        # Custom and paid reactions are not for bots; only the listed emoji are.
        if not isinstance(item, dict) or item.get("type") != "emoji":
            raise BadRequest("REACTION_INVALID")
        if item.get("emoji") not in REACTION_EMOJI:
            raise BadRequest("REACTION_INVALID")


def check_user_id(params: dict[str, Any]) -> None:
    """Raise BadRequest for a getChatMember without a numeric user_id."""
    if not _is_int(params.get("user_id")):
        raise BadRequest("invalid user_id specified")
