"""Training throughput of equivid.numeric.train (samples/s), on CPU and, when torch sees one, on a GPU.

One run measures every device available, with the same system, data, network and batch,
and then (CPU) three seeds trained together in one batched run (`train_encoders`, what
`verify` does) against the same three trained one after the other (the baseline):

    python benchmarks/bench_train.py                  # translations_two, n = 2
    python benchmarks/bench_train.py --n 6 --dim 20   # a larger problem (translations in R^6)

Samples/s counts transitions processed by the optimiser (steps x batch), after a short
warm-up that is not timed.
"""

from __future__ import annotations

import argparse
import time

import equivid
from equivid.numeric import random_decoder, transitions
from equivid.numeric.train import require_torch, train_encoder, train_encoders


def _system(n: int) -> equivid.System:
    latents = [f"z{k + 1}" for k in range(n)]
    maps = {f"push_{k + 1}": [f"{z} + 1" if j == k else z for j, z in enumerate(latents)] for k in range(n)}
    return equivid.System.from_maps(latents, maps)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2)
    parser.add_argument("--dim", type=int, default=None)
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--hidden", type=int, default=64)
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads (default 1)")
    args = parser.parse_args()
    torch = require_torch()
    system = _system(args.n)
    data = transitions(system, 4096, rng=0)
    g = random_decoder(args.n, dim=args.dim, rng=0)
    x, x_next = g(data.z), g(data.z_next)
    devices = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])
    print(f"torch {torch.__version__}; n = {args.n}, D = {g.dim}, batch {args.batch}, hidden {args.hidden}, "
          f"{args.steps} steps; devices: {', '.join(devices)}")
    for device in devices:
        name = torch.cuda.get_device_name(0) if device == "cuda" else f"cpu ({args.threads} thread(s))"
        train_encoder(system, x, x_next, data.label, steps=10, batch=args.batch, hidden=args.hidden, device=device,
                      threads=args.threads)  # warm-up
        start = time.perf_counter()
        run = train_encoder(system, x, x_next, data.label, steps=args.steps, batch=args.batch, hidden=args.hidden,
                            device=device, threads=args.threads)
        wall = time.perf_counter() - start
        print(f"{device:5s} {name}: {run.samples_per_second_:10.0f} samples/s "
              f"({run.seconds_:.2f} s training loop, {wall:.2f} s with setup; final loss {run.history_[-1]:.4g})")
    if "cuda" not in devices:
        print("cuda: not available here (torch.cuda.is_available() is False)")
    runs = [(x, x_next, data.label, None, seed) for seed in range(3)]
    start = time.perf_counter()
    for run in runs:
        train_encoder(system, *run[:3], seed=run[4], steps=args.steps, batch=args.batch, hidden=args.hidden,
                      threads=args.threads)
    one_by_one = time.perf_counter() - start
    start = time.perf_counter()
    train_encoders(system, runs, steps=args.steps, batch=args.batch, hidden=args.hidden, threads=args.threads)
    together = time.perf_counter() - start
    print(f"3 seeds, cpu: one after the other {one_by_one:.2f} s, batched {together:.2f} s "
          f"(speed-up {one_by_one / together:.2f}x)")


if __name__ == "__main__":
    main()
