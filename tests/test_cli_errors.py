"""One error family for the command line: the same bad option is refused the same way by
every command that takes it — a ``UsageError`` (exit 2, one paragraph, no traceback), found
before any file is read or any work is done.
"""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.helpers import SAMPLES
from workbench.cli.main import build_parser, main
from workbench.errors import UsageError

MODEL, LEADS, ACTS = SAMPLES / "b2b_model.yaml", SAMPLES / "leads.csv", SAMPLES / "activities.csv"
FILES = ["--model", str(MODEL), "--leads", str(LEADS), "--activities", str(ACTS)]
EXPORT = ["--leads", str(LEADS), "--id", "lead_id", "--outcome", "converted"]
BAD_DATE = "31-31-2026"
BAD_DATE_SAYS = f"--as-of: '{BAD_DATE}' is not a date; use YYYY-MM-DD, e.g. 2026-09-30"
FAR_DATE = "9999-12-31"  # a real date, but no one scores leads as of it
FAR_DATE_SAYS = (
    f"--as-of: '{FAR_DATE}' is out of range; use a date from 1900-01-01 to 2200-12-31 (YYYY-MM-DD)"
)

# command -> argv with {out} for an output and {date} for the --as-of value
AS_OF = {
    "score": ["score", *FILES, "--as-of", "{date}", "--out", "{out}/scores.csv"],
    "calibrate": ["calibrate", *FILES, "--as-of", "{date}", "--no-backtest"],
    "compare": ["compare", *FILES, "--model", str(MODEL), "--as-of", "{date}"],
    "dashboard": ["dashboard", *FILES, "--as-of", "{date}", "--port", "1"],
    "report": ["report", *FILES, "--as-of", "{date}", "--out", "{out}/report.html"],
    "publish": ["publish", *FILES, "--as-of", "{date}", "--store", "{out}/store"],
}
OUT = {
    "score": ["score", *FILES, "--out", "{out}/scores.csv"],
    "calibrate": ["calibrate", *FILES, "--no-backtest", "--force", "--out", "{out}/model.yaml"],
    "report": ["report", *FILES, "--out", "{out}/report.html"],
    "profile": ["profile", *EXPORT, "--out", "{out}/profile.csv"],
    "draft": ["draft", *EXPORT, "--out", "{out}/draft.yaml"],
    "sample": ["sample", "--leads", "10", "--out", "{out}/sample"],
}


def argv(template: list[str], out, date: str = "2026-10-31") -> list[str]:
    return [a.replace("{out}", str(out)).replace("{date}", date) for a in template]


@pytest.fixture
def blocked(tmp_path):
    """A folder path that cannot be made: a file stands where it would be."""
    blocker = tmp_path / "reports"
    blocker.write_text("a file where the folder should be")
    return blocker / "weekly"


def one_paragraph(err: str) -> None:
    assert err.startswith("error: ") and err.endswith("\n"), err
    assert "\n\n" not in err and "Traceback" not in err, err


@pytest.mark.parametrize(("date", "says"), [(BAD_DATE, BAD_DATE_SAYS), (FAR_DATE, FAR_DATE_SAYS)])
@pytest.mark.parametrize("command", AS_OF)
def test_a_bad_as_of_is_a_usage_error_in_every_command(command, date, says, tmp_path, capsys):
    args = build_parser().parse_args(argv(AS_OF[command], tmp_path, date))
    with pytest.raises(UsageError) as caught:
        args.func(args)
    assert str(caught.value) == says
    assert main(argv(AS_OF[command], tmp_path, date)) == 2
    captured = capsys.readouterr()
    one_paragraph(captured.err)
    assert captured.err == f"error: {caught.value}\n"
    assert captured.out == ""  # refused before any file was read
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("command", OUT)
def test_an_out_that_cannot_be_written_is_a_usage_error_in_every_command(command, blocked, capsys):
    args = build_parser().parse_args(argv(OUT[command], blocked))
    with pytest.raises(UsageError, match=r"--out: cannot write .* is a file, not a folder"):
        args.func(args)
    assert main(argv(OUT[command], blocked)) == 2
    captured = capsys.readouterr()
    one_paragraph(captured.err)
    assert "--out: cannot write" in captured.err


@pytest.mark.parametrize(
    "bad",
    [
        ["draft", *EXPORT, "--folds", "1", "--out", "{out}/d.yaml"],
        ["draft", "--leads", str(LEADS), "--id", "x", "--outcome", "x", "--out", "{out}/d.yaml"],
        ["profile", *EXPORT, "--out", "{out}/profile.xlsx"],
        ["sign-off", str(MODEL), "--name", "Dana", "--date", "next week"],
        ["compare", *FILES, "--as-of", "2026-10-31"],
        ["calibrate", *FILES, "--backtest-days", "0"],
        ["calibrate", *FILES, "--backtest-as-of", "soon"],
        ["calibrate", *FILES, "--out", "{out}/m.yaml", "--chart", "{out}/m.yaml"],
        ["score", *FILES, "--out", "{out}/scores.xlsx"],
        ["score", *FILES, "--out", str(LEADS)],
    ],
    ids=lambda a: " ".join(x for x in a if x.startswith("--") or x == a[0])[:60],
)
def test_other_bad_options_are_usage_errors(bad, tmp_path, capsys):
    args = build_parser().parse_args(argv(bad, tmp_path))
    with pytest.raises(UsageError):
        args.func(args)
    assert main(argv(bad, tmp_path)) == 2
    one_paragraph(capsys.readouterr().err)


@pytest.mark.slow
def test_the_installed_command_refuses_a_bad_as_of_alike_everywhere(tmp_path):
    """The real program, as a scheduler runs it: the same line and exit 2 from each."""

    def run(command: str) -> subprocess.CompletedProcess:
        folder = tmp_path / command
        folder.mkdir()
        return subprocess.run(
            [sys.executable, "-m", "workbench.cli", *argv(AS_OF[command], folder, BAD_DATE)],
            capture_output=True,
            text=True,
            timeout=180,
        )

    commands = ("score", "calibrate", "dashboard")  # the report's is in test_report_cli
    with ThreadPoolExecutor(max_workers=3) as pool:
        results = dict(zip(commands, pool.map(run, commands), strict=True))
    for command, result in results.items():
        assert result.returncode == 2, (command, result.stderr)
        assert result.stderr == f"error: {BAD_DATE_SAYS}\n", command
        assert "Traceback" not in result.stdout
