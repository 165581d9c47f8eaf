#!/usr/bin/env python3
"""Seconds per 60,000-image epoch of 784-300-100-10 ReLU with Keras-style Adam, batch 128,
random data, in JAX with the whole epoch compiled by XLA as one lax.scan (for
BENCHMARKS.md). Run: /tmp/refenv/bin/python scripts/reference/epoch_jax.py
With --fashion, the Fashion-MNIST training images (Debian's dataset-fashion-mnist) scaled
to [0, 1] instead, half of whose pixels are 0 (XLA's dense products take the same time).
"""
import gzip, sys, time, jax, jax.numpy as jnp, numpy as np
from jax import lax
n, b = 59904, 128  # 468 full batches
rng = np.random.default_rng(0)
if "--fashion" in sys.argv:
    with gzip.open("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz") as f:
        pixels = np.frombuffer(f.read()[16:], dtype=np.uint8).reshape(-1, 784)[:n]
    X = jnp.asarray((pixels.astype(np.float32) / 255).reshape(n // b, b, 784))
else:
    X = jnp.asarray(rng.random((n // b, b, 784), dtype=np.float32))
Y = jnp.asarray(rng.integers(0, 10, (n // b, b)))
def init(key):
    sizes = [784, 300, 100, 10]; ps = []
    for i, (a, c) in enumerate(zip(sizes, sizes[1:])):
        key, k = jax.random.split(key)
        lim = (6 / a) ** 0.5
        ps.append((jax.random.uniform(k, (a, c), minval=-lim, maxval=lim), jnp.zeros(c)))
    return ps
def loss(ps, x, y):
    h = x
    for W, bb in ps[:-1]: h = jax.nn.relu(h @ W + bb)
    W, bb = ps[-1]; logits = h @ W + bb
    return -jnp.mean(jnp.take_along_axis(jax.nn.log_softmax(logits), y[:, None], 1))
def adam_step(state, xy):
    ps, m, v, t = state; x, y = xy
    g = jax.grad(loss)(ps, x, y); t = t + 1
    m = jax.tree_util.tree_map(lambda m, g: 0.9 * m + 0.1 * g, m, g)
    v = jax.tree_util.tree_map(lambda v, g: 0.999 * v + 0.001 * g * g, v, g)
    lr = 0.001 * jnp.sqrt(1 - 0.999 ** t) / (1 - 0.9 ** t)
    ps = jax.tree_util.tree_map(lambda p, m, v: p - lr * m / (jnp.sqrt(v) + 1e-7), ps, m, v)
    return (ps, m, v, t), None
@jax.jit
def epoch(state): return lax.scan(adam_step, state, (X, Y))[0]
ps = init(jax.random.PRNGKey(0)); z = jax.tree_util.tree_map(jnp.zeros_like, ps)
state = (ps, z, z, jnp.float32(0))
state = epoch(state); jax.block_until_ready(state)
times = []
for _ in range(3):
    t0 = time.perf_counter(); state = epoch(state); jax.block_until_ready(state); times.append(time.perf_counter() - t0)
print("jax", jax.__version__, "epoch seconds (60k-equivalent):", [round(t * 60000 / n, 3) for t in times])
