"""Settings from the environment, without Slack: secrets from files (Docker and Compose secrets), and each bad
setting refused in one sentence."""

import pytest

from bot.config import ConfigError, load_settings, slack_configured

TOKEN = "xoxb-1111-2222-minutebooktesttoken"
SECRET = "8f742231b10e8888abcd99yyyzzz85a5"


def test_tokens_are_read_from_the_files_that_name_them(tmp_path):
    (tmp_path / "token").write_text(TOKEN + "\n")
    (tmp_path / "secret").write_text(SECRET)
    environ = {"SLACK_BOT_TOKEN_FILE": str(tmp_path / "token"), "SLACK_SIGNING_SECRET_FILE": str(tmp_path / "secret")}
    assert slack_configured(environ)
    settings = load_settings(environ)
    assert (settings.bot_token, settings.signing_secret, settings.app_token) == (TOKEN, SECRET, None)
    assert load_settings({**environ, "SLACK_BOT_TOKEN": "xoxb-from-the-variable"}).bot_token == "xoxb-from-the-variable"


def test_a_secret_file_that_cannot_be_read_is_one_sentence(tmp_path):
    environ = {"SLACK_BOT_TOKEN_FILE": str(tmp_path / "missing"), "SLACK_SIGNING_SECRET": SECRET}
    with pytest.raises(ConfigError, match=r"^SLACK_BOT_TOKEN_FILE names '.*missing', which cannot be read \(No such"):
        load_settings(environ)


def test_questions_are_logged_unless_told_not_to():
    environ = {"SLACK_BOT_TOKEN": TOKEN, "SLACK_SIGNING_SECRET": SECRET}
    assert load_settings(environ).log_questions
    assert not load_settings({**environ, "MINUTEBOOK_LOG_QUESTIONS": "0"}).log_questions
