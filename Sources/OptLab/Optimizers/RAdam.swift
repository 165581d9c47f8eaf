import Foundation

/// RAdam (rectified Adam): Adam whose adaptive step is scaled by a rectification term
/// r_t that corrects the variance of the adaptive learning rate in the first steps; while
/// that variance is not yet tractable (ρ_t ≤ 5) the step is plain momentum SGD on the
/// bias-corrected first moment.
///
/// ```
/// m ← β₁·m + (1 − β₁)·g                 m̂ = m / (1 − β₁ᵗ)
/// s ← β₂·s + (1 − β₂)·g²
/// ρ∞ = 2/(1 − β₂) − 1                    ρ_t = ρ∞ − 2t·β₂ᵗ/(1 − β₂ᵗ)
/// ρ_t > 5:  r_t = √((ρ_t − 4)(ρ_t − 2)ρ∞ / ((ρ∞ − 4)(ρ∞ − 2)ρ_t))
///           θ ← θ − η·m̂·r_t·√(1 − β₂ᵗ)/(√s + ε)
/// else:     θ ← θ − η·m̂
/// ```
///
/// | symbol | property | name | Keras default | PyTorch default |
/// |--------|----------|------|---------------|-----------------|
/// | η | `learningRate` | `lr` | 0.001 (PyTorch's) | 0.001 |
/// | β₁ | `beta1` | `beta_1` | 0.9 (PyTorch's) | 0.9 |
/// | β₂ | `beta2` | `beta_2` | 0.999 (PyTorch's) | 0.999 |
/// | ε | `epsilon` | `epsilon` | 1e-8 (PyTorch's) | 1e-8 |
///
/// State: `firstMoment` (m), `secondMoment` (s), both starting at zero, and the step t.
/// With β₂ = 0.999 the first five steps take the momentum branch.
///
/// **Conventions.** `torch.optim.RAdam` has it; Keras has no RAdam, so both conventions
/// follow PyTorch.
///
/// Reference: Liu et al., "On the Variance of the Adaptive Learning Rate and Beyond", 2020.
public struct RAdam: Optimizer {
    public static let name = "radam"
    /// Its colour in every figure (Paul Tol's muted scheme).
    public static let color = "#44AA99"

    /// Its first steps are momentum SGD on gradients near 10⁴ (ρ_t ≤ 5): η as small as SGD's.
    public static func referenceDescents(_ _: Convention) -> ReferenceDescents.Pair {
        ReferenceDescents.Pair(quadratic: (0.1, 1000), rosenbrock: (3e-4, 30_000))
    }
    public static var onlyFramework: Convention? { .pytorch }
    public let convention: Convention
    public let learningRate: Double
    public let beta1: Double
    public let beta2: Double
    public let epsilon: Double

    public static func hyperparameters(for convention: Convention) -> [Hyperparameter] {
        [.learningRate(1e-3), .beta1(0.9), .beta2(0.999), .epsilon(1e-8)]
    }

    public init(convention: Convention, values: HyperparameterValues) {
        self.convention = convention
        learningRate = values["lr"]
        beta1 = values["beta_1"]
        beta2 = values["beta_2"]
        epsilon = values["epsilon"]
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func makeInstance<Scalar: OptimizerScalar>(parameterCount: Int) -> OptimizerInstance<Scalar> {
        let (b1, b2, eps) = (beta1, beta2, epsilon)
        let firstMoment = ScalarBuffer<Scalar>(count: parameterCount, value: 0)
        let secondMoment = ScalarBuffer<Scalar>(count: parameterCount, value: 0)
        let rhoInfinity = 2 / (1 - b2) - 1
        return OptimizerInstance(parameterCount: parameterCount, learningRate: learningRate) { t, eta in
            // Per-step scalars in Double.
            let correction1 = 1 - pow(b1, Double(t)), correction2 = 1 - pow(b2, Double(t))
            let rho = rhoInfinity - 2 * Double(t) * pow(b2, Double(t)) / correction2
            let beta1 = Scalar(b1), beta2 = Scalar(b2), epsilon = Scalar(eps)
            let m = firstMoment.base, s = secondMoment.base
            guard rho > 5 else {
                let step = Scalar(eta / correction1)
                return { theta, g, range in
                    for i in range {
                        m[i] = beta1 * m[i] + (1 - beta1) * g[i]
                        s[i] = beta2 * s[i] + (1 - beta2) * g[i] * g[i]
                        theta[i] -= step * m[i]                          // θ ← θ − η·m̂
                    }
                }
            }
            let rectification = ((rho - 4) * (rho - 2) * rhoInfinity / ((rhoInfinity - 4) * (rhoInfinity - 2) * rho)).squareRoot()
            let step = Scalar(eta * rectification * correction2.squareRoot() / correction1)
            return { theta, g, range in
                for i in range {
                    m[i] = beta1 * m[i] + (1 - beta1) * g[i]
                    s[i] = beta2 * s[i] + (1 - beta2) * g[i] * g[i]
                    theta[i] -= step * m[i] / (s[i].root + epsilon)       // θ ← θ − η·r_t·√(1−β₂ᵗ)·m̂/(√s + ε)
                }
            }
        }
    }
}

extension OptimizerKind {
    public static let radam = OptimizerKind(RAdam.self)
}
