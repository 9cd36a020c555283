"""Settings from the environment, without Slack: secrets from files (Docker and Compose secrets), and each bad
setting refused in one sentence."""

import os

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


def test_a_secret_file_this_user_may_not_read_says_whose_it_must_be(tmp_path):
    """Compose mounts a secret with the host file's owner and mode: a token file this user may not read is refused
    with the fix. Root reads any file, so as root the reading is done by a child process that has become nobody."""
    token = tmp_path / "token"
    token.write_text(TOKEN)
    token.chmod(0o400 if os.getuid() == 0 else 0)
    reader, writer = os.pipe()
    child = os.fork()
    if child == 0:
        try:
            if os.getuid() == 0:
                os.setuid(65534)
            load_settings({"SLACK_BOT_TOKEN_FILE": str(token), "SLACK_SIGNING_SECRET": SECRET})
            os.write(writer, b"read")
        except ConfigError as error:
            os.write(writer, str(error).encode())
        finally:
            os._exit(0)
    os.close(writer)
    with os.fdopen(reader) as said:
        message = said.read()
    os.waitpid(child, 0)
    user = 65534 if os.getuid() == 0 else os.getuid()
    assert message == (
        f"SLACK_BOT_TOKEN_FILE names '{token}', which this user (uid {user}) may not read: make the file on the host "
        f"readable by that user (chown {user} FILE; chmod 400 FILE)."
    )


def test_questions_are_logged_unless_told_not_to():
    environ = {"SLACK_BOT_TOKEN": TOKEN, "SLACK_SIGNING_SECRET": SECRET}
    assert load_settings(environ).log_questions
    assert not load_settings({**environ, "MINUTEBOOK_LOG_QUESTIONS": "0"}).log_questions
