#!/usr/bin/env python3
"""Keras 3 (JAX backend) on Fashion-MNIST with the settings of OptLab's learning check:
784-300-100-10 ReLU, softmax, Adam at Keras's defaults, batch 128, 5 epochs, all 60,000
training images, pixels scaled to [0, 1]. Prints the test accuracy for each seed.

    /tmp/refenv/bin/python scripts/reference/fashion_keras.py [seed ...]
"""
import gzip
import os
import sys

os.environ.setdefault("KERAS_BACKEND", "jax")
import keras  # noqa: E402
import numpy as np  # noqa: E402

FOLDER = "/usr/share/datasets/fashion-mnist"


def idx(name, offset):
    with gzip.open(os.path.join(FOLDER, name)) as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=offset)


def main():
    x = idx("train-images-idx3-ubyte.gz", 16).reshape(-1, 784).astype(np.float32) / 255
    y = idx("train-labels-idx1-ubyte.gz", 8)
    xt = idx("t10k-images-idx3-ubyte.gz", 16).reshape(-1, 784).astype(np.float32) / 255
    yt = idx("t10k-labels-idx1-ubyte.gz", 8)
    accuracies = []
    for seed in [int(s) for s in sys.argv[1:]] or [0, 1, 2]:
        keras.utils.set_random_seed(seed)
        model = keras.Sequential([keras.Input((784,)), keras.layers.Dense(300, activation="relu"),
                                  keras.layers.Dense(100, activation="relu"), keras.layers.Dense(10, activation="softmax")])
        model.compile(optimizer=keras.optimizers.Adam(), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        model.fit(x, y, batch_size=128, epochs=5, verbose=0)
        accuracy = model.evaluate(xt, yt, verbose=0)[1]
        accuracies.append(accuracy)
        print(f"seed {seed}: test accuracy {accuracy:.4f}")
    print(f"mean {np.mean(accuracies):.4f}, sd {np.std(accuracies, ddof=1) if len(accuracies) > 1 else 0:.4f} "
          f"(keras {keras.__version__})")


if __name__ == "__main__":
    main()
