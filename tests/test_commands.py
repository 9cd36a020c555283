"""The real commands, run as a person runs them: ingest.py and python -m bot."""

import datetime as dt
import json
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import (
    AGENDA_ITEMS,
    AGENDA_ITEMS_DATE,
    CYP,
    EXAMPLES,
    ROOT,
    SEED_DATE,
    SEED_ITEM,
    TODAY,
    environment_without_settings,
)

pytestmark = pytest.mark.slow  # every test here runs ingest.py or python -m bot, which load the model


def run(*args, stdin=None, env=None):
    environment = environment_without_settings()
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, *args], input=stdin, capture_output=True, text=True, cwd=ROOT, env=environment, timeout=300
    )


def no_traceback(result):
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout, result.stderr


@pytest.fixture(scope="module")
def seed_index(tmp_path_factory, seed_path):
    index = tmp_path_factory.mktemp("seed")
    result = run(
        "ingest.py", str(seed_path), "--index", str(index), "--committee", CYP, "--date", SEED_DATE.isoformat()
    )
    assert result.returncode == 0, result.stderr
    assert "1 added, 0 unchanged, 0 replaced, 0 failed" in result.stdout
    return index


SEED_QUESTIONS = [
    ("How many practitioners will the new 5-day training course train?", "60 practitioners"),
    ("How many staff and partners attended the 1-year Conference?", "attended by 130 staff and partners"),
    ("When did the regional judiciary briefing take place?", "judiciary briefing had taken place in July 2019"),
    ("Over how many years will the new practice be phased in?", "phased over 2-3 years"),
    ("What did the committee resolve about Signs of Safety?", "an update to be provided in 12 months"),
    ("How many family members were involved in safety planning to keep a child with her mother?", "15 family members"),
    ("What affects social worker retention rates?", "caseload management"),
    ("Who runs One Point?", "operated jointly with early help"),
]


def test_seed_questions_through_json_lines(seed_index, seed_path):
    stdin = "".join(question + "\n" for question, _ in SEED_QUESTIONS)
    result = run("-m", "bot", "ask", "--json", "-", "--index", str(seed_index), stdin=stdin)
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    source = seed_path.read_text(encoding="utf-8")
    assert [line["question"] for line in lines] == [question for question, _ in SEED_QUESTIONS]
    for line, (_, fact) in zip(lines, SEED_QUESTIONS, strict=True):
        first = line["passages"][0]
        assert set(first) == {"text", "document", "council", "committee", "date", "item", "page", "ocr", "score"}
        assert first["ocr"] is False and first["page"] is None
        assert fact in first["text"], (line["question"], first["text"][:200])
        assert first["text"] in source
        assert first["item"] == SEED_ITEM
        assert (first["committee"], first["date"], first["document"]) == (CYP, SEED_DATE.isoformat(), str(seed_path))
        assert line["answered"] is True


def test_human_output_quotes_then_cites(seed_index):
    result = run("-m", "bot", "ask", "What did the committee resolve?", "-k", "2", "--index", str(seed_index))
    assert result.returncode == 0, result.stderr
    assert "│ That the report and presentation be noted and an update to be provided in 12 months." in result.stdout
    assert f"— {CYP} · 4 November 2019 · {SEED_ITEM} · " in result.stdout


def test_unanswerable_question_says_so(seed_index):
    result = run(
        "-m", "bot", "ask", "What is the price of a season ticket at the football ground?", "--index", str(seed_index)
    )
    assert result.returncode == 0
    assert result.stdout.startswith("Nothing in the minutes answers that question.")
    assert "Nearest passages (not answers):" in result.stdout


def test_chat_without_slack_tokens(seed_index):
    result = run(
        "-m",
        "bot",
        "--index",
        str(seed_index),
        stdin="How many practitioners will be trained?\n\nWho runs One Point?\n",
    )
    assert result.returncode == 0, result.stderr
    assert "SLACK_BOT_TOKEN" in result.stderr and "manifest.yml" in result.stderr
    assert result.stdout.count("Q: ") == 2
    answers = " ".join(result.stdout.replace("│", " ").split())
    assert "60 practitioners" in answers and "operated jointly with early help" in answers


def test_chat_reads_a_follow_up_with_the_question_before_it(sample_index):
    turns = ["what was reported about the Moorlink trial in 2025?", "what did they decide in the end?"]
    asked = "\n".join([*turns, "and the year before?"])
    result = run("-m", "bot", "chat", "--index", str(sample_index), stdin=asked)
    assert result.returncode == 0, result.stderr
    turns = " ".join(result.stdout.replace("│", " ").split()).split("Q: ")[1:]
    assert len(turns) == 3
    assert "that Cabinet be recommended to continue the Moorlink service until March 2026" in turns[1]
    assert "Following on from “what was reported about the Moorlink trial in 2025?”" in turns[1]
    assert "on or after 1 January 2025 · on or before 31 December 2025" in turns[1]
    assert "on or after 1 January 2024 · on or before 31 December 2024" in turns[2]
    assert "4 February 2025" not in turns[2]


def test_brief_reads_an_agenda_file_and_says_what_is_wrong_in_one_sentence(sample_index, tmp_path):
    agenda = ROOT / "examples" / "agendas" / "environment-2025-06-10-agenda.txt"
    result = run("-m", "bot", "brief", "--agenda", str(agenda), "--index", str(sample_index))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Briefing: Environment and Transport Committee on 10 June 2025\n")
    assert "\n4. Moorlink Demand Responsive Transport – Extension to Ashby Moor\n" in result.stdout
    assert "Left out (procedural): 3. Minutes of the meeting held on 4 February 2025" in result.stdout
    (tmp_path / "agenda.pdf").write_bytes(b"%PDF-1.7 nonsense")
    for args, sentence in [
        (["--agenda", str(tmp_path / "agenda.pdf")], "Could not read the agenda"),
        (["--committee", "environment"], "No meeting to come is known for “environment”: sync the committee"),
        (["--agenda", str(agenda), "--committee", "nothing like it"], "“nothing like it” names no committees"),
    ]:
        failed = run("-m", "bot", "brief", *args, "--index", str(sample_index))
        no_traceback(failed)
        assert failed.returncode == 1 and sentence in failed.stderr, failed.stderr


def test_ingest_reports_bad_files_in_one_line_each_and_keeps_the_good(tmp_path, seed_path):
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "good.txt").write_bytes(seed_path.read_bytes())
    (folder / "empty.txt").write_bytes(b"")
    (folder / "corrupt.pdf").write_bytes(b"%PDF-1.7 nonsense")
    (folder / "junk.txt").write_bytes(bytes(range(256)) * 16)
    (folder / "sheet.xlsx").write_bytes(b"PK")
    index = tmp_path / "index"
    result = run("ingest.py", str(folder), "--index", str(index))
    no_traceback(result)
    assert result.returncode == 1
    skipped = [line for line in result.stderr.splitlines() if line.startswith("Skipped ")]
    assert len(skipped) == 4
    assert "1 added, 0 unchanged, 0 replaced, 4 failed" in result.stdout
    asked = run("-m", "bot", "ask", "--json", "practitioners trained", "--index", str(index))
    assert json.loads(asked.stdout)["passages"][0]["document"] == str(folder / "good.txt")


def test_ingest_and_status_say_which_documents_were_not_dated_or_named_by_their_text(tmp_path, seed_path):
    folder = tmp_path / "minutes"
    folder.mkdir()
    (folder / "2024-01-25 planning.txt").write_text(
        "1. Tree Preservation Order\n\nThe order at Mill Lane was confirmed.\n", encoding="utf-8"
    )
    (folder / "notes.txt").write_bytes(seed_path.read_bytes())
    (folder / "cabinet.txt").write_text(
        "Cabinet – 12 March 2024\n\n1 Library Opening Hours\n\nSaturday opening will continue.\n", encoding="utf-8"
    )
    (folder / "2024-02-01 hall.txt").write_text(
        "The group met and talked about the new boiler, which is on order.\n\nMrs Hale will write to the diocese.\n",
        encoding="utf-8",
    )
    index = tmp_path / "index"
    result = run("ingest.py", str(folder), "--index", str(index))
    no_traceback(result)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("4 added, 0 unchanged, 0 replaced, 0 failed")
    assert lines[1:] == [
        f"2 documents dated from their file names: {folder / '2024-01-25 planning.txt'}, "
        f"{folder / '2024-02-01 hall.txt'}",
        f"1 document with no date: {folder / 'notes.txt'} — give --date",
        f"3 documents with no committee read from the text: {folder / '2024-01-25 planning.txt'}, "
        f"{folder / '2024-02-01 hall.txt'}, {folder / 'notes.txt'} — give --committee",
        f"1 document read without agenda items (indexed whole, as one item): {folder / '2024-02-01 hall.txt'}",
    ]
    status = run("-m", "bot", "status", "--index", str(index))
    assert status.stdout.splitlines()[-4:] == lines[1:]
    asked = run("-m", "bot", "ask", "--json", "when will the boiler come", "--index", str(index))
    assert "the new boiler, which is on order." in json.loads(asked.stdout)["passages"][0]["text"]


def test_reingest_and_remove_from_the_command_line(tmp_path, seed_path):
    index = tmp_path / "index"
    assert run("ingest.py", str(seed_path), "--index", str(index)).returncode == 0
    again = run("ingest.py", str(seed_path), "--index", str(index))
    assert "0 added, 1 unchanged" in again.stdout
    removed = run("ingest.py", "--remove", str(seed_path), "--index", str(index))
    assert removed.returncode == 0 and f"Removed {seed_path}" in removed.stdout
    asked = run("-m", "bot", "ask", "--json", "training", "--index", str(index))
    assert json.loads(asked.stdout)["passages"] == []


def test_sigterm_stops_an_ingest_with_what_it_finished_saved(tmp_path):
    """docker stop sends SIGTERM: the ingest says what it kept and exits as Ctrl-C does, and the next run goes on."""
    folder = tmp_path / "minutes"
    folder.mkdir()
    for day in range(100):
        meeting = dt.date(2024, 1, 1) + dt.timedelta(days=day)
        (folder / f"{meeting} parish council.txt").write_text(
            f"Parish Council – {meeting:%d %B %Y}\n\n1 Allotments\n\nPlot {day} was let to a new tenant.\n\n"
            f"2 Footpaths\n\nThe stile on path {day} is to be repaired before the next meeting.\n",
            encoding="utf-8",
        )
    index = tmp_path / "index"
    environment = environment_without_settings()
    ingesting = subprocess.Popen(
        [sys.executable, "ingest.py", str(folder), "--index", str(index)],
        cwd=ROOT, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    while saved_documents(index) == 0 and ingesting.poll() is None:
        time.sleep(0.02)
    ingesting.send_signal(signal.SIGTERM)
    out, err = ingesting.communicate(timeout=60)
    assert ingesting.returncode == 130, out + err
    assert "Interrupted: the files finished so far are saved and the index is usable." in err
    assert "Traceback" not in err
    kept = saved_documents(index)
    assert 0 < kept < 100
    resumed = run("ingest.py", str(folder), "--index", str(index))
    assert resumed.returncode == 0, resumed.stderr
    assert resumed.stdout.startswith(f"{100 - kept} added, {kept} unchanged, 0 replaced, 0 failed")


def saved_documents(index: Path) -> int:
    """Documents committed to the index so far, read the way another process would."""
    database = index / "minutebook.db"
    if not database.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as connection:
            return connection.execute("SELECT count(*) FROM documents").fetchone()[0]
    except sqlite3.OperationalError:  # the store is still creating its tables
        return 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ingest.py", "x.txt", "--date", "12/03/2024"], "is not a date: write it as YYYY-MM-DD"),
        (["-m", "bot", "ask", "anything", "--index", "/nonexistent/index"], "There is no Minutebook index"),
        (["-m", "bot", "ask", "-k", "0", "anything"], "-k"),
        (["-m", "bot", "ask", "???", "--index", "{seed}"], "no words to search for"),
    ],
)
def test_mistakes_get_one_clear_sentence(args, message, seed_index):
    result = run(*[arg.replace("{seed}", str(seed_index)) for arg in args])
    no_traceback(result)
    assert result.returncode != 0
    assert message in result.stderr


DIRECT_QUESTIONS = [
    # (question, words of the passage that answers it, its agenda item), one or more per format
    (
        "How much would eight more wheelchair-accessible minibuses cost?",
        "capital cost of approximately £560,000",
        "Home to School Transport Costs",
    ),
    (
        "Who declared an interest as a trustee of the Frithwell Youth and Community Association?",
        "a trustee of the Frithwell Youth and Community Association",
        "Declarations of Interest",
    ),
    (
        "How far has the youth service budget fallen since 2019/20?",
        "reduced from £3.4m in 2019/20 to £2.75m in 2023/24",
        "Youth Service Funding",
    ),
    (
        "What was the median CAMHS wait from referral to treatment in March 2024?",
        "the median wait from referral to treatment was 31 weeks",
        "Mental Health Support Teams in Schools",
    ),
    (
        "How many schools do mental health support teams now cover?",
        "extending coverage to 159 schools",
        "Mental Health Support Teams in Schools – Update",
    ),
    (
        "How many compensation claims for vehicle damage did we get in 2022/23?",
        "412 claims for vehicle damage",
        "Pothole Repair Backlog",
    ),
    (
        "How many outstanding highway defects were there by April 2024?",
        "to 4,210 at the end of April 2024",
        "Pothole Repair Backlog – Update",
    ),
    (
        "What is the cost per passenger journey on Moorlink?",
        "The cost per passenger journey was £17.40",
        "Moorlink Demand Responsive Transport – Review",
    ),
]


@pytest.fixture(scope="module")
def samples_index(tmp_path_factory):
    """The demo of the README: both sample folders ingested with the real command."""
    index = tmp_path_factory.mktemp("samples")
    result = run("ingest.py", str(EXAMPLES), "--index", str(index))
    assert result.returncode == 0, result.stderr
    assert "7 added, 0 unchanged, 0 replaced, 0 failed" in result.stdout
    result = run(
        "ingest.py",
        str(AGENDA_ITEMS),
        "--index",
        str(index),
        "--committee",
        CYP,
        "--date",
        AGENDA_ITEMS_DATE.isoformat(),
    )
    assert result.returncode == 0, result.stderr
    return index


def test_sample_minutes_answer_direct_questions_first(samples_index):
    stdin = "".join(question + "\n" for question, _, _ in DIRECT_QUESTIONS)
    asked = run("-m", "bot", "ask", "--json", "-", "--index", str(samples_index), stdin=stdin)
    assert asked.returncode == 0, asked.stderr
    for (question, fact, item), line in zip(DIRECT_QUESTIONS, asked.stdout.splitlines(), strict=True):
        first = json.loads(line)["passages"][0]
        assert fact in " ".join(first["text"].split()), question
        assert first["item"] == item, question
        assert (ROOT / first["document"]).exists()


def test_a_backup_answers_as_the_index_does_and_is_never_overwritten(samples_index, tmp_path):
    target = tmp_path / "backups" / "2026-12-03"
    backed_up = run("-m", "bot", "backup", str(target), "--index", str(samples_index))
    assert backed_up.returncode == 0, backed_up.stderr
    assert backed_up.stdout == f"Backed up 12 documents and 173 passages into {target}.\n"
    question = ("ask", "--json", "How much would eight more wheelchair-accessible minibuses cost?")
    original = json.loads(run("-m", "bot", *question, "--index", str(samples_index)).stdout)
    restored = json.loads(run("-m", "bot", *question, "--index", str(target)).stdout)
    assert restored["passages"] == original["passages"] and original["passages"]
    again = run("-m", "bot", "backup", str(target), "--index", str(samples_index))
    no_traceback(again)
    assert again.returncode == 1
    assert again.stderr == (
        f"Error: '{target}' already exists and is not an empty folder: back up into a new folder, so that nothing "
        "there is overwritten.\n"
    )


def test_promises_register_from_the_command_line(samples_index, tmp_path):
    listed = run(
        "-m",
        "bot",
        "promises",
        "--index",
        str(samples_index),
        "--status",
        "overdue",
        "--as-of",
        TODAY.isoformat(),
        "--json",
    )
    assert listed.returncode == 0, listed.stderr
    entries = json.loads(listed.stdout)
    assert entries and {entry["status"] for entry in entries} == {"overdue"}
    assert set(entries[0]) >= {
        "kind",
        "text",
        "owner",
        "committee",
        "date",
        "item",
        "due",
        "due_phrase",
        "status",
        "document",
    }
    foster = next(entry for entry in entries if "foster carer recruitment be noted" in entry["text"])
    assert (foster["kind"], foster["due"], foster["due_phrase"]) == ("decision", "2024-10-10", "in 12 months")
    assert not any(entry["kind"] == "aspiration" for entry in entries)
    about = run("-m", "bot", "promises", "Moorbus usage", "--index", str(samples_index), "-n", "3")
    assert (
        "FOLLOWED UP" in about.stdout and "Followed up: 12 March 2024 · Youth Service Funding – Update" in about.stdout
    )
    sheet = tmp_path / "register.csv"
    assert run("-m", "bot", "promises", "--index", str(samples_index), "--csv", str(sheet)).returncode == 0
    assert sheet.read_text(encoding="utf-8").startswith(
        "status,kind,due,due_phrase,owner,council,committee,date,item,text"
    )


def test_ask_answers_questions_about_promises_from_the_register_as_slack_does(samples_index):
    asked = run("-m", "bot", "--index", str(samples_index), "ask", "--json", "what is overdue? before:2024-12-31")
    assert asked.returncode == 0, asked.stderr
    answer = json.loads(asked.stdout)
    assert answer["answered"] and answer["register"]
    assert all(entry["status"] == "overdue" and entry["date"] <= "2024-12-31" for entry in answer["register"])
    shown = run("-m", "bot", "ask", "what was promised about Moorbus usage?", "--index", str(samples_index))
    assert shown.returncode == 0, shown.stderr
    assert "Decisions and commitments" in shown.stdout
    assert "Followed up: 12 March 2024 · Youth Service Funding – Update" in shown.stdout


def test_the_minutebook_command_takes_index_before_or_after_its_subcommand(samples_index, tmp_path):
    minutebook = str(Path(sys.executable).with_name("minutebook"))
    environment = environment_without_settings()
    version = subprocess.run([minutebook, "--version"], capture_output=True, text=True, env=environment)
    assert version.returncode == 0 and version.stdout.startswith("minutebook, version ")
    before = subprocess.run(
        [minutebook, "--index", str(samples_index), "status"], capture_output=True, text=True, env=environment
    )
    after = subprocess.run(
        [minutebook, "status", "--index", str(samples_index)], capture_output=True, text=True, env=environment
    )
    assert before.returncode == after.returncode == 0, before.stderr + after.stderr
    assert before.stdout == after.stdout and "Children and Young People" in before.stdout
    ingest = run("-m", "bot", "--index", str(tmp_path / "new"), "ingest", str(EXAMPLES / "environment"))
    assert ingest.returncode == 0, ingest.stderr
    assert f"Index: {tmp_path / 'new'}" in ingest.stdout


def test_eval_looks_for_its_data_beside_the_folder_it_runs_in_whatever_the_install(tmp_path):
    """An installed (not editable) Minutebook has no checkout to look beside: `minutebook eval` looks in
    ../shared/eval/SET beside the current folder, and says where it looked when the set is not there."""
    here = tmp_path / "work"
    here.mkdir()
    (tmp_path / "shared" / "eval" / "reading").mkdir(parents=True)
    result = subprocess.run(
        [sys.executable, "-m", "bot", "eval", "--set", "reading"],
        capture_output=True,
        text=True,
        cwd=here,
        env=environment_without_settings(),
        timeout=300,
    )
    no_traceback(result)
    assert result.returncode == 1
    assert f"The reading evaluation data is not at {tmp_path / 'shared' / 'eval' / 'reading'}" in result.stderr
    assert "put ../shared beside the folder you run Minutebook in, or pass --data" in result.stderr
