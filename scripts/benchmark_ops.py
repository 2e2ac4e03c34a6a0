"""Time ssl_nb's losses and two-view augmentation against lightly's, side by side in one run, and print ratios.

    python scripts/benchmark_ops.py                  # both benchmarks, prints tables and one JSON line per row
    python scripts/benchmark_ops.py --part losses    # only the losses
    python scripts/benchmark_ops.py --part augment   # only the augmentation throughput

Needs lightly (`pip install -e ".[benchmark]"`). `nbs/93_benchmark_ops.ipynb` imports these functions, checks that the losses
agree and plots the results. Every ratio is ssl_nb's time divided by lightly's (below 1: ssl_nb is faster).
"""
import argparse, json, statistics, time
import torch, torch.nn.functional as F
from torch.utils.benchmark import Timer

from ssl_nb.losses import nt_xent
from ssl_nb.byol import byol_loss
from ssl_nb.swav import swav_loss
from ssl_nb.barlow_twins import barlow_twins_loss
from ssl_nb.augment import ViewAugment

TAU_NTXENT, LAMBD_BT = 0.5, 0.0051
SWAV = dict(temperature=0.1, eps=0.05, n_iters=3)


# ---------------------------------------------------------------- losses

def loss_pairs() -> dict:
    """name -> (ssl_nb fn, lightly fn, map from lightly's value to ssl_nb's convention); both fns take the same tensors.

    Settings are aligned: NT-Xent temperature 0.5 for both; BYOL: lightly's `NegativeCosineSimilarity` symmetrised as in its
    examples, `0.5 * (ncs(p1, z2) + ncs(p2, z1))`, equals `(byol_loss - 4) / 4`; SwAV: temperature 0.1, Sinkhorn epsilon 0.05,
    3 iterations, two views, no queue; Barlow Twins: lambda 0.0051 for both (lightly's default is 0.005)."""
    from lightly.loss import NTXentLoss, NegativeCosineSimilarity, SwaVLoss, BarlowTwinsLoss
    ntx, ncs = NTXentLoss(temperature=TAU_NTXENT), NegativeCosineSimilarity()
    swv = SwaVLoss(temperature=SWAV['temperature'], sinkhorn_iterations=SWAV['n_iters'], sinkhorn_epsilon=SWAV['eps'])
    bt = BarlowTwinsLoss(lambda_param=LAMBD_BT)
    ident = lambda v: v
    return {
        'nt_xent': (lambda a, b: nt_xent(a, b, tau=TAU_NTXENT), lambda a, b: ntx(a, b), ident),
        'byol': (lambda p1, p2, z1, z2: byol_loss(p1, p2, z1, z2),
                 lambda p1, p2, z1, z2: 0.5 * (ncs(p1, z2) + ncs(p2, z1)), lambda v: 4 + 4 * v),
        'swav': (lambda s1, s2: swav_loss([s1, s2], **SWAV), lambda s1, s2: swv([s1, s2], []).squeeze(), ident),
        'barlow_twins': (lambda a, b: barlow_twins_loss(a, b, lambd=LAMBD_BT), lambda a, b: bt(a, b), ident),
    }


def loss_inputs(name:str, n:int, d:int, seed:int=0) -> list:
    """Random inputs of one loss for a batch of `n` and width `d` (SwAV: `d` prototypes, cosine scores in [-1, 1])."""
    g = torch.Generator().manual_seed(seed)
    r = lambda: torch.randn(n, d, generator=g)
    if name == 'byol':   # online predictions get gradients, target projections do not
        return [r().requires_grad_(), r().requires_grad_(), r(), r()]
    if name == 'swav':
        protos = F.normalize(torch.randn(d, 128, generator=g), dim=1)
        return [(F.normalize(torch.randn(n, 128, generator=g), dim=1) @ protos.T).requires_grad_() for _ in range(2)]
    return [r().requires_grad_(), r().requires_grad_()]


def compare_losses(n:int=32, d:int=16, seeds=(0, 1, 2)) -> dict:
    """name -> largest |ssl_nb - lightly| (after mapping lightly's convention) over `seeds`, and the largest |loss|"""
    res = {}
    for name, (ours, theirs, conv) in loss_pairs().items():
        diffs, mags = [], []
        for s in seeds:
            xs = loss_inputs(name, n, d, s)
            a, b = ours(*xs).item(), conv(theirs(*xs)).item()
            diffs.append(abs(a - b)); mags.append(abs(a))
        res[name] = {'max_abs_diff': max(diffs), 'max_abs_loss': max(mags)}
    return res


def _timer(fn, xs): return Timer('fn(*xs).sum().backward()', globals={'fn': fn, 'xs': xs})


def time_losses(batch_sizes=(64, 128, 256, 512, 1024), dims=(128, 1024), rounds:int=3, min_run_time:float=0.05,
                names=None, log=print) -> list:
    """Median forward+backward seconds of each loss pair, interleaved: each round times ssl_nb then lightly (order alternates)"""
    rows = []
    pairs = loss_pairs()
    for name in names or pairs:
        ours, theirs, _ = pairs[name]
        for d in dims:
            for n in batch_sizes:
                xs = loss_inputs(name, n, d)
                ts = {'ssl_nb': [], 'lightly': []}
                fns = {'ssl_nb': ours, 'lightly': theirs}
                for k in fns: _timer(fns[k], xs).timeit(2)   # warm-up
                for r in range(rounds):
                    for k in (('ssl_nb', 'lightly') if r % 2 == 0 else ('lightly', 'ssl_nb')):
                        ts[k] += _timer(fns[k], xs).blocked_autorange(min_run_time=min_run_time).times
                row = {'loss': name, 'n': n, 'd': d, 'ssl_nb_s': statistics.median(ts['ssl_nb']),
                       'lightly_s': statistics.median(ts['lightly'])}
                row['ratio'] = row['ssl_nb_s'] / row['lightly_s']
                rows.append(row)
                if log: log(f"{name:13s} N={n:5d} D={d:5d}  ssl_nb {row['ssl_nb_s'] * 1e3:8.3f} ms  "
                            f"lightly {row['lightly_s'] * 1e3:8.3f} ms  ratio {row['ratio']:.2f}")
    return rows


# ---------------------------------------------------------------- augmentation

class PILViews(torch.utils.data.Dataset):
    "uint8 images [N, C, H, W] served as PIL images through a per-image two-view transform"
    def __init__(self, x, transform): self.x, self.transform = x, transform
    def __len__(self): return len(self.x)
    def __getitem__(self, i):
        from PIL import Image
        a = self.x[i].permute(1, 2, 0).numpy()
        return self.transform(Image.fromarray(a[..., 0] if a.shape[-1] == 1 else a))


def lightly_loader(x, size:int, bs:int, workers:int=2):
    """lightly's SimCLRTransform with ViewAugment's default settings, in DataLoader workers (as scripts/benchmark_methods.py)"""
    from lightly.transforms import SimCLRTransform
    xs = x[:1000].float() / 255
    norm = {'mean': xs.mean((0, 2, 3)).tolist(), 'std': xs.std((0, 2, 3)).tolist()}
    t = SimCLRTransform(input_size=size, cj_prob=0.8, cj_strength=0.5, min_scale=0.2, random_gray_scale=0.2,
                        gaussian_blur=0.0, normalize=norm)
    return torch.utils.data.DataLoader(PILViews(x, t), batch_size=bs, shuffle=True, drop_last=True,
                                       num_workers=workers, persistent_workers=workers > 0)


def ssl_nb_views_per_s(x, size:int, bs:int) -> float:
    "Images per second (two views each) of ViewAugment on whole uint8 batches, in this process"
    aug = ViewAugment(size)
    aug(x[:bs]); aug(x[:bs])   # warm-up
    n = len(x) // bs * bs
    t = time.perf_counter()
    for i in range(0, n, bs): v1, v2 = aug(x[i:i + bs]), aug(x[i:i + bs])
    return n / (time.perf_counter() - t)


def lightly_views_per_s(dl) -> float:
    "Images per second (two views each) of one pass over a warm DataLoader"
    t, n = time.perf_counter(), 0
    for (v1, v2) in dl: n += len(v1)
    return n / (time.perf_counter() - t)


def time_augment(images:dict, batch_sizes=(64, 256, 1024), workers:int=2, rounds:int=2, log=print) -> list:
    """images: size -> uint8 images [N, C, size, size]. Median images/s of both pipelines, interleaved over `rounds` passes"""
    rows = []
    for size, x in images.items():
        for bs in batch_sizes:
            dl = lightly_loader(x, size, bs, workers)
            lightly_views_per_s(dl)   # starts the persistent workers and warms them up
            ours, theirs = [], []
            for r in range(rounds):
                ours.append(ssl_nb_views_per_s(x, size, bs)); theirs.append(lightly_views_per_s(dl))
            del dl
            row = {'size': size, 'channels': x.shape[1], 'bs': bs, 'ssl_nb_img_s': statistics.median(ours),
                   'lightly_img_s': statistics.median(theirs)}
            row['speedup'] = row['ssl_nb_img_s'] / row['lightly_img_s']
            rows.append(row)
            if log: log(f"size {size:3d} bs {bs:5d}  ssl_nb {row['ssl_nb_img_s']:9.0f} img/s  "
                        f"lightly {row['lightly_img_s']:8.0f} img/s  speedup {row['speedup']:.2f}")
    return rows


def augment_images(sizes=(28, 32, 64, 96), n:int=2048) -> dict:
    "size -> `n` uint8 colour crops [n, 3, size, size] from scikit-image's photographs"
    from ssl_nb.data import load_color_crops
    return {s: load_color_crops(size=s, n_per_photo=n // 4 + 1).x_train[:n] for s in sizes}


if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--part', default='both', choices=['both', 'losses', 'augment'])
    a = ap.parse_args()
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    if a.part in ('both', 'losses'):
        print(json.dumps(compare_losses()))
        for r in time_losses(): print(json.dumps(r))
    if a.part in ('both', 'augment'):
        for r in time_augment(augment_images()): print(json.dumps(r))
