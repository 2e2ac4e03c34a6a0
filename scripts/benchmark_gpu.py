"""GPU training throughput of SimCLR with ResNet-18 (CIFAR stem) at 32 px, batch 512, two views: ssl_nb's fastai Learner
against the same model fed by lightly's usual per-image pipeline, in one run; prints one JSON line.

    python scripts/benchmark_gpu.py --compile                          # the GPU figures (CIFAR-10 via fastai's untar_data)
    python scripts/benchmark_gpu.py --compile --fake-data              # random images instead of CIFAR-10
    python scripts/benchmark_gpu.py --device cpu --steps 3 --warmup 1 --bs 16 --size 16 --fake-data --workers 0   # a CPU check

For each implementation: views per second after `--warmup` steps, peak GPU memory (`torch.cuda.max_memory_allocated`),
and the fraction of the peak FLOP rate reached (FLOPs of one training step counted with `FlopCounterMode`, times steps
per second, over `--peak-tflops`). The default peak, 989 TFLOP/s, is the dense BF16 Tensor Core rate of an NVIDIA H100 SXM
(NVIDIA's H100 Tensor Core GPU datasheet lists 1,979 TFLOP/s with 2:4 sparsity, twice the dense rate); pass your GPU's.

ssl_nb: images on the device, views made per batch by `ViewAugment` on the device, `ssl_learner` with mixed precision
(bf16 where supported), channels-last and, with `--compile`, `torch.compile` (`ssl_nb.gpu.CompileModel`).
lightly (`pip install -e ".[benchmark]"`): lightly's `SimCLRTransform` on each PIL image in DataLoader workers, its
`SimCLRProjectionHead` and `NTXentLoss`, a plain PyTorch loop with the same autocast dtype, channels-last and optimiser.
"""
import argparse, json, os, time
import torch, torch.nn as nn

from ssl_nb.core import set_seed
from ssl_nb.learner import resnet18_cifar


def fake_images(n:int, size:int=32, seed:int=0) -> torch.Tensor:
    "`n` random uint8 colour images [n, 3, size, size]"
    if n < 1 or size < 1: raise ValueError(f"`n` and `size` must be positive, got {n}, {size}")
    g = torch.Generator().manual_seed(seed)
    return torch.randint(0, 256, (n, 3, size, size), dtype=torch.uint8, generator=g)


def train_step_flops(step, *args) -> int:
    "FLOPs of `step(*args)` (returning a scalar loss) and its backward pass, counted by `FlopCounterMode`"
    from torch.utils.flop_counter import FlopCounterMode
    with FlopCounterMode(display=False) as fc:
        step(*args).backward()
    return fc.get_total_flops()


def _sync(device):
    if device.type == 'cuda': torch.cuda.synchronize(device)


def _amp_dtype(device):
    if device.type != 'cuda': return None
    return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16


def _result(impl, device, n_views, seconds, flops_per_step, steps, peak_tflops, **extra) -> dict:
    steps_per_s = steps / seconds
    return {'impl': impl, 'views': n_views, 'seconds': seconds, 'views_per_s': n_views / seconds,
            'flops_per_step': flops_per_step, 'tflops_per_s': flops_per_step * steps_per_s / 1e12,
            'peak_fraction': flops_per_step * steps_per_s / (peak_tflops * 1e12),
            'peak_mem_gib': torch.cuda.max_memory_allocated(device) / 2**30 if device.type == 'cuda' else None, **extra}


def run_ssl_nb(x, device='cuda', bs=512, steps=50, warmup=10, size=32, compile=False, peak_tflops=989., tau=0.2, lr=1e-3) -> dict:
    "Train SimCLR through `ssl_learner` for `warmup + steps` steps on images `x`; time the last `steps`"
    from fastai.callback.core import Callback, CancelFitException
    from ssl_nb.data import SSLData, ssl_dataloaders
    from ssl_nb.simclr import SimCLR
    from ssl_nb.learner import ssl_learner
    from ssl_nb.augment import ViewAugment
    device = torch.device(device)
    n = warmup + steps
    if len(x) < n * bs: raise ValueError(f"{len(x)} images are fewer than {n} steps of {bs}; lower --steps/--warmup")
    y = torch.zeros(len(x), dtype=torch.long)
    data = SSLData(x, y, x[:bs], y[:bs], ['all'])
    dls = ssl_dataloaders(data, bs=bs, device=device, seed=0)

    class Timer(Callback):
        order = 100
        def __init__(self): self.i, self.t0, self.t1, self.last = 0, None, None, None
        def before_batch(self):
            if self.i == warmup: _sync(device); self.t0 = time.perf_counter()
        def after_batch(self):
            self.i += 1; self.last = self.learn.loss
            if self.i == n: _sync(device); self.t1 = time.perf_counter(); raise CancelFitException()

    set_seed(0)
    timer = Timer()
    learn = ssl_learner(dls, SimCLR(tau=tau), arch='resnet18_cifar', proj_hidden=512, proj_out=128, knn=False,
                        cbs=[timer], compile=compile)
    # FLOPs of one step of the plain model in float32 (the counter counts operations, whatever their precision)
    method = learn.cbs.filter(lambda c: isinstance(c, SimCLR))[0]
    aug = ViewAugment(size)
    xb = x[:bs].to(device)
    flops = train_step_flops(lambda a, b: method.ssl_loss(*learn.model(a, b)), aug(xb), aug(xb))
    learn.model.zero_grad(set_to_none=True)
    if device.type == 'cuda': torch.cuda.reset_peak_memory_stats(device)
    with learn.no_bar(), learn.no_logging(): learn.fit(10**6, lr)
    if timer.t1 is None: raise RuntimeError("the fit ended before the timed steps")
    return _result('ssl_nb', device, 2 * bs * steps, timer.t1 - timer.t0, flops, steps, peak_tflops,
                   compile=bool(compile), amp=str(_amp_dtype(device)), loss=float(timer.last.detach()))


class PILDataset(torch.utils.data.Dataset):
    "uint8 images [N, 3, H, W] served as PIL images through a per-image transform, as torchvision's CIFAR-10 does"
    def __init__(self, x, transform): self.x, self.transform = x, transform
    def __len__(self): return len(self.x)
    def __getitem__(self, i):
        from PIL import Image
        return self.transform(Image.fromarray(self.x[i].permute(1, 2, 0).numpy(), mode='RGB'))


def run_lightly(x, device='cuda', bs=512, steps=50, warmup=10, size=32, workers=8, peak_tflops=989., tau=0.2, lr=1e-3) -> dict:
    "Train the same SimCLR model with lightly's transforms in DataLoader workers and a plain loop; time the last `steps`"
    from lightly.transforms import SimCLRTransform
    from lightly.loss import NTXentLoss
    from lightly.models.modules import SimCLRProjectionHead
    device = torch.device(device)
    n = warmup + steps
    if len(x) < n * bs: raise ValueError(f"{len(x)} images are fewer than {n} steps of {bs}; lower --steps/--warmup")
    xs = x[:10_000].float() / 255
    norm = {'mean': xs.mean((0, 2, 3)).tolist(), 'std': xs.std((0, 2, 3)).tolist()}
    # the augmentation of ssl_nb's ViewAugment defaults: crop area 0.2-1, jitter 0.4/0.4/0.4/0.1 with p 0.8, gray 0.2, no blur
    t = SimCLRTransform(input_size=size, cj_prob=0.8, cj_strength=0.5, min_scale=0.2, random_gray_scale=0.2,
                        gaussian_blur=0.0, normalize=norm)
    dl = torch.utils.data.DataLoader(PILDataset(x, t), batch_size=bs, shuffle=True, drop_last=True, num_workers=workers,
                                     pin_memory=device.type == 'cuda', persistent_workers=workers > 0)
    set_seed(0)
    model = nn.Sequential(resnet18_cifar(3), SimCLRProjectionHead(512, 512, 128)).to(device)
    model.to(memory_format=torch.channels_last)
    crit = NTXentLoss(temperature=tau)
    opt = torch.optim.AdamW(model.parameters(), lr=lr, betas=(0.9, 0.99), eps=1e-5, weight_decay=0.01)  # fastai's Adam defaults
    amp = _amp_dtype(device)
    scaler = torch.amp.GradScaler('cuda', enabled=amp == torch.float16)

    def loss_of(v1, v2):
        v = torch.cat([v1, v2]).to(device, non_blocking=True).contiguous(memory_format=torch.channels_last)
        with torch.autocast(device.type, dtype=amp, enabled=amp is not None):
            z = model(v)
        return crit(*z.float().chunk(2))

    v1, v2 = next(iter(torch.utils.data.DataLoader(PILDataset(x[:bs], t), batch_size=bs)))
    flops = train_step_flops(loss_of, v1, v2)
    model.zero_grad(set_to_none=True)
    if device.type == 'cuda': torch.cuda.reset_peak_memory_stats(device)
    i, t0 = 0, None
    while i < n:
        for v1, v2 in dl:
            if i == warmup: _sync(device); t0 = time.perf_counter()
            loss = loss_of(v1, v2)
            opt.zero_grad(set_to_none=True); scaler.scale(loss).backward(); scaler.step(opt); scaler.update()
            i += 1
            if i == n: break
    _sync(device)
    return _result('lightly', device, 2 * bs * steps, time.perf_counter() - t0, flops, steps, peak_tflops,
                   workers=workers, amp=str(amp), loss=float(loss.detach()))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--device', default='cuda')
    ap.add_argument('--bs', type=int, default=512)
    ap.add_argument('--steps', type=int, default=50, help='timed steps, after the warm-up')
    ap.add_argument('--warmup', type=int, default=10, help='untimed steps first (compilation, cuDNN autotuning, workers starting)')
    ap.add_argument('--size', type=int, default=32, help='image side')
    ap.add_argument('--compile', action='store_true', help="torch.compile ssl_nb's model (ssl_nb.gpu.CompileModel)")
    ap.add_argument('--fake-data', action='store_true', help='random images instead of CIFAR-10')
    ap.add_argument('--workers', type=int, default=min(8, os.cpu_count() or 1), help="DataLoader workers of lightly's pipeline")
    ap.add_argument('--peak-tflops', type=float, default=989., help='peak dense FLOP rate of the device in TFLOP/s '
                    '(default: H100 SXM BF16 Tensor Core, dense, from NVIDIA\'s datasheet)')
    ap.add_argument('--skip-lightly', action='store_true', help="only ssl_nb")
    a = ap.parse_args()
    n = (a.warmup + a.steps) * a.bs
    if a.fake_data: x = fake_images(n, a.size)
    else:
        from ssl_nb.data import load_cifar10
        x = load_cifar10(a.size).x_train
    common = dict(device=a.device, bs=a.bs, steps=a.steps, warmup=a.warmup, size=a.size, peak_tflops=a.peak_tflops)
    out = {'device': torch.cuda.get_device_name(a.device) if a.device.startswith('cuda') else a.device,
           'data': 'fake' if a.fake_data else 'cifar10', **{k: v for k, v in common.items() if k != 'device'}}
    out['ssl_nb'] = run_ssl_nb(x, compile=a.compile, **common)
    if not a.skip_lightly:
        out['lightly'] = run_lightly(x, workers=a.workers, **common)
        out['ratio'] = out['ssl_nb']['views_per_s'] / out['lightly']['views_per_s']
    print(json.dumps(out))


if __name__ == '__main__': main()
