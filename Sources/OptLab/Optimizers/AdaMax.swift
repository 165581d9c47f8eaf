import Foundation

/// AdaMax: Adam with the second moment replaced by an exponentially weighted
/// infinity norm, which needs no bias correction and is robust to gradient spikes.
///
/// ```
/// m ← β₁·m + (1 − β₁)·g
/// u ← max(β₂·u, |g| + ε_in)
/// θ ← θ − η/(1 − β₁ᵗ) · m / (u + ε_out)
/// ```
/// Keras: ε_in = 0, ε_out = ε (ε added after the max). PyTorch: ε_in = ε, ε_out = 0.
///
/// | symbol | property | name | Keras default | PyTorch default |
/// |--------|----------|------|---------------|-----------------|
/// | η | `learningRate` | `lr` | 0.001 | 0.002 |
/// | β₁ | `beta1` | `beta_1` | 0.9 | 0.9 |
/// | β₂ | `beta2` | `beta_2` | 0.999 | 0.999 |
/// | ε | `epsilon` | `epsilon` | 1e-7 | 1e-8 |
///
/// State: `firstMoment` (m) and `infinityNorm` (u), both starting at zero, and the step t.
///
/// **Conventions.** `keras.optimizers.Adamax` and `torch.optim.Adamax`: they differ in
/// where ε enters (inside the max in PyTorch, so u never falls below ε; added to u
/// in Keras) and in the default η.
///
/// Reference: Kingma & Ba, 2015, section 7.
public struct AdaMax: Optimizer {
    public static let name = "adamax"
    /// Its colour in every figure (Okabe & Ito's palette).
    public static let color = "#CC79A7"

    public static func referenceDescents(_ _: Convention) -> ReferenceDescents.Pair {
        ReferenceDescents.Pair(quadratic: (0.1, 1000), rosenbrock: (0.01, 20_000))
    }
    public let convention: Convention
    public let learningRate: Double
    public let beta1: Double
    public let beta2: Double
    public let epsilon: Double

    public static func hyperparameters(for convention: Convention) -> [Hyperparameter] {
        switch convention {
        case .keras: [.learningRate(1e-3), .beta1(0.9), .beta2(0.999), .epsilon(1e-7)]
        case .pytorch: [.learningRate(2e-3), .beta1(0.9), .beta2(0.999), .epsilon(1e-8)]
        }
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
        let b1 = beta1
        let beta1 = Scalar(beta1), beta2 = Scalar(beta2)
        // Keras adds ε to u after the max; PyTorch takes it inside the max.
        let (epsilonOutside, epsilonInside) = epsilonPlacement(Scalar(epsilon), convention: convention)
        let firstMoment = ScalarBuffer<Scalar>(count: parameterCount, value: 0)
        let infinityNorm = ScalarBuffer<Scalar>(count: parameterCount, value: 0)
        return OptimizerInstance(parameterCount: parameterCount, learningRate: learningRate) { t, eta in
            let stepSize = Scalar(eta / (1 - pow(b1, Double(t))))  // η/(1 − β₁ᵗ)
            let m = firstMoment.base, u = infinityNorm.base
            return { theta, g, range in
                for i in range {
                    m[i] = beta1 * m[i] + (1 - beta1) * g[i]                 // m ← β₁·m + (1−β₁)·g
                    u[i] = max(beta2 * u[i], g[i].magnitude + epsilonInside)  // u ← max(β₂·u, |g| + ε_in)
                    theta[i] -= stepSize * m[i] / (u[i] + epsilonOutside)     // θ ← θ − η/(1−β₁ᵗ)·m/(u + ε_out)
                }
            }
        }
    }
}

extension OptimizerKind {
    public static let adamax = OptimizerKind(AdaMax.self)
}
