"""The quality judge from the command line (docs/quality.md):

- `python -m cucu_pipeline.quality judge --date D --texts FILE.csv [--out OUT.csv]` judges any texts (columns
  `user_id`, `event_id`, `message`) for their members and events as of D, with the configured judge, and writes the
  score, each criterion, approval and issues per row (a row that cannot be judged says why in `error`);
- `python -m cucu_pipeline.quality fit` fits the local judge's weights to the graded set's `train` rows and reports
  its agreement with the reader on the `test` rows (`reference/judge_weights.json`).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

import pandas as pd

from cucu_pipeline.quality.drafts import date_composer, judged_table, reviews
from cucu_pipeline.quality.fitting import agreement, fit_weights
from cucu_pipeline.quality.judge import WEIGHTS, scored
from cucu_pipeline.quality.rubric import CRITERIA, Review
from cucu_pipeline.quality.signals import signals

GRADED = Path(__file__).parent / "reference" / "graded.csv"


def judge_command(day: dt.date, texts: Path, out: Path | None) -> pd.DataFrame:
    composer, resources = date_composer(day)
    table = judged_table(pd.read_csv(texts, dtype=str, keep_default_na=False), composer, resources["claude"])
    table.to_csv(out or sys.stdout, index=False)
    return table


def graded_signals(graded: pd.DataFrame) -> list:
    """Each graded text's signals, its member and event read as of its date."""
    found = {}
    for day, rows in graded.groupby("date"):
        composer, _ = date_composer(dt.date.fromisoformat(day))
        for index, review, repeats in zip(rows.index, reviews(rows, composer), rows["repeats"]):
            if not isinstance(review, Review):
                raise ValueError(f"graded row {graded.loc[index, 'id']} ({day}): {review}")
            found[index] = signals(review, float(repeats))
    return [found[index] for index in graded.index]


def fit_command(graded_path: Path = GRADED, weights_path: Path = WEIGHTS) -> dict:
    graded = pd.read_csv(graded_path, dtype={"user_id": str, "event_id": str})
    found = graded_signals(graded)
    train = graded["split"].eq("train").to_numpy()
    fitted = fit_weights([one for one, keep in zip(found, train) if keep], {c: graded.loc[train, c] for c in CRITERIA})
    report = {"weights": fitted, "fitted_on": int(train.sum()), "fitted": dt.date.today().isoformat()}
    weights_path.write_text(json.dumps(report, indent=1) + "\n")
    from cucu_pipeline.quality.judge import weights

    weights.cache_clear()
    scores = [scored(one).score for one in found]
    report["held_out"] = agreement([s for s, k in zip(scores, train) if not k], list(graded.loc[~train, "overall"]))
    report["training"] = agreement([s for s, k in zip(scores, train) if k], list(graded.loc[train, "overall"]))
    weights_path.write_text(json.dumps(report, indent=1) + "\n")
    return report


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m cucu_pipeline.quality", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    judge = commands.add_parser("judge", help="judge the texts of a CSV as of a campaign date")
    judge.add_argument("--date", required=True, type=dt.date.fromisoformat)
    judge.add_argument("--texts", required=True, type=Path, help="CSV with user_id, event_id, message")
    judge.add_argument("--out", type=Path, help="where to write the judged rows (standard output by default)")
    commands.add_parser("fit", help="fit the local judge to the graded set and report its held-out agreement")
    args = parser.parse_args(argv)
    if args.command == "judge":
        judge_command(args.date, args.texts, args.out)
    else:
        report = fit_command()
        print(json.dumps({key: report[key] for key in ("fitted_on", "training", "held_out")}, indent=1))


if __name__ == "__main__":
    main()
