"""Checks of the saved notebooks that the rendered docs depend on, without running or rendering anything:

- every numbered notebook has saved outputs (the docs show results, not empty cells), and none is an error;
- no saved output shows a file system path of the machine that ran it (site-packages, home or project folders);
- display math is balanced (`$$` pairs) and uses no Jupyter-only LaTeX (`\\newcommand` outside math, `\\require`),
  which MathJax in Quarto would show as raw text;
- every relative link to another notebook points to one that exists.

Usage: python scripts/check_notebooks.py [NOTEBOOK ...]   (default: nbs/*.ipynb); exit status 1 on any problem.
"""
import json, re, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PATHS = re.compile(r'(site-packages|/home/\w|/root/|/work/|/opt/|[A-Z]:\\\\Users)')   # temporary folders (tempfile's /tmp/tmp...) say nothing of the machine

def output_text(o) -> str:
    if o['output_type'] == 'stream': return ''.join(o['text'])
    if o['output_type'] == 'error': return '\n'.join(o.get('traceback', []))
    data = o.get('data', {})
    return ''.join(''.join(data[k]) for k in ('text/plain', 'text/html', 'text/markdown') if k in data)

def check(path:Path) -> list:
    nb, problems = json.loads(path.read_text()), []
    code = [c for c in nb['cells'] if c['cell_type'] == 'code']
    numbered = re.match(r'\d\d', path.name) is not None
    if numbered and code and not any(c.get('outputs') for c in code): problems.append('no saved outputs')
    for i, c in enumerate(nb['cells']):
        src = ''.join(c['source'])
        if c['cell_type'] == 'markdown':
            if src.count('$$') % 2: problems.append(f'cell {i}: unbalanced $$')
            for macro in (r'\require', r'\newcommand'):
                if macro in src: problems.append(f'cell {i}: Jupyter-only LaTeX {macro}')
            for link in re.findall(r'\]\(([\w.\-]+\.ipynb)(?:#[\w\-]*)?\)', src):
                if not (path.parent/link).exists(): problems.append(f'cell {i}: link to a missing notebook {link}')
        for o in c.get('outputs', []):
            if o['output_type'] == 'error': problems.append(f'cell {i}: a saved error ({o.get("ename")})')
            m = PATHS.search(output_text(o))
            if m: problems.append(f'cell {i}: a saved output shows a machine path ({m.group(0)!r})')
    return problems

def main():
    files = [Path(f) for f in sys.argv[1:]] or sorted((ROOT/'nbs').glob('*.ipynb'))
    bad = 0
    for f in files:
        for p in check(f): print(f'{f.name}: {p}'); bad += 1
    print(f'{len(files)} notebooks checked, {bad} problems')
    sys.exit(1 if bad else 0)

if __name__ == '__main__': main()
