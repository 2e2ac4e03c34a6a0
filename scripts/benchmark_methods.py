"""Train one self-supervised method on Fashion-MNIST and print one JSON line of results.

    python scripts/benchmark_methods.py --method byol --epochs 2            # this library
    python scripts/benchmark_methods.py --method byol --impl lightly        # lightly's usual pipeline (needs `pip install lightly`)

Both implementations use the same data, backbone (`small_resnet`), projector/predictor sizes, augmentation settings, epochs,
batch size, optimiser (Adam with a one-cycle schedule) and the same evaluation (`ssl_nb.evaluation`). What differs is how
they are run: ssl_nb makes the views of a whole batch at once with tensor operations in the training process; lightly's
pipeline (its documented way of training) decodes and transforms each image separately with PIL in DataLoader workers, and
trains with a plain PyTorch loop. `nbs/90_benchmark_methods.ipynb` runs every job in its own process and tabulates them.
"""
import argparse, json, math, resource, sys, time
import torch, torch.nn as nn, torch.nn.functional as F

from ssl_nb.core import set_seed
from ssl_nb.data import load_fashion_mnist
from ssl_nb.evaluation import extract_features, evaluate_features
from ssl_nb.diagnostics import rankme, normalized_std, participation_ratio, pca_project
from ssl_nb.geometry import alignment, uniformity
from ssl_nb.augment import ViewAugment


def peak_rss_mib() -> float:
    "Peak resident memory of this process (Linux reports KiB)"
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def geometry(encoder, x, seed=0) -> dict:
    "Alignment of two views and uniformity, RankMe, participation ratio and spread of the encoder's test features"
    encoder.eval()
    g = torch.Generator().manual_seed(seed)
    x = x[torch.randperm(len(x), generator=g)[:2048]]
    with torch.no_grad(), torch.random.fork_rng():
        torch.manual_seed(seed)
        aug = ViewAugment(x.shape[-1])
        h1, h2 = encoder(aug(x)), encoder(aug(x))
        h = encoder(x)
    return {'align': alignment(h1, h2).item(), 'uniform': uniformity(h).item(), 'rankme': rankme(h),
            'participation_ratio': participation_ratio(h), 'normalized_std': normalized_std(h), 'dim': h.shape[1]}


def evaluate(encoder, data, trials) -> dict:
    tr, te = extract_features(encoder, data.x_train, progress=False), extract_features(encoder, data.x_test, progress=False)
    res = evaluate_features(tr, data.y_train, te, data.y_test, n_trials=trials)
    emb, _ = pca_project(te[:2000])   # the first 2000 test images, for the embedding plots
    return {**res, **geometry(encoder, data.x_test), 'pca_2d': [[round(a, 4), round(b, 4)] for a, b in emb.tolist()],
            'pca_labels': data.y_test[:2000].tolist()}


# ---------------------------------------------------------------- lightly's pipeline

class PILDataset(torch.utils.data.Dataset):
    "Fashion-MNIST as PIL images, as torchvision's dataset serves it, with a per-image transform"
    def __init__(self, x, transform): self.x, self.transform = x, transform
    def __len__(self): return len(self.x)
    def __getitem__(self, i):
        from PIL import Image
        return self.transform(Image.fromarray(self.x[i, 0].numpy(), mode='L'))


def train_lightly(method, data, epochs, bs, lr, workers, heads):
    from lightly.transforms import SimCLRTransform
    from lightly.loss import NTXentLoss, NegativeCosineSimilarity
    from lightly.models.modules import SimCLRProjectionHead, BYOLProjectionHead, BYOLPredictionHead
    from lightly.models.utils import deactivate_requires_grad, update_momentum
    from lightly.utils.scheduler import cosine_schedule
    import copy
    from ssl_nb.learner import small_resnet

    xs = data.x_train[:10_000].float() / 255
    norm = {'mean': [xs.mean().item()], 'std': [xs.std().item()]}
    # the same augmentation as ssl_nb's ViewAugment defaults: crop area 0.2-1, jitter 0.4/0.4/0.4/0.1 with p 0.8, gray 0.2, no blur
    t = SimCLRTransform(input_size=data.x_train.shape[-1], cj_prob=0.8, cj_strength=0.5, min_scale=0.2,
                        random_gray_scale=0.2, gaussian_blur=0.0, normalize=norm)
    dl = torch.utils.data.DataLoader(PILDataset(data.x_train, t), batch_size=bs, shuffle=True, drop_last=True,
                                     num_workers=workers, persistent_workers=workers > 0)
    backbone = small_resnet(1)
    d = backbone.feat_dim
    if method == 'simclr':
        head = SimCLRProjectionHead(d, heads['proj_hidden'], heads['proj_out'])
        crit = NTXentLoss(temperature=heads['tau'])
        params = list(backbone.parameters()) + list(head.parameters())
    else:
        head = BYOLProjectionHead(d, heads['proj_hidden'], heads['proj_out'])
        pred = BYOLPredictionHead(heads['proj_out'], heads['pred_hidden'], heads['proj_out'])
        bb_t, head_t = copy.deepcopy(backbone), copy.deepcopy(head)
        deactivate_requires_grad(bb_t); deactivate_requires_grad(head_t)
        crit = NegativeCosineSimilarity()
        params = list(backbone.parameters()) + list(head.parameters()) + list(pred.parameters())
    # fastai's defaults for Adam and fit_one_cycle, written out for a plain loop
    opt = torch.optim.AdamW(params, lr=lr, betas=(0.9, 0.99), eps=1e-5, weight_decay=0.01)
    total = epochs * len(dl)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, lr, total_steps=total, pct_start=0.25, div_factor=25.,
                                                final_div_factor=1e5, base_momentum=0.85, max_momentum=0.95)
    losses, step = [], 0
    t0 = time.time()
    for ep in range(epochs):
        backbone.train(); head.train()
        for (v1, v2) in dl:
            if method == 'simclr':
                z = head(backbone(torch.cat([v1, v2])))
                loss = crit(*z.chunk(2))
            else:
                m = cosine_schedule(step, total, heads['base_momentum'], 1.)
                update_momentum(backbone, bb_t, m); update_momentum(head, head_t, m)
                v = torch.cat([v1, v2])
                p = pred(head(backbone(v)))
                with torch.no_grad(): z = head_t(bb_t(v))
                p1, p2 = p.chunk(2); z1, z2 = z.chunk(2)
                loss = 0.5 * (crit(p1, z2) + crit(p2, z1))
            opt.zero_grad(); loss.backward(); opt.step(); sched.step(); step += 1
            losses.append(loss.item())
    train_s = time.time() - t0

    class Enc(nn.Module):   # the same input normalisation as the training transform, so the evaluation sees what training saw
        def __init__(self): super().__init__(); self.body, self.feat_dim = backbone, d
        def forward(self, x):
            x = x.float() / 255 if x.dtype == torch.uint8 else x
            return self.body((x - norm['mean'][0]) / norm['std'][0])
    return Enc(), train_s, losses


# ---------------------------------------------------------------- this library

def train_ssl_nb(method, data, epochs, bs, lr):
    import fastai.callback.progress
    from ssl_nb.data import ssl_dataloaders
    from ssl_nb.methods import method_learner
    dls = ssl_dataloaders(data, bs=bs, seed=0)
    learn = method_learner(method, dls, knn=False)
    t0 = time.time()
    with learn.no_bar(), learn.no_logging(): learn.fit_one_cycle(epochs, lr or learn.recommended_lr)
    return learn.model.encoder, time.time() - t0, [float(l) for l in learn.recorder.losses]


if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--method', required=True)
    ap.add_argument('--impl', default='ssl_nb', choices=['ssl_nb', 'lightly'])
    ap.add_argument('--epochs', type=int, default=2)
    ap.add_argument('--bs', type=int, default=256)
    ap.add_argument('--lr', type=float, default=None, help="peak learning rate (default: the method's recommended one)")
    ap.add_argument('--workers', type=int, default=2, help="DataLoader workers of lightly's pipeline")
    ap.add_argument('--trials', type=int, default=3, help='draws of the 10-labels-per-class probe')
    ap.add_argument('--subset', type=int, default=None, help='train on this many images only (quick checks)')
    ap.add_argument('--seed', type=int, default=0)
    a = ap.parse_args()
    set_seed(a.seed)
    data = load_fashion_mnist()
    train_data = data.subset(n_train=a.subset, seed=a.seed) if a.subset else data
    if a.impl == 'lightly':
        from ssl_nb.methods import METHODS
        if a.method not in ('simclr', 'byol'): sys.exit(f"the lightly comparison covers simclr and byol, not {a.method!r}")
        spec = METHODS[a.method]
        heads = {**spec.head, **spec.kwargs}
        enc, train_s, losses = train_lightly(a.method, train_data, a.epochs, a.bs, a.lr or spec.lr, a.workers, heads)
    else:
        enc, train_s, losses = train_ssl_nb(a.method, train_data, a.epochs, a.bs, a.lr)
    res = evaluate(enc, data, a.trials)
    print(json.dumps({'method': a.method, 'impl': a.impl, 'epochs': a.epochs, 'bs': a.bs, 'n_train': len(train_data.x_train), 'train_s': train_s,
                      'peak_rss_mib': peak_rss_mib(), 'first_loss': sum(losses[:5]) / 5, 'last_loss': sum(losses[-5:]) / 5,
                      'torch_threads': torch.get_num_threads(), **res}))
