"""What the fake Bot API's methods do once a call is accepted, and the objects they answer with.

FakeBotAPI (tests/fakeapi.py) decides whether Telegram would take a call at all (faults,
blocks, flood limits, 400 checks); it then runs the `_api_<method>` here. A method the
fake does not implement answers 404, as the real API does.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
from typing import TYPE_CHECKING, Any

from tests.fakeapi_checks import BadRequest, correct_options, flag, poll_options, visible
from tests.fakeapi_wire import Upload

if TYPE_CHECKING:
    from tests.fakeapi_wire import Call

BOT_ID = 123456789
BOT_USERNAME = "quizbot_test_bot"
# An administrator's rights as getChatMember reports them: a moderator, not an owner.
_ADMIN_RIGHTS = {
    "can_be_edited": False,
    "is_anonymous": False,
    "can_manage_chat": True,
    "can_delete_messages": True,
    "can_manage_video_chats": True,
    "can_restrict_members": True,
    "can_promote_members": False,
    "can_change_info": True,
    "can_invite_users": True,
    "can_post_stories": False,
    "can_edit_stories": False,
    "can_delete_stories": False,
    "can_pin_messages": True,
}


class BotMethods:
    """The Bot API methods quizbot uses, as FakeBotAPI's `_api_<method>` coroutines."""

    # The fake's state these methods read and write (FakeBotAPI.__init__ sets it up).
    commands: list[dict[str, Any]]
    menus: dict[str, list[dict[str, Any]]]
    allowed_updates: list[str] | None
    polls: dict[str, Call]
    admins: dict[int, set[int]]
    creators: dict[int, int]
    files: dict[str, bytes]
    _updates: list[dict[str, Any]]
    _message_ids: itertools.count[int]
    _poll_ids: itertools.count[int]
    _file_ids: itertools.count[int]
    _documents: dict[str, dict[str, Any]]
    _changed: asyncio.Condition

    def _message(self, params: dict[str, Any], **content: Any) -> dict[str, Any]:
        """The Message a send with `params` made."""
        message = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": _chat(int(params["chat_id"])),
            "from": _user(BOT_ID),
            **content,
        }
        markup = params.get("reply_markup")
        # A Message carries only an inline keyboard; ForceReply and reply keyboards stay behind.
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            message["reply_markup"] = markup
        return message

    def _member(self, chat_id: int, user_id: int) -> dict[str, Any]:
        """The ChatMember for one user, from the test's `creators` and `admins`."""
        if self.creators.get(chat_id) == user_id:
            return {"status": "creator", "user": _user(user_id), "is_anonymous": False}
        if user_id in self.admins.get(chat_id, set()):
            return {"status": "administrator", "user": _user(user_id), **_ADMIN_RIGHTS}
        return {"status": "member", "user": _user(user_id)}

    async def _api_getMe(self, call: Call) -> dict[str, Any]:
        return {
            **_user(BOT_ID),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    async def _api_deleteWebhook(self, call: Call) -> bool:
        return True

    async def _api_setMyCommands(self, call: Call) -> bool:
        scope = (call.params.get("scope") or {}).get("type", "default")
        self.menus[scope] = call.params.get("commands", [])
        if scope == "default":
            self.commands = self.menus[scope]
        return True

    async def _api_getUpdates(self, call: Call) -> list[dict[str, Any]]:
        params = call.params
        if "allowed_updates" in params:
            self.allowed_updates = params["allowed_updates"]
        offset = int(params.get("offset") or 0)
        timeout = min(float(params.get("timeout") or 0), 2.0)
        # A getUpdates with an offset confirms every earlier update, as in the real API.
        self._updates = [u for u in self._updates if u["update_id"] >= offset]
        if not self._updates and timeout > 0:
            async with self._changed:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(
                        self._changed.wait_for(lambda: bool(self._updates)), timeout
                    )
        limit = int(params.get("limit") or 100)
        return self._updates[:limit]

    async def _api_sendMessage(self, call: Call) -> dict[str, Any]:
        params = call.params
        return self._message(params, text=params.get("text", ""))

    async def _api_sendPoll(self, call: Call) -> dict[str, Any]:
        params = call.params
        poll_id = str(next(self._poll_ids))
        kind = params.get("type", "regular")
        poll: dict[str, Any] = {
            "id": poll_id,
            "question": visible(params["question"], params.get("question_parse_mode")),
            # persistent_id is what a poll_answer update names the chosen options by.
            "options": [
                {"text": text, "voter_count": 0, "persistent_id": f"opt{i}"}
                for i, text in enumerate(poll_options(params))
            ],
            "total_voter_count": 0,
            "is_closed": flag(params, "is_closed", False),
            "is_anonymous": flag(params, "is_anonymous", True),
            "type": kind,
            "allows_multiple_answers": flag(params, "allows_multiple_answers", False),
            "allows_revoting": flag(params, "allows_revoting", kind == "regular"),
            "members_only": flag(params, "members_only", False),
        }
        if kind == "quiz":
            # Only the list: PTB 22.8 warns (an error in our tests) on the old single id.
            poll["correct_option_ids"] = correct_options(params)
        if "explanation" in params:
            poll["explanation"] = visible(
                params["explanation"], params.get("explanation_parse_mode")
            )
        if "open_period" in params:
            poll["open_period"] = params["open_period"]
            poll["close_date"] = int(time.time()) + params["open_period"]
        self.polls[poll_id] = call
        return self._message(params, poll=poll)

    async def _api_sendDocument(self, call: Call) -> dict[str, Any]:
        params = call.params
        upload = params["document"]
        if isinstance(upload, Upload):
            number = next(self._file_ids)
            file_id = f"BQACAgQAAx{number:08d}"
            document = {
                "file_id": file_id,
                "file_unique_id": f"AgAD{number:06d}",
                "file_name": upload.filename,
                "mime_type": upload.content_type,
                "file_size": len(upload),
            }
            self.files[file_id] = bytes(upload)  # so getFile and a download find it
            self._documents[file_id] = document
        else:  # a file_id: the same file sent again
            found = self._documents.get(str(upload))
            if found is None:
                raise BadRequest("wrong file identifier/HTTP URL specified")
            document = found
        content: dict[str, Any] = {"document": document}
        if params.get("caption"):
            content["caption"] = visible(params["caption"], params.get("parse_mode"))
        return self._message(params, **content)

    async def _api_setMessageReaction(self, call: Call) -> bool:
        return True

    async def _api_getChatMember(self, call: Call) -> dict[str, Any]:
        return self._member(int(call.params["chat_id"]), call.params["user_id"])

    async def _api_getChatAdministrators(self, call: Call) -> list[dict[str, Any]]:
        chat_id = int(call.params["chat_id"])
        creator = [self.creators[chat_id]] if chat_id in self.creators else []
        admins = sorted(self.admins.get(chat_id, set()) - set(creator))
        return [self._member(chat_id, user_id) for user_id in creator + admins]

    async def _api_getFile(self, call: Call) -> dict[str, Any]:
        file_id = str(call.params.get("file_id", ""))
        if file_id not in self.files:
            raise BadRequest("invalid file_id")
        content = self.files[file_id]
        return {
            "file_id": file_id,
            "file_unique_id": f"u{file_id}",
            "file_size": len(content),
            "file_path": f"documents/{file_id}",
        }

    async def _api_answerCallbackQuery(self, call: Call) -> bool:
        return True


def _chat(chat_id: int) -> dict[str, Any]:
    """The Chat object for an id: positive is private, -100… a supergroup, else a group."""
    if chat_id > 0:
        return {"id": chat_id, "type": "private", "first_name": f"User{chat_id}"}
    kind = "supergroup" if str(chat_id).startswith("-100") else "group"
    return {"id": chat_id, "type": kind, "title": f"Group {chat_id}"}


def _user(user_id: int) -> dict[str, Any]:
    """The User object for an id: the bot itself, or a person named User<id>."""
    if user_id == BOT_ID:
        return {"id": BOT_ID, "is_bot": True, "first_name": "Quizbot", "username": BOT_USERNAME}
    return {"id": user_id, "is_bot": False, "first_name": f"User{user_id}"}
