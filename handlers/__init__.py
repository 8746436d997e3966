"""Chat handlers: a package per capability, each found and registered by `bot.app`.

A capability package (`handlers/<capability>/`) holds its flows (parse the update, call one
domain function, render the reply), its screens and words. Its `__init__` defines:
- `FLOWS`: its flow modules, in the order their handlers are added;
- `register(application: BotApplication) -> None`: adds them (`bot.app.register_flows`).

A flow module defines, at module level:
- `register(application: BotApplication) -> None`: adds its handlers. Feature handlers go in
  the default group 0 (`application.add_handler(handler)`); whatever is added there takes
  precedence over the fallbacks of `handlers.shared.common`, however late it is added.
- `COMMANDS: list[tuple[str, str]]` (optional): (command, i18n key of its description) shown in
  everyone's command menu and in /help.
- `ROLE_COMMANDS: dict[str, list[tuple[str, str]]]` (optional): extra menu entries per role,
  applied to a user's chat with `bot.app.set_chat_menu`.
- `GROUP_COMMANDS: list[str]` (optional): commands (without "/") meant for group chats. Nothing
  else reaches a handler from a group: `bot.guards.keep_to_private_chats` answers any other
  command or button there with a link to the private chat. Today no flow declares one.

A `ConversationHandler` must list `handlers.shared.common.cancel_fallback()` among its
fallbacks so /cancel ends it; `add_handler` refuses one that does not. Negative groups belong
to the guards. A capability's handlers never import another capability's handlers; what they
share lives in `handlers.shared`.
"""
