"""Execute notebooks in place and save their outputs, as Jupyter's "Run all" does, except for the cells flagged with one of
settings.ini's `tst_flags` (`#| slow`, `#| cuda`, `#| notest`): those keep the outputs saved by their last full run.

Use it after changing a notebook whose long cells need not be re-run; `--flags "slow"` runs those too (then it is the same as
`jupyter nbconvert --execute --inplace`). Stops at the first error and leaves that notebook unchanged.

Usage: python scripts/execute_notebooks.py [--flags "slow cuda"] NOTEBOOK [NOTEBOOK ...]
"""
import argparse, re, sys, time
from pathlib import Path
from execnb.nbio import read_nb, write_nb
from execnb.shell import CaptureShell
from fastcore.xtras import working_directory
from nbdev.config import get_config

def flags_of(source:str) -> set:
    "The `#| flag` directives of a cell"
    return {m.group(1) for m in re.finditer(r'^#\|\s*([\w-]+)\s*$', source, re.M)}

def execute(path:Path, skip:set) -> float:
    nb, t0 = read_nb(path), time.time()
    shell = CaptureShell(path)
    def preproc(cell):
        return cell.cell_type != 'code' or 'nbdev_export(' in cell.source or bool(flags_of(cell.source) & skip)
    with working_directory(path.parent): shell.run_all(nb, exc_stop=True, preproc=preproc)
    write_nb(nb, path)
    return time.time() - t0

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--flags', default='', help='space-separated flags of cells to run that are normally skipped')
    p.add_argument('notebooks', nargs='+')
    a = p.parse_args()
    cfg = get_config()
    sys.path.insert(0, str(cfg.config_path))
    skip = set(cfg.tst_flags.split()) - set(a.flags.split())
    for f in a.notebooks:
        try: dt = execute(Path(f).absolute(), skip)
        except Exception as e: sys.exit(f"{f}: {type(e).__name__}: {e}")
        print(f"executed {f} in {dt:.0f}s (skipped cells flagged {' '.join(sorted(skip)) or 'nothing'})", flush=True)

if __name__ == '__main__': main()
