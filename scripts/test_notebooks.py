"""Run every notebook's tests as `nbdev_test` does (same function, same skip flags from settings.ini), one notebook at a
time, and print a line per notebook and a final `N passed, N failed` line.

Usage: python scripts/test_notebooks.py [--flags "slow cuda"] [NOTEBOOK ...]
"""
import argparse, sys, time
from pathlib import Path
from nbdev.config import get_config
from nbdev.doclinks import nbglob
from nbdev.test import test_nb

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--flags', default='', help='space-separated flags of cells to run that are normally skipped')
    p.add_argument('notebooks', nargs='*', help='notebooks to test (default: all of nbs/)')
    a = p.parse_args()
    cfg = get_config()
    files = [Path(f).absolute() for f in a.notebooks] or sorted(nbglob(cfg.nbs_path, as_path=True))
    skip, force = cfg.tst_flags.split(), a.flags.split()
    passed = failed = 0; t0 = time.time()
    for f in files:
        ok, dt = test_nb(f, skip_flags=skip, force_flags=force, basepath=cfg.config_path)
        passed += ok; failed += not ok
        print(f"{'PASS' if ok else 'FAIL'} {f.name:28s} {dt:7.1f}s", flush=True)
    print(f"notebooks tested in {time.time() - t0:.0f}s")
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed or not files else 0)

if __name__ == '__main__': main()
