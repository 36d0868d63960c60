"""Hypothesis strategies for hostile and odd Telegram updates.

An update is generated whole, except for what only the running bot knows: the callback data
it issued, its messages' and polls' ids, its links, the question it last asked. Those are
`Ref`s, filled in by tests/fuzz_send.py just before the update is pushed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from quizbank.loader import builtin_paths, load_library
from tests.fakeapi import BOT_ID, BOT_USERNAME
from tests.support import DRILL_BANK, right_answer

# Students who keep coming back, so rounds really run; then anyone at all.
REGULARS = tuple(range(70_001, 70_031))
# Few groups, so games and replies meet; the test moves them to fresh ids (fuzz_send.regroup).
GROUPS = tuple(-(400_000 + i) for i in range(40))
SUPERGROUPS = tuple(-(1_002_000_000_000 + i) for i in range(40))
CHANNELS = tuple(-(1_003_000_000_000 + i) for i in range(20))
SYNC_USER = 7  # never fuzzed: the test's /help from it marks the end of a chunk
ADMINS = REGULARS[:10]  # administer every group (the fake's getChatMember says so)

LIBRARY = load_library([*builtin_paths(), DRILL_BANK])[0]
ANSWERS = sorted(
    {right_answer(q) for q in LIBRARY.questions} | {c for q in LIBRARY.questions for c in q.choices}
)
TOPICS = sorted({q.topic for q in LIBRARY.questions})

ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
BIDI = "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
RTL = "مرحبا بالعالم خروتشوف שלום חרושצ'וב"
COMBINING = "e\u0301a\u0308\u0336\u0489Z\u0351\u0362\u035d"
EMOJI = "🤔💥👍🏽👨‍👩‍👧‍👦🏳️‍🌈🇬🇧❤️‍🔥"
MARKUP = "<b>&amp;<script>&lt;</i>&#0;&bogus;\"'`"
CONTROL = "\x00\x01\x07\x1b\x7f\r\n\t\u2028\u2029"
ODD = ZERO_WIDTH + BIDI + RTL + COMBINING + EMOJI + MARKUP + CONTROL + "٠١٢٣٤٥٦٧٨٩"

COMMANDS = [
    "start",
    "help",
    "quiz",
    "topics",
    "review",
    "weak",
    "timezone",
    "skip",
    "stop",
    "stats",
    "newclass",
    "classes",
    "leave",
    "push",
    "challenge",
    "endchallenge",
    "leaderboard",
    "daily",
    "dailydm",
    "report",
    "frobnicate",
]
ABSURD = (
    "999999999999",
    "-5",
    "0",
    "1e308",
    "9" * 400,
    "99:99 tz:Mars/Phobos",
    "-5 topic:💥",
    "25:00",
    "08:30 tz:",
    "08:30 mon-fri tz:Europe/London",
    "08:30 everyday topic:drill",
    "07:61",
    "off",
    "08:30",
    "poll",
    "10 20s",
    "5 120s poll",
    "3 10s",
    "0s",
    "999999999s",
    "class:",
    "class:\x00",
    "class:" + "x" * 300,
    "topic:",
    "drill",
    "drill 2",
    "space",
    "Europe/Berlin",
    "UTC",
    "../../etc/passwd",
    "quiz_5_drill",
    "quiz_999_drill",
    "quiz_",
    "join_ABC123",
    "join_" + "Z" * 80,
    "\x00\x00",
    " ",
)

# Commands as a student or teacher would type them.
MEANINGFUL = (
    *["/quiz", "/quiz drill", "/quiz 3", "/quiz 30 drill", "/quiz exam"] * 3,
    "/review",
    "/weak",
    "/topics",
    "/stats",
    "/skip",
    "/stop",
    "/help",
    "/start",
    "/start quiz_5_drill",
    "/timezone Europe/Berlin",
    "/timezone Asia/Tehran",
    "/newclass 12B <History> & co",
    "/newclass",
    "/classes",
    "/leave 12B <History> & co",
    "/push",
    "/dailydm 17:00",
    "/dailydm 17:00 class:12B <History> & co",
    *["/challenge", "/challenge 3 10s", "/challenge poll 10s 2", "/challenge drill 2 10s"] * 2,
    "/endchallenge",
    "/leaderboard",
    "/daily 08:30",
    "/daily",
    "/daily off",
    "/daily 07:00 mon-fri topic:drill tz:Asia/Tehran",
    "/report",
    "/quiz fuzzdrill",
    "/challenge fuzzdrill 2 10s",
    "/daily 08:30 topic:fuzzdrill",
)


@dataclass(frozen=True)
class Ref:
    """Something only the running bot knows, picked by `index` when the update is pushed."""

    kind: str  # issued | bot_message | poll | start | answer
    index: int


def _repeat(piece: str, units: int) -> str:
    # Telegram caps a message at 4,096 UTF-16 units; astral characters take two.
    per = len(piece.encode("utf-16-le")) // 2
    return piece * max(1, units // per)


texts = st.one_of(
    st.text(max_size=60),
    st.text(alphabet=st.sampled_from(ODD), max_size=40),
    st.sampled_from(ANSWERS),
    st.sampled_from(ANSWERS).flatmap(
        lambda a: st.builds(lambda z, y: z + a + y, st.sampled_from(ODD), st.sampled_from(ODD))
    ),
    st.builds(
        _repeat, st.sampled_from(["x", "é", "ש", "\u200b", "🤔", "ab ", "<&"]), st.just(4096)
    ),
    st.builds(_repeat, st.sampled_from(["word ", "1956 "]), st.integers(1, 4096)),
    st.sampled_from(["", " ", "\u200b", "\n", "all", "some", "none", "A", "b", "true", "?"]),
)
arguments = st.one_of(st.sampled_from(ABSURD), texts, st.sampled_from(TOPICS))


@st.composite
def commands(draw: st.DrawFn) -> str:
    """A /command, maybe addressed to this bot or another, with absurd arguments."""
    if draw(st.integers(0, 2)) == 0:
        return draw(st.sampled_from(MEANINGFUL))  # so rounds, games and classes happen
    if draw(st.integers(0, 4)) == 0:
        name = draw(st.text(alphabet="abcxyz_0123", min_size=1))
    else:
        name = draw(st.sampled_from(COMMANDS))
    to = draw(st.sampled_from(["", "", "", f"@{BOT_USERNAME}", "@someotherbot"]))
    args = draw(st.lists(arguments, max_size=3))
    return " ".join([f"/{name}{to}", *args])[:4096]


@st.composite
def users(draw: st.DrawFn, *, regular: bool = False) -> dict[str, Any]:
    """A Telegram user: often one of the regulars, sometimes a stranger or a bot."""
    if regular or draw(st.integers(0, 3)) > 0:
        user_id = draw(st.sampled_from(REGULARS))
    else:
        user_id = draw(st.integers(1, 2**52).filter(lambda i: i != SYNC_USER))
    user: dict[str, Any] = {
        "id": user_id,
        "is_bot": draw(st.integers(0, 30)) == 0,
        "first_name": draw(st.sampled_from(["Ana", "", "\u200b", MARKUP, RTL]) | texts)[:64],
    }
    if draw(st.booleans()):
        user["last_name"] = draw(texts)[:64]
    if draw(st.booleans()):
        user["username"] = draw(st.text(alphabet="abcdefgh_123", min_size=5, max_size=32))
    if draw(st.booleans()):
        user["language_code"] = draw(st.sampled_from(["en", "ar", "he", "zz", ""]))
    return user


def private_chat(user: dict[str, Any]) -> dict[str, Any]:
    """The private chat with a user."""
    return {"id": user["id"], "type": "private", "first_name": user["first_name"] or "?"}


@st.composite
def chats(draw: st.DrawFn, user: dict[str, Any]) -> dict[str, Any]:
    """Where a message comes from: mostly the user's private chat, else some group."""
    kind = draw(st.sampled_from(["private"] * 6 + ["group", "supergroup", "supergroup"]))
    if kind == "private":
        return private_chat(user)
    pool = GROUPS if kind == "group" else SUPERGROUPS
    return {"id": draw(st.sampled_from(pool)), "type": kind, "title": draw(texts)[:128] or "G"}


def _command_entities(text: str) -> list[dict[str, Any]]:
    if not text.startswith("/"):
        return []
    return [{"type": "bot_command", "offset": 0, "length": len(text.split(" ")[0])}]


@st.composite
def messages(draw: st.DrawFn, kind: str) -> dict[str, Any]:
    """A message of one kind: text, command, meaningful (a command as typed in earnest),
    reply, media, document or status (a service message)."""
    user = draw(users())
    chat = draw(chats(user))
    if kind == "reply" and chat["type"] == "private" and draw(st.booleans()):
        # Mostly in groups, where a reply to the bot's question is an answer.
        pool = draw(st.sampled_from([GROUPS, SUPERGROUPS]))
        kind_of = "group" if pool is GROUPS else "supergroup"
        chat = {"id": draw(st.sampled_from(pool)), "type": kind_of, "title": "G"}
    msg: dict[str, Any] = {"chat": chat, "from": user}
    if kind == "answer":  # to the question the bot last asked in this chat, if any
        msg["chat"] = private_chat(user)
        msg["text"] = Ref("answer", draw(st.integers(0, 10**6)))
    elif kind == "join":  # a link the bot gave out (a class's), opened by anyone
        msg["text"] = Ref("start", draw(st.integers(0, 10**6)))
        msg["entities"] = [{"type": "bot_command", "offset": 0, "length": len("/start")}]
    elif kind in ("text", "command", "meaningful", "reply"):
        text = draw(
            {"command": commands(), "meaningful": st.sampled_from(MEANINGFUL)}.get(kind, texts)
        )
        msg["text"] = text
        if entities := _command_entities(text):
            msg["entities"] = entities
        if kind == "reply" or draw(st.integers(0, 9)) == 0:
            msg["reply_to_message"] = draw(replied_to(chat))
        if kind == "reply" and draw(st.booleans()):
            msg["text"] = Ref("answer", draw(st.integers(0, 10**6)))  # in a game, perhaps
            msg.pop("entities", None)
    elif kind == "media":
        msg.update(draw(media))
    elif kind == "document":
        msg["document"] = draw(documents)
        if draw(st.booleans()):
            msg["caption"] = draw(texts)[:1024]
    else:
        msg.update(draw(status_updates(chat)))
    if chat["type"] != "private" and draw(st.integers(0, 9)) == 0:
        # An anonymous admin, posting as the group.
        msg["from"] = {"id": 1087968824, "is_bot": True, "first_name": "Group"}
        msg["sender_chat"] = chat
    return msg


@st.composite
def replied_to(draw: st.DrawFn, chat: dict[str, Any]) -> dict[str, Any]:
    """What a message replies to: one of the bot's messages, or something unknown."""
    if draw(st.booleans()):
        message_id: Any = Ref("bot_message", draw(st.integers(0, 10**6)))
        sender = {"id": BOT_ID, "is_bot": True, "first_name": "Quizbot"}
    else:
        message_id = draw(st.integers(1, 2**31 - 1))
        sender = draw(users())
    return {"message_id": message_id, "date": 0, "chat": chat, "from": sender, "text": "…"}


media = st.sampled_from(
    [
        {"sticker": {"file_id": "s", "file_unique_id": "s", "width": 1, "height": 1,
                     "is_animated": False, "is_video": False, "type": "regular"}},
        {"photo": [{"file_id": "p", "file_unique_id": "p", "width": 9, "height": 9}]},
        {"voice": {"file_id": "v", "file_unique_id": "v", "duration": 1}},
        {"location": {"latitude": 51.5, "longitude": -0.12}},
        {"contact": {"phone_number": "+440000", "first_name": "X"}},
        {"dice": {"emoji": "🎲", "value": 6}},
        {"poll": {"id": "p1", "question": "?", "options": [], "total_voter_count": 0,
                  "is_closed": False, "is_anonymous": True, "type": "regular",
                  "allows_multiple_answers": False, "allows_revoting": True,
                  "members_only": False}},
    ]
)  # fmt: skip


def _bank(*, keep: int, prompt_prefix: str = "") -> bytes:
    """The drill bank as a teacher's upload "fuzz": its first `keep` questions."""
    text = DRILL_BANK.read_text(encoding="utf-8")
    for old, new in (("bank: drill", "bank: fuzz"), ("drill", "fuzzdrill"), ("exam", "fuzzexam")):
        text = text.replace(old, new)
    head, _, body = text.partition("\nquestions:\n")
    questions = body.split("  - id: ")[1:]
    kept = [q.replace("prompt: ", f"prompt: {prompt_prefix}", 1) for q in questions[:keep]]
    return f"{head}\nquestions:\n{''.join('  - id: ' + q for q in kept)}".encode()


# Two uploads of one bank, the second with fewer questions (rounds may hold the others),
# and one with markup and a zero-width space in its prompts. Telegram has no empty files.
BANKS = (_bank(keep=5), _bank(keep=2), _bank(keep=5, prompt_prefix="<b>&amp;\u200b "))
FILE_CONTENTS = (
    *BANKS,
    *BANKS,
    b"\x00\xff\xfe garbage",
    b"not: [valid yaml",
    b"a: &a [1]\nb: *a\n",
    "bank: x\ntitle: é\ntopics: []\nquestions: []\n".encode(),
    b"bank: fuzz\ntitle: Fuzz\ntopics:\n  - id: fz\n    name: F\nquestions:\n"
    b"  - id: q1\n    topic: fz\n    prompt: '<b>?</b> & \xe2\x80\x8b'\n    answers: ['x']\n",
    b"%PDF-1.4\n",
    b"- - - - -\n" * 100,
)


@st.composite
def _documents(draw: st.DrawFn) -> dict[str, Any]:
    name = draw(st.sampled_from(["bank.yaml", "b.YML", "x.txt", "", ".yaml", "💥.yaml"]) | texts)
    content = draw(st.sampled_from(FILE_CONTENTS) | st.binary(min_size=1, max_size=200))
    doc: dict[str, Any] = {"file_id": content, "file_unique_id": "u"}  # the bytes, for now
    if name:
        doc["file_name"] = name[:255]
    if draw(st.booleans()):
        doc["file_size"] = draw(st.sampled_from([len(content), 0, 10**9]))
    return doc


documents = _documents()


@st.composite
def status_updates(draw: st.DrawFn, chat: dict[str, Any]) -> dict[str, Any]:
    """Service messages: members joining, a title change, a group becoming a supergroup."""
    if chat["type"] == "group" and draw(st.booleans()):
        return {"migrate_to_chat_id": draw(st.sampled_from(SUPERGROUPS))}
    if chat["type"] == "supergroup" and draw(st.booleans()):
        return {"migrate_from_chat_id": draw(st.sampled_from(GROUPS))}
    return draw(
        st.sampled_from(
            [
                {"new_chat_members": [{"id": BOT_ID, "is_bot": True, "first_name": "Quizbot"}]},
                {"left_chat_member": {"id": 5, "is_bot": False, "first_name": "L"}},
                {"new_chat_title": "<b>"},
                {"group_chat_created": True},
            ]
        )
    )


@st.composite
def channel_posts(draw: st.DrawFn) -> dict[str, Any]:
    """A post in a channel: no sender, only the channel."""
    chat = {"id": draw(st.sampled_from(CHANNELS)), "type": "channel", "title": "News"}
    text = draw(commands() | texts)
    post = {"chat": chat, "sender_chat": chat, "text": text}
    if entities := _command_entities(text):
        post["entities"] = entities
    return post


callback_data = st.one_of(
    st.builds(lambda i: Ref("issued", i), st.integers(0, 10**6)),
    st.sampled_from(
        [
            "q",
            "topics",
            "t:drill",
            "t:",
            "t:nope",
            "t:../x",
            "a:",
            "a:zzzzzz:0:0",
            "a:abcdef:999:9",
            "m:abcdef:0:3",
            "d:0",
            "d:999999999999999999",
            "d:-1",
            "csv",
            "r:",
            "a:ABCDEF:0:0",
            "a:abcdef:0:0\n",
            "a:abcdef:٠:٠",
            "\x00",
            "",
        ]
    ),
    st.text(max_size=64),
    st.text(min_size=65, max_size=300),
    st.binary(max_size=64).map(lambda b: b.decode("latin-1")),
)


@st.composite
def callback_queries(draw: st.DrawFn) -> dict[str, Any]:
    """A button press: issued data (often someone else's), or data never issued at all."""
    user = draw(users())
    query: dict[str, Any] = {"from": user, "chat_instance": "ci", "data": draw(callback_data)}
    where = draw(st.sampled_from(["own", "own", "group", "inline", "none", "game"]))
    if where == "inline":
        query["inline_message_id"] = draw(st.text(min_size=1, max_size=20))
    elif where == "game":
        del query["data"]
        query["game_short_name"] = "game"
    elif where != "none":
        chat = private_chat(user) if where == "own" else draw(chats(user))
        query["message"] = {
            "message_id": Ref("bot_message", draw(st.integers(0, 10**6))),
            "date": 0,
            "chat": chat,
            "from": {"id": BOT_ID, "is_bot": True, "first_name": "Quizbot"},
            "text": "…",
        }
    return query


@st.composite
def poll_answers(draw: st.DrawFn) -> dict[str, Any]:
    """A vote: in a poll the bot sent or one it never did, by a user or as a channel."""
    poll_id = draw(
        st.builds(lambda i: Ref("poll", i), st.integers(0, 10**6)) | st.text(max_size=20)
    )
    answer: dict[str, Any] = {
        "poll_id": poll_id,
        "option_ids": draw(st.lists(st.integers(-1, 20), max_size=4)),
    }
    answer["option_persistent_ids"] = [f"opt{i}" for i in answer["option_ids"]]
    if draw(st.integers(0, 5)) == 0:
        answer["voter_chat"] = {"id": draw(st.sampled_from(SUPERGROUPS)), "type": "supergroup"}
    else:
        answer["user"] = draw(users())
    return answer


@st.composite
def memberships(draw: st.DrawFn) -> dict[str, Any]:
    """The bot's own status changed in some chat: added, kicked, blocked, restricted."""
    user = draw(users())
    chat = draw(chats(user))
    bot = {"id": BOT_ID, "is_bot": True, "first_name": "Quizbot"}
    old, new = draw(st.lists(st.sampled_from(["member", "kicked", "left"]), min_size=2, max_size=2))
    return {
        "chat": chat,
        "from": user,
        "date": 0,
        "old_chat_member": _member(bot, old),
        "new_chat_member": _member(bot, new),
    }


def _member(user: dict[str, Any], status: str) -> dict[str, Any]:
    return {"user": user, "status": status, **({"until_date": 0} if status == "kicked" else {})}


# Each kind of update, and how many of every thousand are of that kind. Hypothesis makes
# the content; the mix is fixed here, as its own choices of branch lean hard on the first.
MIX = (
    (messages("text").map(lambda m: {"message": m}), 120),
    (messages("answer").map(lambda m: {"message": m}), 80),
    (messages("meaningful").map(lambda m: {"message": m}), 150),
    (messages("command").map(lambda m: {"message": m}), 70),
    (messages("join").map(lambda m: {"message": m}), 30),
    (messages("reply").map(lambda m: {"message": m}), 80),
    (messages("media").map(lambda m: {"message": m}), 20),
    (messages("document").map(lambda m: {"message": m}), 30),
    (messages("status").map(lambda m: {"message": m}), 20),
    (messages("text").map(lambda m: {"edited_message": {**m, "edit_date": 0}}), 40),
    (channel_posts().map(lambda p: {"channel_post": p}), 20),
    (channel_posts().map(lambda p: {"edited_channel_post": {**p, "edit_date": 0}}), 10),
    (callback_queries().map(lambda q: {"callback_query": q}), 200),
    (poll_answers().map(lambda a: {"poll_answer": a}), 80),
    (memberships().map(lambda m: {"my_chat_member": m}), 50),
)
assert sum(share for _, share in MIX) == 1000
