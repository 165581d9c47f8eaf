/// Gradient descent with Nesterov momentum.
///
/// Like ``Momentum``, but the step looks ahead: it applies the updated velocity once
/// more, which damps the overshoot of heavy-ball momentum near a minimum.
///
/// Keras (the default):
/// ```
/// v ← μ·v − η·g
/// θ ← θ + μ·v − η·g
/// ```
/// PyTorch:
/// ```
/// b ← μ·b + g
/// θ ← θ − η·(g + μ·b)
/// ```
///
/// | symbol | property | name | Keras default | PyTorch default |
/// |--------|----------|------|---------------|-----------------|
/// | η | `learningRate` | `lr` | 0.01 | 0.001 |
/// | μ | `momentum` | `momentum` | 0.9 | 0.9 |
///
/// State: `velocity`, starting at zero.
///
/// **Conventions.** `keras.optimizers.SGD(momentum=μ, nesterov=True)` and
/// `torch.optim.SGD(momentum=μ, nesterov=True)`; both use the reformulation of
/// Sutskever et al. (2013) that evaluates the gradient at the current parameters.
/// They coincide under a constant η (v = −η·b), as for ``Momentum``.
///
/// Reference: Nesterov, 1983; Sutskever, Martens, Dahl & Hinton, 2013.
public struct Nesterov: Optimizer {
    public static let name = "nesterov"
    /// Its colour in every figure (Okabe & Ito's palette).
    public static let color = "#56B4E9"

    public static func referenceDescents(_ _: Convention) -> ReferenceDescents.Pair {
        ReferenceDescents.Pair(quadratic: (0.01, 300), rosenbrock: (3e-4, 15_000))
    }
    public let convention: Convention
    public let learningRate: Double
    public let momentum: Double

    public static func hyperparameters(for convention: Convention) -> [Hyperparameter] {
        Momentum.hyperparameters(for: convention)
    }

    public init(convention: Convention, values: HyperparameterValues) {
        self.convention = convention
        learningRate = values["lr"]
        momentum = values["momentum"]
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func makeInstance<Scalar: OptimizerScalar>(parameterCount: Int) -> OptimizerInstance<Scalar> {
        let mu = Scalar(momentum)
        let convention = convention
        let velocity = ScalarBuffer<Scalar>(count: parameterCount, value: 0)
        return OptimizerInstance(parameterCount: parameterCount, learningRate: learningRate) { _, lr in
            let (a, c) = velocityScales(learningRate: Scalar(lr), convention: convention)
            let v = velocity.base
            return { theta, g, range in
                for i in range {
                    let ag = a * g[i]
                    v[i] = mu * v[i] + ag               // v ← μ·v + a·g
                    theta[i] += c * (mu * v[i] + ag)    // θ ← θ + c·(μ·v + a·g)
                }
            }
        }
    }
}

extension OptimizerKind {
    public static let nesterov = OptimizerKind(Nesterov.self)
}
