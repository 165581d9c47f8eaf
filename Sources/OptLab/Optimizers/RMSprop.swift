/// RMSprop: per-parameter steps scaled by a moving average of squared gradients.
///
/// Like ``AdaGrad`` but the average forgets (decay ρ), so the step size adapts to the
/// recent gradient scale instead of decaying for ever. Optional momentum on top.
///
/// ```
/// s ← ρ·s + (1 − ρ)·g²
/// d ← g / (√(s + ε_in) + ε_out)
/// v ← μ·v + a·d
/// θ ← θ + c·v
/// ```
/// Keras: ε_in = ε, ε_out = 0, a = −η, c = 1. PyTorch: ε_in = 0, ε_out = ε, a = 1,
/// c = −η. With μ = 0 (the default) both reduce to `θ ← θ − η·d`.
///
/// | symbol | property | name | Keras default | PyTorch default |
/// |--------|----------|------|---------------|-----------------|
/// | η | `learningRate` | `lr` | 0.001 | 0.01 |
/// | ρ | `rho` | `rho` (PyTorch's `alpha`) | 0.9 | 0.99 |
/// | μ | `momentum` | `momentum` | 0 | 0 |
/// | ε | `epsilon` | `epsilon` | 1e-7 | 1e-8 |
///
/// State: `squaredGradientAverage` (s) and `velocity` (v), both starting at zero
/// (Keras's momentum buffer is −v).
///
/// **Conventions.** Matches `keras.optimizers.RMSprop` and `torch.optim.RMSprop`
/// (`centered=False`, `weight_decay=0`). Keras takes ε inside the root and folds η into
/// the momentum buffer; PyTorch adds ε outside the root and multiplies by η last.
///
/// Reference: Hinton, Srivastava & Swersky, Coursera lecture 6e, 2012.
public struct RMSprop: Optimizer {
    public static let name = "rmsprop"
    /// Its colour in every figure (Okabe & Ito's palette; Okabe–Ito yellow, darkened to read on white).
    public static let color = "#B8A000"

    /// Constant-η RMSprop hovers within about η of the minimum: small η, many steps.
    public static func referenceDescents(_ _: Convention) -> ReferenceDescents.Pair {
        ReferenceDescents.Pair(quadratic: (3e-4, 60_000), rosenbrock: (3e-4, 30_000))
    }
    public let convention: Convention
    public let learningRate: Double
    public let rho: Double
    public let momentum: Double
    public let epsilon: Double

    public static func hyperparameters(for convention: Convention) -> [Hyperparameter] {
        switch convention {
        case .keras: [.learningRate(1e-3), .rho(0.9), .momentum(0), .epsilon(1e-7)]
        case .pytorch: [.learningRate(1e-2), .rho(0.99), .momentum(0), .epsilon(1e-8)]
        }
    }

    public init(convention: Convention, values: HyperparameterValues) {
        self.convention = convention
        learningRate = values["lr"]
        rho = values["rho"]
        momentum = values["momentum"]
        epsilon = values["epsilon"]
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func makeInstance<Scalar: OptimizerScalar>(parameterCount: Int) -> OptimizerInstance<Scalar> {
        let rho = Scalar(rho), mu = Scalar(momentum)
        let (epsilonInside, epsilonOutside) = epsilonPlacement(Scalar(epsilon), convention: convention)
        // Keras folds η into the velocity, PyTorch multiplies it in last.
        let convention = convention
        let squaredGradientAverage = ScalarBuffer<Scalar>(count: parameterCount, value: 0)
        let velocity = ScalarBuffer<Scalar>(count: parameterCount, value: 0)
        return OptimizerInstance(parameterCount: parameterCount, learningRate: learningRate) { _, lr in
            let (a, c) = velocityScales(learningRate: Scalar(lr), convention: convention)
            let s = squaredGradientAverage.base, v = velocity.base
            return { theta, g, range in
                for i in range {
                    s[i] = rho * s[i] + (1 - rho) * g[i] * g[i]                       // s ← ρ·s + (1−ρ)·g²
                    let d = g[i] / ((s[i] + epsilonInside).root + epsilonOutside)
                    v[i] = mu * v[i] + a * d                                          // v ← μ·v + a·d
                    theta[i] += c * v[i]                                              // θ ← θ + c·v
                }
            }
        }
    }
}

extension OptimizerKind {
    public static let rmsprop = OptimizerKind(RMSprop.self)
}
