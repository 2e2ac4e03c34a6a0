"""Write README.md from nbs/index.ipynb (what `nbdev_readme` does through Quarto, without Quarto).

Usage: python scripts/make_readme.py [--check]
With --check, README.md is not written; the script exits with status 1 if it differs from what would be written.
"""
import json, re, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEADER = "<!-- Generated from nbs/index.ipynb by scripts/make_readme.py: edit the notebook, not this file. -->\n\n"

def _directives(src:str) -> dict:
    "The `#| key: value` (or `#| flag`) lines at the top of a code cell"
    out = {}
    for line in src.splitlines():
        m = re.match(r'^\s*#\|\s*([\w-]+):?\s*(.*)$', line)
        if not m: break
        out[m.group(1)] = m.group(2).strip()
    return out

def _strip_directives(src:str) -> str:
    return '\n'.join(l for l in src.splitlines() if not re.match(r'^\s*#\|', l)).strip('\n')

def _outputs(cell) -> list:
    parts = []
    for o in cell.get('outputs', []):
        if o['output_type'] == 'stream' and o.get('name') == 'stdout': parts.append('    ' + ''.join(o['text']).rstrip('\n').replace('\n', '\n    '))
        elif o['output_type'] == 'execute_result':
            # Rich displays (progress bars, HTML tables, images) are for the rendered docs; the README keeps the
            # printed text and Markdown results.
            d = o.get('data', {})
            if 'text/markdown' in d: parts.append(''.join(d['text/markdown']).strip('\n'))
            elif set(d) == {'text/plain'}: parts.append('    ' + ''.join(d['text/plain']).rstrip('\n').replace('\n', '\n    '))
    return parts

def render(nb_path:Path) -> str:
    nb = json.loads(nb_path.read_text())
    blocks = []
    for cell in nb['cells']:
        src = ''.join(cell['source'])
        if cell['cell_type'] == 'markdown':
            blocks.append(src.strip('\n'))
            continue
        if cell['cell_type'] != 'code': continue
        d = _directives(src)
        if 'hide' in d or 'export' in d or 'exporti' in d or d.get('include') == 'false': continue
        if d.get('echo') != 'false':
            code = _strip_directives(src)
            if code: blocks.append(f"```python\n{code}\n```")
        if d.get('output') != 'false': blocks += _outputs(cell)
    text = HEADER + '\n\n'.join(b for b in blocks if b.strip()) + '\n'
    # links to notebooks and to files under nbs/, seen from the repository root
    return re.sub(r'\]\(((?:[\w.-]+\.ipynb)|(?:results/[^)]+))\)', r'](nbs/\1)', text)

def main():
    text = render(ROOT/'nbs'/'index.ipynb')
    readme = ROOT/'README.md'
    if '--check' in sys.argv[1:]:
        if not readme.exists() or readme.read_text() != text:
            sys.exit("README.md is stale: run `python scripts/make_readme.py` and commit the result")
        print("README.md is current with nbs/index.ipynb")
    else:
        readme.write_text(text); print(f"wrote {readme}")

if __name__ == '__main__': main()
