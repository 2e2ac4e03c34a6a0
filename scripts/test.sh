#!/usr/bin/env bash
# The whole test suite, from a fresh clone: a fresh virtual environment, everything installed from this project's own
# files, then every check. The last line counts the notebooks that passed and failed.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${SSL_NB_TEST_VENV:-.venv-test}
PY=${PYTHON:-python3}
step() { printf '\n== %s\n' "$*"; }

step "data: Fashion-MNIST"
if [ -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ]; then
  echo "found Debian's dataset-fashion-mnist"
elif [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dataset-fashion-mnist >/dev/null) \
    && echo "installed dataset-fashion-mnist" \
    || echo "could not install dataset-fashion-mnist: the notebooks fall back to scikit-learn's digits"
else
  echo "not found and apt is not available as root: the notebooks fall back to scikit-learn's digits"
fi

step "fresh virtual environment $VENV"
rm -rf "$VENV"
"$PY" -m venv "$VENV"
# shellcheck disable=SC1091
. "$VENV/bin/activate"
python -m pip install -q --upgrade pip
python -m pip install -q -e ".[dev]"
python -c "import torch, torchvision, fastai, nbdev; print('torch', torch.__version__, '| torchvision', torchvision.__version__, '| fastai', fastai.__version__, '| nbdev', nbdev.__version__)"

step "notebooks are clean (nbdev_clean leaves no diff)"
nbdev_clean
git status --porcelain -- nbs | grep . && { echo "nbdev_clean changed the notebooks above: run it and commit"; exit 1; } || echo ok

step "library is in sync with the notebooks (nbdev_export leaves no diff)"
nbdev_export
git status --porcelain -- ssl_nb pyproject.toml | grep . && { echo "nbdev_export changed the files above: run it and commit"; exit 1; } || echo ok

step "README.md is current with nbs/index.ipynb"
python scripts/make_readme.py --check

step "docs processing without Quarto (proc_nbs)"
python -c "from nbdev.serve import proc_nbs; proc_nbs()" > /tmp/ssl_nb_proc_nbs.log 2>&1 || { cat /tmp/ssl_nb_proc_nbs.log; exit 1; }
echo ok

step "saved notebooks: outputs present, no errors or machine paths, LaTeX that MathJax renders, links that resolve"
python scripts/check_notebooks.py

step "wheel and sdist: build, install into a clean environment, import every module, run the console script"
rm -rf dist
python -m build -q --outdir dist . > /dev/null   # the sdist, then a wheel built from it
python - <<'PY'
import glob, tarfile, zipfile
names = zipfile.ZipFile(glob.glob('dist/*.whl')[0]).namelist()
bad = [n for n in names if n.endswith('.ipynb') or '__pycache__' in n or n.startswith('nbs/') or '.gz' in n]
assert not bad, f"the wheel contains notebooks, data or caches: {bad}"
sdist = tarfile.open(glob.glob('dist/*.tar.gz')[0]).getnames()
bad = [n for n in sdist if n.endswith(('.ipynb', '.pyc', '.png', '.pth'))]
assert not bad, f"the sdist contains notebooks, figures or caches: {bad}"
print(f"wheel holds {len(names)} files and the sdist {len(sdist)}: no notebooks, data or caches")
PY
WHEEL_VENV="$VENV-wheel"; rm -rf "$WHEEL_VENV"
python -m venv "$WHEEL_VENV"
# The wheel goes into an empty environment; its dependencies come from the test environment through a .pth line
# (that reuses the installed torch instead of downloading it again, and does not activate the editable install).
python -c "import sysconfig; print(sysconfig.get_paths()['purelib'])" \
  > "$("$WHEEL_VENV/bin/python" -c "import sysconfig; print(sysconfig.get_paths()['purelib'])")/_deps_from_test_env.pth"
"$WHEEL_VENV/bin/pip" install -q --no-deps dist/*.whl
(cd /tmp && "$OLDPWD/$WHEEL_VENV/bin/python" - <<'PY'
import importlib, pkgutil, sysconfig, ssl_nb
assert ssl_nb.__file__.startswith(sysconfig.get_paths()['purelib']), f"ssl_nb came from {ssl_nb.__file__}, not the wheel"
mods = [m.name for m in pkgutil.walk_packages(ssl_nb.__path__, 'ssl_nb.')]
for m in mods: importlib.import_module(m)
print(f"imported ssl_nb {ssl_nb.__version__} and {len(mods)} modules from the wheel")
PY
)
"$WHEEL_VENV/bin/ssl_nb_pretrain" --help > /dev/null && echo "ssl_nb_pretrain --help from the wheel: ok"

step "as a user installs it: the wheel with the dependencies pip picks today (newest fastai), then a short job and every method"
ROOT=$(pwd)
USER_VENV="$ROOT/$VENV-user"; rm -rf "$USER_VENV"
"$PY" -m venv "$USER_VENV"
"$USER_VENV/bin/pip" install -q --upgrade pip
"$USER_VENV/bin/pip" install -q "$ROOT"/dist/*.whl
"$USER_VENV/bin/python" -c "import fastai, fastcore, torch; print('user environment: fastai', fastai.__version__, '| fastcore', fastcore.__version__, '| torch', torch.__version__)"
out=$(cd /tmp && "$USER_VENV/bin/ssl_nb_pretrain" --epochs 1 --subset 512 --trials 1 --quiet --out "$USER_VENV/run" 2>&1)
[ -z "$out" ] || { printf '%s\n' "$out"; echo "ssl_nb_pretrain --quiet printed the output above"; exit 1; }
python -c "import json,sys; m=json.load(open(sys.argv[1])); print('short job in the user environment:', {k: round(v['knn'], 3) for k, v in m['results'].items()})" "$USER_VENV/run/metrics.json"
echo "one short training run of every method, against the wheel in the user environment:"
(cd /tmp && "$USER_VENV/bin/python" "$ROOT/scripts/smoke.py")

step "notebook tests (nbdev_test; slow and cuda cells skipped)"
set +e
python scripts/test_notebooks.py | tee /tmp/ssl_nb_test.log
status=${PIPESTATUS[0]}
set -e
tail -n 1 /tmp/ssl_nb_test.log
exit "$status"
