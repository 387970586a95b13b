"""sister-cities-bot: the application package."""

import os

# python-telegram-bot 22 reports durations such as RetryAfter.retry_after as timedelta only when asked to
# (PTB 23 will always do so) and warns otherwise; this code is written for timedelta.
os.environ.setdefault("PTB_TIMEDELTA", "true")
