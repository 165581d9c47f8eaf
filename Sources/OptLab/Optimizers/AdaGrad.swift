/// AdaGrad: per-parameter learning rates shrinking with the sum of squared gradients.
///
/// Parameters with large or frequent gradients get smaller steps. The sum only grows,
/// so the effective step decays for the whole run: good for sparse features and
/// convex problems, prone to stalling early on deep networks.
///
/// ```
/// s ← s + g²
/// θ ← θ − η·g / (√(s + ε_in) + ε_out)
/// ```
/// Keras: ε_in = ε, ε_out = 0 (ε inside the root). PyTorch: ε_in = 0, ε_out = ε.
///
/// | symbol | property | name | Keras default | PyTorch default |
/// |--------|----------|------|---------------|-----------------|
/// | η | `learningRate` | `lr` | 0.001 | 0.01 |
/// | s₀ | `initialAccumulator` | `initial_accumulator_value` | 0.1 | 0 |
/// | ε | `epsilon` | `epsilon` | 1e-7 | 1e-10 |
///
/// State: `squaredGradientSum` (s), starting at s₀.
///
/// **Conventions.** Matches `keras.optimizers.Adagrad` and `torch.optim.Adagrad`
/// (with `lr_decay=0`, `weight_decay=0`). They differ in where ε sits and in s₀.
///
/// Reference: Duchi, Hazan & Singer, 2011.
public struct AdaGrad: Optimizer {
    public static let name = "adagrad"
    /// Its colour in every figure (Okabe & Ito's palette).
    public static let color = "#009E73"

    public static func referenceDescents(_ _: Convention) -> ReferenceDescents.Pair {
        ReferenceDescents.Pair(quadratic: (1.0, 500), rosenbrock: (1.0, 30_000))
    }
    public let convention: Convention
    public let learningRate: Double
    public let initialAccumulator: Double
    public let epsilon: Double

    public static func hyperparameters(for convention: Convention) -> [Hyperparameter] {
        switch convention {
        case .keras: [.learningRate(1e-3), .initialAccumulator(0.1), .epsilon(1e-7)]
        case .pytorch: [.learningRate(1e-2), .initialAccumulator(0), .epsilon(1e-10)]
        }
    }

    public init(convention: Convention, values: HyperparameterValues) {
        self.convention = convention
        learningRate = values["lr"]
        initialAccumulator = values["initial_accumulator_value"]
        epsilon = values["epsilon"]
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func makeInstance<Scalar: OptimizerScalar>(parameterCount: Int) -> OptimizerInstance<Scalar> {
        let (epsilonInside, epsilonOutside) = epsilonPlacement(Scalar(epsilon), convention: convention)
        let squaredGradientSum = ScalarBuffer<Scalar>(count: parameterCount, value: Scalar(initialAccumulator))
        return OptimizerInstance(parameterCount: parameterCount, learningRate: learningRate) { _, lr in
            let s = squaredGradientSum.base, eta = Scalar(lr)
            return { theta, g, range in
                for i in range {
                    s[i] += g[i] * g[i]  // s ← s + g²
                    theta[i] -= eta * g[i] / ((s[i] + epsilonInside).root + epsilonOutside)
                }
            }
        }
    }
}

extension OptimizerKind {
    public static let adagrad = OptimizerKind(AdaGrad.self)
}
