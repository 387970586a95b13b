"""The staff dashboard: a Telegram Mini App served by the bot, identity from Telegram's signed initData."""
