/// Gradient descent with classical (heavy-ball) momentum.
///
/// The velocity accumulates past gradients, so steps grow along directions where the
/// gradient keeps its sign and cancel where it oscillates: faster progress along the
/// floor of a narrow valley, at the risk of overshooting when μ is close to 1.
///
/// Keras (the default):
/// ```
/// v ← μ·v − η·g
/// θ ← θ + v
/// ```
/// PyTorch:
/// ```
/// b ← μ·b + g
/// θ ← θ − η·b
/// ```
///
/// | symbol | property | name | Keras default | PyTorch default |
/// |--------|----------|------|---------------|-----------------|
/// | η | `learningRate` | `lr` | 0.01 | 0.001 |
/// | μ | `momentum` | `momentum` | 0.9 | 0.9 |
///
/// State: `velocity` (v in Keras's form, b in PyTorch's), starting at zero.
///
/// **Conventions.** `keras.optimizers.SGD(momentum=μ)` keeps the velocity in units of
/// parameters (η folded in); `torch.optim.SGD(momentum=μ)` keeps it in units of
/// gradients and multiplies by η when stepping (its first step sets b = g, the same as
/// μ·0 + g). With a constant η the two trajectories coincide (v = −η·b); they differ
/// when η changes during a run. Both frameworks default μ to 0 (plain SGD); here μ
/// defaults to 0.9, the usual recommendation.
///
/// **The course's form** `v ← ξ·v + α·∇W; W ← W − v` is this optimizer with μ = ξ and
/// η = α in the Keras convention (its v is the negative of Keras's v).
///
/// Reference: Polyak, 1964.
public struct Momentum: Optimizer {
    public static let name = "momentum"
    /// Its colour in every figure (Okabe & Ito's palette).
    public static let color = "#E69F00"

    public static func referenceDescents(_ _: Convention) -> ReferenceDescents.Pair {
        ReferenceDescents.Pair(quadratic: (0.01, 300), rosenbrock: (1e-3, 3000))
    }
    public let convention: Convention
    public let learningRate: Double
    public let momentum: Double

    public static func hyperparameters(for convention: Convention) -> [Hyperparameter] {
        [.learningRate(convention == .keras ? 0.01 : 1e-3), .momentum(0.9)]
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
        // Keras: v ← μv + (−η)·g, θ ← θ + 1·v.  PyTorch: b ← μb + 1·g, θ ← θ + (−η)·b.
        let convention = convention
        let velocity = ScalarBuffer<Scalar>(count: parameterCount, value: 0)
        return OptimizerInstance(parameterCount: parameterCount, learningRate: learningRate) { _, lr in
            let (a, c) = velocityScales(learningRate: Scalar(lr), convention: convention)
            let v = velocity.base
            return { theta, g, range in
                for i in range {
                    v[i] = mu * v[i] + a * g[i]  // v ← μ·v + a·g
                    theta[i] += c * v[i]         // θ ← θ + c·v
                }
            }
        }
    }
}

extension OptimizerKind {
    public static let momentum = OptimizerKind(Momentum.self)
}
