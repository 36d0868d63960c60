"""quizbot: an async Telegram quiz tutor."""
