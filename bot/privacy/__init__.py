"""A person's own data: see it all (/mydata) and have it deleted (/forgetme). No Telegram here."""
