"""Smoke test of an installed ssl_nb: import every module, then train every method of `ssl_nb.methods.METHODS` for a few
steps with a fastai Learner and check that the loss is finite and the weights moved.

It is meant to run against the wheel in a fresh environment with whatever fastai, fastcore and torch pip picks for a user,
so that our development pins cannot hide an incompatibility. It uses scikit-learn's bundled digits: no download, no dataset.

Usage: python scripts/smoke.py
"""
import importlib, math, pkgutil, sys, time
import torch
import ssl_nb
from ssl_nb.core import set_seed
from ssl_nb.data import load_digits_data, ssl_dataloaders
from ssl_nb.methods import METHODS, method_learner

def main():
    mods = [m.name for m in pkgutil.walk_packages(ssl_nb.__path__, 'ssl_nb.')]
    for m in mods: importlib.import_module(m)
    import fastai, fastcore
    print(f"ssl_nb {ssl_nb.__version__}: {len(mods)} modules imported; fastai {fastai.__version__}, fastcore "
          f"{fastcore.__version__}, torch {torch.__version__}")
    data = load_digits_data().subset(n_train=512, n_test=128, seed=0)
    failed = []
    for name in METHODS:
        t0 = time.time()
        try:
            set_seed(0)
            learn = method_learner(name, ssl_dataloaders(data, bs=64, seed=0), knn=False)
            before = [p.detach().clone() for p in learn.model.encoder.parameters()]
            with learn.no_bar(), learn.no_logging(): learn.fit(1, 1e-3)
            losses = [float(l) for l in learn.recorder.losses]
            moved = any(not torch.equal(a, b) for a, b in zip(before, learn.model.encoder.parameters()))
            if not losses or not all(math.isfinite(l) for l in losses): raise RuntimeError(f"non-finite losses {losses}")
            if not moved: raise RuntimeError("the encoder's weights did not change")
            print(f"ok   {name:13s} {len(losses)} steps, loss {losses[0]:.3f} -> {losses[-1]:.3f} ({time.time() - t0:.1f}s)")
        except Exception as e:
            failed.append(name); print(f"FAIL {name:13s} {type(e).__name__}: {e}")
    print(f"{len(METHODS) - len(failed)} passed, {len(failed)} failed")
    sys.exit(1 if failed else 0)

if __name__ == '__main__': main()
