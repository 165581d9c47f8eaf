import Foundation

/// Lion (evolved sign momentum): the step is the sign of an interpolation between the
/// momentum and the gradient, so every coordinate moves by exactly η (or not at all);
/// the momentum is then updated with a second, slower rate.
///
/// ```
/// θ ← θ − η·sign(β₁·m + (1 − β₁)·g)
/// m ← β₂·m + (1 − β₂)·g
/// ```
///
/// | symbol | property | name | Keras default | PyTorch default |
/// |--------|----------|------|---------------|-----------------|
/// | η | `learningRate` | `lr` | 0.001 | 0.001 (Keras's) |
/// | β₁ | `beta1` | `beta_1` | 0.9 | 0.9 (Keras's) |
/// | β₂ | `beta2` | `beta_2` | 0.99 | 0.99 (Keras's) |
///
/// State: `momentum` (m), starting at zero. sign(0) = 0.
///
/// **Conventions.** `keras.optimizers.Lion` (Keras 3) has it; PyTorch has no Lion, so
/// both conventions follow Keras. Because every step has length η per coordinate, Lion
/// wants a learning rate 3 to 10 times smaller than Adam's.
///
/// Reference: Chen et al., "Symbolic Discovery of Optimization Algorithms", 2023.
public struct Lion: Optimizer {
    public static let name = "lion"
    /// Its colour in every figure (Paul Tol's muted scheme).
    public static let color = "#332288"

    /// Steps of exactly η per coordinate: it settles within about η of the minimum.
    public static func referenceDescents(_ _: Convention) -> ReferenceDescents.Pair {
        ReferenceDescents.Pair(quadratic: (1e-3, 20_000), rosenbrock: (1e-4, 60_000))
    }
    public static var onlyFramework: Convention? { .keras }
    public let convention: Convention
    public let learningRate: Double
    public let beta1: Double
    public let beta2: Double

    public static func hyperparameters(for convention: Convention) -> [Hyperparameter] {
        [.learningRate(1e-3),
         Hyperparameter("beta_1", "β₁", 0.9, .unitInterval, "weight of the momentum in the step's sign (the gradient gets 1 − β₁)"),
         Hyperparameter("beta_2", "β₂", 0.99, .unitInterval, "decay of the momentum kept between steps")]
    }

    public init(convention: Convention, values: HyperparameterValues) {
        self.convention = convention
        learningRate = values["lr"]
        beta1 = values["beta_1"]
        beta2 = values["beta_2"]
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func makeInstance<Scalar: OptimizerScalar>(parameterCount: Int) -> OptimizerInstance<Scalar> {
        let (beta1, beta2) = (Scalar(beta1), Scalar(beta2))
        let momentum = ScalarBuffer<Scalar>(count: parameterCount, value: 0)
        return OptimizerInstance(parameterCount: parameterCount, learningRate: learningRate) { _, lr in
            let m = momentum.base, eta = Scalar(lr)
            return { theta, g, range in
                for i in range {
                    let c = m[i] * beta1 + g[i] * (1 - beta1)
                    theta[i] -= eta * (c > 0 ? 1 : (c < 0 ? -1 : c))   // θ ← θ − η·sign(β₁·m + (1−β₁)·g)
                    m[i] = m[i] * beta2 + g[i] * (1 - beta2)            // m ← β₂·m + (1−β₂)·g
                }
            }
        }
    }
}

extension OptimizerKind {
    public static let lion = OptimizerKind(Lion.self)
}
