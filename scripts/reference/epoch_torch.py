#!/usr/bin/env python3
"""Seconds per 60,000-image epoch of 784-300-100-10 ReLU with Adam (eps 1e-7), batch 128,
random data, in eager PyTorch on the CPU with two threads and denormals flushed (for
BENCHMARKS.md). Run: /tmp/refenv/bin/python scripts/reference/epoch_torch.py
"""
import time, numpy as np, torch
torch.set_num_threads(2); torch.set_flush_denormal(True)
n, b = 59904, 128
rng = np.random.default_rng(0)
X = torch.from_numpy(rng.random((n // b, b, 784), dtype=np.float32))
Y = torch.from_numpy(rng.integers(0, 10, (n // b, b)))
model = torch.nn.Sequential(torch.nn.Linear(784, 300), torch.nn.ReLU(), torch.nn.Linear(300, 100), torch.nn.ReLU(), torch.nn.Linear(100, 10))
opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
lossf = torch.nn.CrossEntropyLoss()
def epoch():
    for i in range(n // b):
        opt.zero_grad(set_to_none=True)
        loss = lossf(model(X[i]), Y[i]); loss.backward(); opt.step()
epoch()
times = []
for _ in range(3):
    t0 = time.perf_counter(); epoch(); times.append(time.perf_counter() - t0)
print("torch", torch.__version__, "threads", torch.get_num_threads(), "epoch seconds (60k-equivalent):", [round(t * 60000 / n, 3) for t in times])
