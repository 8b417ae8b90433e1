"""Write the benchmark data set: `python bench/generate.py --dossiers 100000 --out /tmp/p.jsonl`.

The generator lives in `motcua.bench.generate` so that the installed `motcua bench` command can use
it; this script is the stand-alone entry point with the same flags."""

import sys
from pathlib import Path

try:
    from motcua.bench.generate import Options, lines, main, write
except ImportError:  # run from a checkout without the package installed
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    from motcua.bench.generate import Options, lines, main, write

__all__ = ["Options", "lines", "main", "write"]

if __name__ == "__main__":
    sys.exit(main())
