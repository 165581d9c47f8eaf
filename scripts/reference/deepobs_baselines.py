#!/usr/bin/env python3
"""Extract DeepOBS's published quadratic_deep runs into one small CSV.

Usage: deepobs_baselines.py BASELINES_CHECKOUT OUTPUT.csv

BASELINES_CHECKOUT is a clone of github.com/fsschneider/DeepOBS_Baselines (MIT licence,
Frank Schneider). Its quadratic_deep folder holds one JSON file per run, in a folder per
optimizer and setting whose name carries the learning rate. The output has one row per
(optimizer, lr, seed, epoch) with the train and test loss DeepOBS recorded:

- every learning rate of the sweep (seed 42): the final epoch only;
- every learning rate that was rerun with more seeds (each optimizer's best): all epochs
  of all its seeds.

Optimizer names are mapped to OptLab's: GradientDescentOptimizer -> sgd,
MomentumOptimizer -> momentum, AdamOptimizer -> adam.
"""
import csv
import json
import os
import re
import sys

NAMES = {"GradientDescentOptimizer": "sgd", "MomentumOptimizer": "momentum", "AdamOptimizer": "adam"}


def main(root, output):
    problem = os.path.join(root, "quadratic_deep")
    rows = []
    for folder, name in sorted(NAMES.items()):
        base = os.path.join(problem, folder)
        for setting in sorted(os.listdir(base)):
            lr = float(re.search(r"__lr__([0-9.e+-]+)$", setting).group(1))
            runs = sorted(f for f in os.listdir(os.path.join(base, setting)) if f.endswith(".json"))
            for run in runs:
                seed = int(re.match(r"random_seed__(\d+)__", run).group(1))
                with open(os.path.join(base, setting, run)) as handle:
                    data = json.load(handle)
                test, train = data["test_losses"], data["train_losses"]
                epochs = range(len(test)) if len(runs) > 1 else [len(test) - 1]
                for epoch in epochs:
                    rows.append([name, repr(lr), seed, epoch, repr(float(test[epoch])), repr(float(train[epoch]))])
    with open(output, "w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["optimizer", "lr", "seed", "epoch", "test_loss", "train_loss"])
        writer.writerows(rows)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
