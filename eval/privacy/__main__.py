"""``python -m eval.privacy [--set dev|dev2|frozen] [--out FILE] [--show-misses]``: recall per kind.

Prints recall per identifier kind, the false-redaction rate on messages without identifiers and
the over-redaction rate on messages with them, and writes the numbers as JSON (default
``data/eval/privacy-<set>.json``, git-ignored). ``--show-misses`` lists missed values and falsely
redacted messages, and is refused for the frozen set, which is only ever read in aggregate.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

from eval.privacy.measure import SETS, measure


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.privacy", description=__doc__.splitlines()[0])
    parser.add_argument("--set", dest="name", choices=SETS, default="dev")
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--show-misses", action="store_true")
    args = parser.parse_args(argv)
    if args.show_misses and args.name == "frozen":
        parser.error("--show-misses is for the dev set only: the frozen set is read in aggregate")
    result = measure(args.name)
    summary = result.summary()
    for kind, recall in summary["recall"].items():
        print(f"{kind:<10} recall {recall:.3f} ({summary['caught'][kind]}/{summary['total'][kind]})")
    print(f"false redactions on {summary['negatives']} messages without identifiers: "
          f"{summary['false_redaction_rate']:.3f}")
    print(f"over-redaction on {summary['positives']} messages with identifiers: {summary['over_redaction_rate']:.3f}")
    if args.show_misses:
        for case_id, kind, value in result.missed:
            print(f"MISSED {case_id} {kind} {value!r}")
        for case_id in result.false:
            print(f"FALSE {case_id}")
    out = args.out or Path(os.environ.get("UPLIFTED_DATA_DIR", "data")) / "eval" / f"privacy-{args.name}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"set": args.name, **summary}, indent=2) + "\n", encoding="utf-8")
    print(f"written to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
