"""The layers point one way: `index` is a library (no commands, no Slack, no bars, no settings of its own), the
bot's follow-through posts through whatever poster it is given, and only the Slack layer and the commands that
serve Slack load the Slack SDK."""

import ast
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

COMMAND_AND_SLACK = {"bot", "ingest", "click", "tqdm", "slack_sdk", "slack_bolt"}
ENVIRONMENT_READS = {"os.getenv", "os.environ.get"}


def dotted(node: ast.AST) -> str:
    if isinstance(node, ast.Attribute):
        return f"{dotted(node.value)}.{node.attr}"
    return node.id if isinstance(node, ast.Name) else ""


def imported(tree: ast.AST) -> set[str]:
    """The top-level packages a module imports (anywhere in it); relative imports stay in their package."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def environment_reads(tree: ast.AST) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and dotted(node.func) in ENVIRONMENT_READS:
            found.append(f"{dotted(node.func)}() on line {node.lineno}")
        elif isinstance(node, ast.Subscript) and dotted(node.value) == "os.environ":
            found.append(f"os.environ[…] on line {node.lineno}")
    return found


def modules(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.py"))


def test_index_imports_no_command_slack_or_progress_bar_code():
    wrong = {
        str(path.relative_to(ROOT)): sorted(imported(ast.parse(path.read_text(encoding="utf-8"))) & COMMAND_AND_SLACK)
        for path in modules(ROOT / "index")
    }
    assert {path: names for path, names in wrong.items() if names} == {}


def test_index_reads_no_environment_settings():
    """Settings come from the command layer (bot/config.py); the library only keeps the model loaders offline."""
    reads = {
        str(path.relative_to(ROOT)): environment_reads(ast.parse(path.read_text(encoding="utf-8")))
        for path in modules(ROOT / "index")
    }
    assert {path: found for path, found in reads.items() if found} == {}


def test_only_the_slack_layer_imports_slack_at_load_time():
    """bot/ outside bot/slack/ may load Slack only inside the commands that serve or post to it."""
    loaded_at_start = {}
    for path in [ROOT / "ingest.py", *modules(ROOT / "bot")]:
        if (ROOT / "bot" / "slack") in path.parents:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        top_level = ast.Module(body=[node for node in tree.body if isinstance(node, ast.Import | ast.ImportFrom)])
        relative_slack = [
            node.module
            for node in top_level.body
            if isinstance(node, ast.ImportFrom) and node.level and (node.module or "").split(".")[0] == "slack"
        ]
        names = (imported(top_level) & {"slack_sdk", "slack_bolt"}) | set(relative_slack)
        if names:
            loaded_at_start[str(path.relative_to(ROOT))] = sorted(names)
    assert loaded_at_start == {}


def test_ingest_and_the_command_line_start_without_the_slack_sdk():
    script = (
        "import sys, ingest, bot.cli, bot.follow_through\n"
        "print(sorted(name for name in sys.modules if name.startswith(('slack_sdk', 'slack_bolt'))))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_the_checks_above_can_fail():
    assert imported(ast.parse("from bot.config import open_index\nimport click")) == {"bot", "click"}
    assert environment_reads(ast.parse("import os\nos.environ.get('X')\nos.environ['Y']")) == [
        "os.environ.get() on line 2",
        "os.environ[…] on line 3",
    ]
