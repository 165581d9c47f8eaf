#!/usr/bin/env python3
"""Descents computed by the reference frameworks, for Tests/.../FrameworkReferenceTests.

Runs every optimizer of Keras 3 (JAX backend) and of PyTorch in float64 on three of
OptLab's surfaces, from fixed starts, with the surfaces' analytic gradients written as in
Sources/OptLab/Surfaces/SurfaceCatalog.swift, and writes the points every 10 steps to
Tests/OptLabTests/Optimizers/Reference/frameworks.json. The test replays each descent with
`Descent` and compares. An optimizer only one framework has (Lion: Keras; RAdam: PyTorch)
is run by that framework for both of OptLab's conventions, which follow it.

Needs keras, jax and torch (CPU wheels are enough):

    python3 -m venv /tmp/refenv && /tmp/refenv/bin/pip install keras jax torch
    /tmp/refenv/bin/python scripts/reference/frameworks.py

PyTorch keeps some per-step scalars (NAdam's running product of momentum coefficients,
the step counter) in the default dtype, float32 unless told otherwise; the script sets
the default dtype to float64 so that every quantity is float64, as in OptLab's Double
descents. (With float32 scalars NAdam's points differ from float64 ones by about 3e-11.)
"""
import json
import os
import sys

os.environ.setdefault("KERAS_BACKEND", "jax")
import jax  # noqa: E402

jax.config.update("jax_enable_x64", True)
import keras  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402

keras.config.set_floatx("float64")
torch.set_default_dtype(torch.float64)

# Keras 3.15's ops.cos returns float32 even for a float64 tensor under the JAX backend, which
# rounds CosineDecay's rates to about 1e-9 relative and moves the descents by up to 1e-7.
# The replay compares rules, not that rounding: cos is computed in float64 here.
import keras.src.ops as _keras_ops  # noqa: E402
_keras_ops.cos = lambda x: jax.numpy.cos(jax.numpy.asarray(x, dtype=jax.numpy.float64))

STEPS = 200
EVERY = 10


def quadratic(x, y):
    return x, 10 * y


def rosenbrock(x, y):
    r = y - x * x
    return -2 * (1 - x) - 400 * x * r, 200 * r


def beale(x, y):
    a, b, c = 1.5 - x + x * y, 2.25 - x + x * y * y, 2.625 - x + x * y * y * y
    dx = 2 * a * (y - 1) + 2 * b * (y * y - 1) + 2 * c * (y * y * y - 1)
    dy = 2 * a * x + 4 * b * x * y + 6 * c * x * y * y
    return dx, dy


# The losses (for the plateau schedule's metric), as in SurfaceCatalog.swift.
LOSSES = {
    "quadratic": lambda x, y: 0.5 * x * x + 5 * y * y,
    "rosenbrock": lambda x, y: (1 - x) ** 2 + 100 * (y - x * x) ** 2,
    "beale": lambda x, y: (1.5 - x + x * y) ** 2 + (2.25 - x + x * y * y) ** 2 + (2.625 - x + x * y ** 3) ** 2,
}

SURFACES = {
    "quadratic": (quadratic, (-8.0, 3.0)),
    "rosenbrock": (rosenbrock, (-2.0, 2.0)),
    "beale": (beale, (1.0, 1.0)),
}

# Learning rates per surface and optimizer (same for both conventions), chosen so that
# every descent moves without diverging.
LEARNING_RATES = {
    "quadratic": dict(sgd=0.02, momentum=0.02, nesterov=0.02, adagrad=0.5, rmsprop=0.05,
                      adadelta=1.0, adam=0.1, adamax=0.1, nadam=0.1, adamw=0.1, lion=0.05, radam=0.1),
    "rosenbrock": dict(sgd=1e-4, momentum=1e-4, nesterov=1e-4, adagrad=0.1, rmsprop=0.01,
                       adadelta=1.0, adam=0.02, adamax=0.02, nadam=0.02, adamw=0.02, lion=0.01, radam=1e-4),
    "beale": dict(sgd=1e-3, momentum=1e-3, nesterov=1e-3, adagrad=0.1, rmsprop=0.01,
                  adadelta=1.0, adam=0.02, adamax=0.02, nadam=0.02, adamw=0.02, lion=0.01, radam=0.02),
}

# Optimizers one framework lacks: both of OptLab's conventions follow the one that has it.
ONLY = {"lion": "keras", "radam": "pytorch"}

# Non-default values of the other hyperparameters (OptLab's names), run on the quadratic.
VARIANTS = {
    "sgd": {},
    "momentum": {"momentum": 0.5},
    "nesterov": {"momentum": 0.5},
    "adagrad": {"initial_accumulator_value": 0.5, "epsilon": 1e-3},
    "rmsprop": {"rho": 0.8, "momentum": 0.5, "epsilon": 1e-3},
    "adadelta": {"rho": 0.8, "epsilon": 1e-3},
    "adam": {"beta_1": 0.8, "beta_2": 0.99, "epsilon": 1e-3},
    "adamax": {"beta_1": 0.8, "beta_2": 0.99, "epsilon": 1e-3},
    "nadam": {"beta_1": 0.8, "beta_2": 0.99, "epsilon": 1e-3},
    "adamw": {"beta_1": 0.8, "beta_2": 0.99, "epsilon": 1e-3, "weight_decay": 0.1},
    "lion": {"beta_1": 0.8, "beta_2": 0.95},
    "radam": {"beta_1": 0.8, "beta_2": 0.9, "epsilon": 1e-3},
}
# Second variants: AMSGrad's running maximum, on Adam and AdamW.
EXTRA = {"adam": {"amsgrad": True, "beta_2": 0.9}, "adamw": {"amsgrad": True, "beta_2": 0.9, "weight_decay": 0.05}}
# Keras's Nadam has no momentum-decay setting (its schedule is fixed); PyTorch's has.
TORCH_ONLY = {"nadam": {"momentum_decay": 0.01}}


def keras_optimizer(kind, h):
    o = keras.optimizers
    lr = h["lr"]
    if kind == "sgd":
        return o.SGD(learning_rate=lr)
    if kind in ("momentum", "nesterov"):
        return o.SGD(learning_rate=lr, momentum=h.get("momentum", 0.9), nesterov=kind == "nesterov")
    if kind == "adagrad":
        return o.Adagrad(learning_rate=lr, initial_accumulator_value=h.get("initial_accumulator_value", 0.1),
                         epsilon=h.get("epsilon", 1e-7))
    if kind == "rmsprop":
        return o.RMSprop(learning_rate=lr, rho=h.get("rho", 0.9), momentum=h.get("momentum", 0.0),
                         epsilon=h.get("epsilon", 1e-7))
    if kind == "adadelta":
        return o.Adadelta(learning_rate=lr, rho=h.get("rho", 0.95), epsilon=h.get("epsilon", 1e-7))
    if kind == "lion":
        return o.Lion(learning_rate=lr, beta_1=h.get("beta_1", 0.9), beta_2=h.get("beta_2", 0.99))
    betas = dict(beta_1=h.get("beta_1", 0.9), beta_2=h.get("beta_2", 0.999), epsilon=h.get("epsilon", 1e-7))
    if kind == "adam":
        return o.Adam(learning_rate=lr, amsgrad=h.get("amsgrad", False), **betas)
    if kind == "adamw":
        return o.AdamW(learning_rate=lr, weight_decay=h.get("weight_decay", 0.004), amsgrad=h.get("amsgrad", False), **betas)
    return {"adamax": o.Adamax, "nadam": o.Nadam}[kind](learning_rate=lr, **betas)


def torch_optimizer(kind, h, p):
    o = torch.optim
    lr = h["lr"]
    if kind == "sgd":
        return o.SGD([p], lr=lr)
    if kind in ("momentum", "nesterov"):
        return o.SGD([p], lr=lr, momentum=h.get("momentum", 0.9), nesterov=kind == "nesterov")
    if kind == "adagrad":
        return o.Adagrad([p], lr=lr, initial_accumulator_value=h.get("initial_accumulator_value", 0.0),
                         eps=h.get("epsilon", 1e-10))
    if kind == "rmsprop":
        return o.RMSprop([p], lr=lr, alpha=h.get("rho", 0.99), momentum=h.get("momentum", 0.0),
                         eps=h.get("epsilon", 1e-8))
    if kind == "adadelta":
        return o.Adadelta([p], lr=lr, rho=h.get("rho", 0.9), eps=h.get("epsilon", 1e-6))
    betas = (h.get("beta_1", 0.9), h.get("beta_2", 0.999))
    eps = h.get("epsilon", 1e-8)
    if kind == "adam":
        return o.Adam([p], lr=lr, betas=betas, eps=eps, amsgrad=h.get("amsgrad", False))
    if kind == "adamw":
        return o.AdamW([p], lr=lr, betas=betas, eps=eps, weight_decay=h.get("weight_decay", 0.01), amsgrad=h.get("amsgrad", False))
    if kind == "radam":
        return o.RAdam([p], lr=lr, betas=betas, eps=eps)
    if kind == "adamax":
        return o.Adamax([p], lr=lr, betas=betas, eps=eps)
    return o.NAdam([p], lr=lr, betas=betas, eps=eps, momentum_decay=h.get("momentum_decay", 0.004))


# Learning-rate schedules, in OptLab's text form, replayed with SGD, momentum and Adam on
# the quadratic: each exercises a place where the frameworks count or shape differently
# (multistep's boundary, cosine past its length, one-cycle only in PyTorch).
SCHEDULES = [
    "step:every=50,factor=0.5",
    "multistep:milestones=40/120,factor=0.3",
    "exponential:factor=0.99",
    "cosine:steps=150,warmup=20,final=0.1",
    "cosine:steps=120,final=0.2",
    "onecycle:steps=200",
]
# The plateau schedule watches the loss after each step; these settings reduce the rate
# several times within 200 steps (Lion oscillates around the bowl's minimum, Adam in the valley).
PLATEAU = [("lion", "quadratic", "plateau:factor=0.5,patience=3,threshold=0.01,cooldown=2"),
           ("adam", "rosenbrock", "plateau:factor=0.5,patience=4,threshold=0.001")]


def parse_schedule(text):
    kind, _, rest = text.partition(":")
    fields = dict(part.split("=") for part in rest.split(",")) if rest else {}
    return kind, fields


def torch_schedule(opt, text, lr):
    s = torch.optim.lr_scheduler
    kind, f = parse_schedule(text)
    if kind == "step":
        return s.StepLR(opt, step_size=int(f["every"]), gamma=float(f.get("factor", 0.1)))
    if kind == "multistep":
        return s.MultiStepLR(opt, milestones=[int(m) for m in f["milestones"].split("/")], gamma=float(f.get("factor", 0.1)))
    if kind == "exponential":
        return s.ExponentialLR(opt, gamma=float(f["factor"]))
    if kind == "cosine":
        steps, warmup, final = int(f["steps"]), int(f.get("warmup", 0)), float(f.get("final", 0))
        cosine = s.CosineAnnealingLR(opt, T_max=steps, eta_min=final * lr)
        if warmup == 0:
            return cosine
        linear = s.LinearLR(opt, start_factor=float(f.get("start", 1 / 3)), end_factor=1.0, total_iters=warmup)
        return s.SequentialLR(opt, [linear, cosine], milestones=[warmup])
    if kind == "plateau":
        return s.ReduceLROnPlateau(opt, mode="min", factor=float(f.get("factor", 0.1)), patience=int(f.get("patience", 10)),
                                   threshold=float(f.get("threshold", 1e-4)), threshold_mode="rel",
                                   cooldown=int(f.get("cooldown", 0)), min_lr=float(f.get("min_lr", 0)))
    if kind == "onecycle":
        # OptLab's one-cycle does not cycle the momentum (cycle_momentum=False).
        return s.OneCycleLR(opt, max_lr=lr, total_steps=int(f["steps"]), pct_start=float(f.get("pct_start", 0.3)),
                            div_factor=float(f.get("div_factor", 25)), final_div_factor=float(f.get("final_div_factor", 1e4)),
                            anneal_strategy="cos", cycle_momentum=False)
    raise ValueError(text)


class Table(keras.optimizers.schedules.LearningRateSchedule):
    """Rates computed elsewhere (PyTorch's one-cycle), looked up by Keras's step counter."""

    def __init__(self, rates):
        self.rates = np.array(rates, dtype=np.float64)

    def __call__(self, step):
        return keras.ops.take(self.rates, keras.ops.cast(step, "int32"))


def keras_schedule(text, lr):
    s = keras.optimizers.schedules
    kind, f = parse_schedule(text)
    if kind == "step":
        return s.ExponentialDecay(lr, decay_steps=int(f["every"]), decay_rate=float(f.get("factor", 0.1)), staircase=True)
    if kind == "multistep":
        milestones, factor = [int(m) for m in f["milestones"].split("/")], float(f.get("factor", 0.1))
        return s.PiecewiseConstantDecay(milestones, [lr * factor ** i for i in range(len(milestones) + 1)])
    if kind == "exponential":
        return s.ExponentialDecay(lr, decay_steps=1, decay_rate=float(f["factor"]))
    if kind == "cosine":
        steps, warmup, final = int(f["steps"]), int(f.get("warmup", 0)), float(f.get("final", 0))
        if warmup == 0:
            return s.CosineDecay(lr, decay_steps=steps, alpha=final)
        return s.CosineDecay(float(f.get("start", 0)) * lr, decay_steps=steps, alpha=final, warmup_target=lr, warmup_steps=warmup)
    if kind == "plateau":
        return None   # a callback, not a schedule: see descend()
    if kind == "onecycle":
        # Keras has no one-cycle: the rates of PyTorch's, for the Keras optimizer to use.
        p = torch.nn.Parameter(torch.zeros(1))
        opt = torch.optim.SGD([p], lr=lr)
        scheduler = torch_schedule(opt, text, lr)
        rates = []
        for _ in range(STEPS):
            rates.append(opt.param_groups[0]["lr"])
            opt.step()
            scheduler.step()
        return Table(rates)
    raise ValueError(text)


def descend(convention, kind, h, surface, schedule=None):
    gradient, start = SURFACES[surface]
    points = []
    if convention == "keras":
        v = keras.Variable(np.array(start, dtype=np.float64))
        opt = keras_optimizer(kind, h)
        callback = None
        if schedule and schedule.startswith("plateau"):
            # The callback, given the loss after each step as one epoch's metric.
            _, f = parse_schedule(schedule)
            callback = keras.callbacks.ReduceLROnPlateau(
                monitor="loss", mode="min", factor=float(f.get("factor", 0.1)), patience=int(f.get("patience", 10)),
                min_delta=float(f.get("threshold", 1e-4)), cooldown=int(f.get("cooldown", 0)), min_lr=float(f.get("min_lr", 0)))
            callback.set_model(type("Model", (), {"optimizer": opt})())
        elif schedule:
            opt = keras_optimizer(kind, dict(h, lr=keras_schedule(schedule, h["lr"])))
        for step in range(1, STEPS + 1):
            x, y = (float(t) for t in np.array(v.value))
            opt.apply_gradients([(np.array(gradient(x, y), dtype=np.float64), v)])
            if callback:
                callback.on_epoch_end(step - 1, {"loss": LOSSES[surface](*(float(t) for t in np.array(v.value)))})
            if step % EVERY == 0:
                points.append([float(t) for t in np.array(v.value)])
    else:
        p = torch.nn.Parameter(torch.tensor(start))
        opt = torch_optimizer(kind, h, p)
        scheduler = torch_schedule(opt, schedule, h["lr"]) if schedule else None
        for step in range(1, STEPS + 1):
            x, y = (float(t) for t in p.detach())
            p.grad = torch.tensor(gradient(x, y))
            opt.step()
            if scheduler and schedule.startswith("plateau"):
                scheduler.step(LOSSES[surface](*(float(t) for t in p.detach())))
            elif scheduler:
                scheduler.step()
            if step % EVERY == 0:
                points.append([float(t) for t in p.detach()])
    for point in points:
        if not all(np.isfinite(point)) or max(abs(t) for t in point) > 1e6:
            sys.exit(f"{convention} {kind} {h} on {surface} diverged; pick another learning rate")
    return points


def main():
    cases = []
    for kind in VARIANTS:
        for convention in ("keras", "pytorch"):
            runs = [(surface, {"lr": LEARNING_RATES[surface][kind]}) for surface in SURFACES]
            variant = dict(VARIANTS[kind], **(TORCH_ONLY.get(kind, {}) if convention == "pytorch" else {}))
            if variant:
                runs.append(("quadratic", dict(variant, lr=LEARNING_RATES["quadratic"][kind])))
            if kind in EXTRA:
                runs.append(("quadratic", dict(EXTRA[kind], lr=LEARNING_RATES["quadratic"][kind])))
                runs.append(("rosenbrock", dict(EXTRA[kind], lr=LEARNING_RATES["rosenbrock"][kind])))
            framework = ONLY.get(kind, convention)
            for surface, h in runs:
                # Switches (amsgrad) as OptLab stores them: 1.0 or 0.0.
                stored = {k: float(v) if isinstance(v, bool) else v for k, v in h.items()}
                cases.append({"optimizer": kind, "convention": convention, "surface": surface,
                              "start": list(SURFACES[surface][1]), "hyperparameters": stored,
                              "every": EVERY, "points": descend(framework, kind, h, surface)})
    for schedule in SCHEDULES:
        for kind in ("sgd", "momentum", "adam"):
            for convention in ("keras", "pytorch"):
                h = {"lr": LEARNING_RATES["quadratic"][kind]}
                cases.append({"optimizer": kind, "convention": convention, "surface": "quadratic",
                              "start": list(SURFACES["quadratic"][1]), "hyperparameters": h, "schedule": schedule,
                              "every": EVERY, "points": descend(convention, kind, h, "quadratic", schedule)})
    for kind, surface, schedule in PLATEAU:
        # An optimizer only one framework has is replayed with that framework's scheduler only.
        for convention in [ONLY[kind]] if kind in ONLY else ("keras", "pytorch"):
            h = {"lr": LEARNING_RATES[surface][kind]}
            cases.append({"optimizer": kind, "convention": convention, "surface": surface,
                          "start": list(SURFACES[surface][1]), "hyperparameters": h, "schedule": schedule,
                          "every": EVERY, "points": descend(convention, kind, h, surface, schedule)})
    out = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "OptLabTests", "Optimizers",
                       "Reference", "frameworks.json")
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w") as f:
        header = json.dumps({"keras": keras.__version__, "torch": torch.__version__, "steps": STEPS})
        f.write(header[:-1] + ', "cases": [\n')
        f.write(",\n".join(json.dumps(case) for case in cases))
        f.write("\n]}\n")
    print(f"{len(cases)} descents written to {os.path.normpath(out)} (keras {keras.__version__}, torch {torch.__version__})")


if __name__ == "__main__":
    main()
