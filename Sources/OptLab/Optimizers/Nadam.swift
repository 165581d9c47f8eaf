import Foundation

/// Nadam: Adam with Nesterov momentum, using Dozat's warming momentum schedule.
///
/// ```
/// μ_t = β₁·(1 − ½·0.96^(t·ψ))                  (momentum schedule)
/// Π_t = μ₁·μ₂·…·μ_t
/// m ← β₁·m + (1 − β₁)·g
/// s ← β₂·s + (1 − β₂)·g²
/// m̂ = μ_{t+1}·m / (1 − Π_t·μ_{t+1}) + (1 − μ_t)·g / (1 − Π_t)
/// ŝ = s / (1 − β₂ᵗ)
/// θ ← θ − η·m̂ / (√ŝ + ε)
/// ```
///
/// | symbol | property | name | Keras default | PyTorch default |
/// |--------|----------|------|---------------|-----------------|
/// | η | `learningRate` | `lr` | 0.001 | 0.002 |
/// | β₁ | `beta1` | `beta_1` | 0.9 | 0.9 |
/// | β₂ | `beta2` | `beta_2` | 0.999 | 0.999 |
/// | ε | `epsilon` | `epsilon` | 1e-7 | 1e-8 |
/// | ψ | `momentumDecay` | `momentum_decay` | 1 | 0.004 |
///
/// State: `firstMoment` (m), `secondMoment` (s), the momentum product Π_t and the step t.
///
/// **Conventions.** `keras.optimizers.Nadam` uses the schedule with 0.96^t (ψ = 1,
/// not a Keras argument): μ_t climbs from 0.468 to β₁ within about 100 steps.
/// `torch.optim.NAdam` uses `momentum_decay` ψ = 0.004 (Dozat's 0.96^(t/250)), so μ_t
/// stays near ½·β₁ for thousands of steps; otherwise the rules are the same.
///
/// Reference: Dozat, 2016.
public struct Nadam: Optimizer {
    public static let name = "nadam"
    /// Its colour in every figure (Okabe & Ito's palette).
    public static let color = "#7F7F7F"

    public static func referenceDescents(_ _: Convention) -> ReferenceDescents.Pair {
        ReferenceDescents.Pair(quadratic: (0.1, 1000), rosenbrock: (3e-3, 20_000))
    }
    public let convention: Convention
    public let learningRate: Double
    public let beta1: Double
    public let beta2: Double
    public let epsilon: Double
    public let momentumDecay: Double

    public static func hyperparameters(for convention: Convention) -> [Hyperparameter] {
        let decay = Hyperparameter("momentum_decay", "ψ", convention == .keras ? 1 : 4e-3,
                                   .nonNegative, "speed of the momentum schedule's warm-up")
        switch convention {
        case .keras: return [.learningRate(1e-3), .beta1(0.9), .beta2(0.999), .epsilon(1e-7), decay]
        case .pytorch: return [.learningRate(2e-3), .beta1(0.9), .beta2(0.999), .epsilon(1e-8), decay]
        }
    }

    public init(convention: Convention, values: HyperparameterValues) {
        self.convention = convention
        learningRate = values["lr"]
        beta1 = values["beta_1"]
        beta2 = values["beta_2"]
        epsilon = values["epsilon"]
        momentumDecay = values["momentum_decay"]
    }

    /// μ_t = β₁·(1 − ½·0.96^(t·ψ)).
    public func momentumSchedule(step t: Int) -> Double {
        beta1 * (1 - 0.5 * pow(0.96, Double(t) * momentumDecay))
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func makeInstance<Scalar: OptimizerScalar>(parameterCount: Int) -> OptimizerInstance<Scalar> {
        let b2 = beta2
        let beta1 = Scalar(beta1), beta2 = Scalar(beta2), epsilon = Scalar(epsilon)
        var momentumProduct = 1.0  // Π_t
        let firstMoment = ScalarBuffer<Scalar>(count: parameterCount, value: 0)
        let secondMoment = ScalarBuffer<Scalar>(count: parameterCount, value: 0)
        return OptimizerInstance(parameterCount: parameterCount, learningRate: learningRate) { t, eta in
            // Per-step scalars in Double.
            let mu = momentumSchedule(step: t), muNext = momentumSchedule(step: t + 1)
            momentumProduct *= mu
            let momentumWeight = Scalar(muNext / (1 - momentumProduct * muNext))  // μ_{t+1}/(1 − Π_t·μ_{t+1})
            let gradientWeight = Scalar((1 - mu) / (1 - momentumProduct))         // (1 − μ_t)/(1 − Π_t)
            let secondCorrection = Scalar(1 - pow(b2, Double(t)))                 // 1 − β₂ᵗ
            let eta = Scalar(eta)
            let m = firstMoment.base, s = secondMoment.base
            return { theta, g, range in
                for i in range {
                    m[i] = beta1 * m[i] + (1 - beta1) * g[i]            // m ← β₁·m + (1−β₁)·g
                    s[i] = beta2 * s[i] + (1 - beta2) * g[i] * g[i]     // s ← β₂·s + (1−β₂)·g²
                    let mHat = momentumWeight * m[i] + gradientWeight * g[i]
                    let sHat = s[i] / secondCorrection
                    theta[i] -= eta * mHat / (sHat.root + epsilon)  // θ ← θ − η·m̂/(√ŝ + ε)
                }
            }
        }
    }
}

extension OptimizerKind {
    public static let nadam = OptimizerKind(Nadam.self)
}
