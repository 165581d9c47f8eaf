#!/usr/bin/env python3
"""Small networks trained by the reference frameworks, for Tests/.../NetworkReferenceTests.

A 20-16-8-5 perceptron with fixed starting weights is trained for 4 epochs of 4 batches
of 16 (same batch order every epoch) on fixed random data, by PyTorch 2 (float32) for the
PyTorch-convention cases and by Keras 3 on JAX (float32) for the Keras-convention cases.
Each case varies the hidden activation, the output and loss, the optimizer and the L1/L2
penalties. Written to Tests/OptLabTests/Network/Reference/networks.json: the data, the
starting parameters in OptLab's layout (per layer W as fan-in x fan-out, row-major, then
b), each step's loss (data loss plus penalty, on the weights before the step) and the
parameters after the last step. The test replays the steps with `MLP` and the optimizer.

    /tmp/refenv/bin/python scripts/reference/network.py   (keras, jax and torch installed)
"""
import json
import os

os.environ.setdefault("KERAS_BACKEND", "jax")
import keras  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402

SIZES = [20, 16, 8, 5]
ROWS, BATCH, EPOCHS = 64, 16, 4

CASES = [
    # activation, output, optimizer, hyperparameters (OptLab names), l1, l2, convention
    ("relu", "softmax", "adam", {"lr": 0.01}, 0.0, 1e-3, "pytorch"),
    ("sigmoid", "sigmoid", "sgd", {"lr": 0.5}, 1e-3, 0.0, "pytorch"),
    ("tanh", "linear", "momentum", {"lr": 0.05, "momentum": 0.9}, 0.0, 0.0, "pytorch"),
    ("elu", "softmax", "rmsprop", {"lr": 0.005}, 1e-4, 1e-4, "pytorch"),
    ("leaky_relu", "softmax", "nadam", {"lr": 0.01}, 0.0, 0.0, "pytorch"),
    ("relu", "softmax", "adam", {"lr": 0.01}, 0.0, 1e-3, "keras"),
    ("sigmoid", "sigmoid", "sgd", {"lr": 0.5}, 1e-3, 0.0, "keras"),
    ("tanh", "linear", "nesterov", {"lr": 0.05, "momentum": 0.9}, 0.0, 0.0, "keras"),
    ("elu", "softmax", "adagrad", {"lr": 0.05}, 1e-4, 1e-4, "keras"),
    ("leaky_relu", "softmax", "adamax", {"lr": 0.01}, 0.0, 0.0, "keras"),
]
LEAKY_SLOPE = 0.01


def data():
    rng = np.random.default_rng(7)
    x = rng.random((ROWS, SIZES[0])).astype(np.float32)
    y = rng.integers(0, SIZES[-1], ROWS)
    layers = []
    for fan_in, fan_out in zip(SIZES, SIZES[1:]):
        limit = np.sqrt(6 / (fan_in + fan_out))
        w = rng.uniform(-limit, limit, (fan_in, fan_out)).astype(np.float32)
        b = rng.uniform(-0.1, 0.1, fan_out).astype(np.float32)
        layers.append((w, b))
    return x, y, layers


def flat(layers):
    return np.concatenate([np.concatenate([w.ravel(), b]) for w, b in layers]).astype(np.float32)


def torch_case(activation, output, kind, h, l1, l2, x, y, layers):
    act = {"relu": torch.nn.ReLU(), "sigmoid": torch.nn.Sigmoid(), "tanh": torch.nn.Tanh(),
           "elu": torch.nn.ELU(), "leaky_relu": torch.nn.LeakyReLU(LEAKY_SLOPE)}[activation]
    linears = []
    for w, b in layers:
        lin = torch.nn.Linear(w.shape[0], w.shape[1])
        with torch.no_grad():
            lin.weight.copy_(torch.from_numpy(w.T.copy()))
            lin.bias.copy_(torch.from_numpy(b))
        linears.append(lin)
    params = [p for lin in linears for p in lin.parameters()]
    o = torch.optim
    opt = {"adam": lambda: o.Adam(params, lr=h["lr"]), "sgd": lambda: o.SGD(params, lr=h["lr"]),
           "momentum": lambda: o.SGD(params, lr=h["lr"], momentum=h["momentum"]),
           "rmsprop": lambda: o.RMSprop(params, lr=h["lr"]), "nadam": lambda: o.NAdam(params, lr=h["lr"])}[kind]()
    xs, onehot = torch.from_numpy(x), torch.nn.functional.one_hot(torch.from_numpy(y), SIZES[-1]).float()
    losses = []
    for _ in range(EPOCHS):
        for start in range(0, ROWS, BATCH):
            a = xs[start:start + BATCH]
            for i, lin in enumerate(linears):
                a = lin(a)
                if i < len(linears) - 1:
                    a = act(a)
            if output == "softmax":
                loss = torch.nn.functional.cross_entropy(a, torch.from_numpy(y[start:start + BATCH]))
            else:
                p = torch.sigmoid(a) if output == "sigmoid" else a
                loss = torch.nn.functional.mse_loss(p, onehot[start:start + BATCH])
            weights = [lin.weight for lin in linears]
            loss = loss + l1 * sum(w.abs().sum() for w in weights) + l2 * sum((w * w).sum() for w in weights)
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(float(loss.detach()))
    final = [(lin.weight.detach().numpy().T.copy(), lin.bias.detach().numpy().copy()) for lin in linears]
    return losses, final


def keras_case(activation, output, kind, h, l1, l2, x, y, layers):
    keras.config.set_floatx("float32")
    act = {"leaky_relu": lambda t: keras.activations.leaky_relu(t, negative_slope=LEAKY_SLOPE)}.get(activation, activation)
    model = keras.Sequential([keras.Input((SIZES[0],))])
    for i, (w, b) in enumerate(layers):
        last = i == len(layers) - 1
        model.add(keras.layers.Dense(
            w.shape[1], activation=(output if output != "linear" else None) if last else act,
            kernel_regularizer=keras.regularizers.L1L2(l1=l1, l2=l2) if (l1 or l2) else None))
    for layer, (w, b) in zip(model.layers, layers):
        layer.set_weights([w, b])
    o = keras.optimizers
    opt = {"adam": lambda: o.Adam(learning_rate=h["lr"]), "sgd": lambda: o.SGD(learning_rate=h["lr"]),
           "nesterov": lambda: o.SGD(learning_rate=h["lr"], momentum=h["momentum"], nesterov=True),
           "adagrad": lambda: o.Adagrad(learning_rate=h["lr"]), "adamax": lambda: o.Adamax(learning_rate=h["lr"])}[kind]()
    loss = "categorical_crossentropy" if output == "softmax" else "mean_squared_error"
    model.compile(optimizer=opt, loss=loss)
    onehot = np.eye(SIZES[-1], dtype=np.float32)[y]
    losses = []
    for _ in range(EPOCHS):
        for start in range(0, ROWS, BATCH):
            losses.append(float(model.train_on_batch(x[start:start + BATCH], onehot[start:start + BATCH])))
    final = [tuple(layer.get_weights()) for layer in model.layers]
    return losses, final


def main():
    x, y, layers = data()
    cases = []
    for activation, output, kind, h, l1, l2, convention in CASES:
        run = torch_case if convention == "pytorch" else keras_case
        losses, final = run(activation, output, kind, h, l1, l2, x, y, layers)
        cases.append({"activation": activation, "output": output, "optimizer": kind, "convention": convention,
                      "hyperparameters": h, "l1": l1, "l2": l2, "losses": losses,
                      "final": [float(v) for v in flat(final)]})
    out = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "OptLabTests", "Network", "Reference",
                       "networks.json")
    os.makedirs(os.path.dirname(out), exist_ok=True)
    header = {"keras": keras.__version__, "torch": torch.__version__, "sizes": SIZES, "batch": BATCH,
              "epochs": EPOCHS, "leaky_slope": LEAKY_SLOPE, "inputs": [float(v) for v in x.ravel()],
              "labels": [int(v) for v in y], "start": [float(v) for v in flat(layers)]}
    with open(out, "w") as f:
        text = json.dumps(header)
        f.write(text[:-1] + ', "cases": [\n' + ",\n".join(json.dumps(c) for c in cases) + "\n]}\n")
    print(f"{len(cases)} training runs written to {os.path.normpath(out)}")


if __name__ == "__main__":
    main()
