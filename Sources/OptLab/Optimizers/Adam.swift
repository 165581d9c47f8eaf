import Foundation

/// Adam: momentum on the gradient (first moment) and RMSprop scaling (second moment),
/// both bias-corrected for their zero start.
///
/// ```
/// m ← β₁·m + (1 − β₁)·g
/// s ← β₂·s + (1 − β₂)·g²
/// α_t = η·√(1 − β₂ᵗ) / (1 − β₁ᵗ)
/// θ ← θ − α_t·m / (√s + ε̂)
/// ```
/// Keras: ε̂ = ε. PyTorch: ε̂ = ε·√(1 − β₂ᵗ), which is the textbook form
/// `θ ← θ − η·m̂/(√ŝ + ε)` with m̂ = m/(1 − β₁ᵗ), ŝ = s/(1 − β₂ᵗ).
///
/// | symbol | property | name | Keras default | PyTorch default |
/// |--------|----------|------|---------------|-----------------|
/// | η | `learningRate` | `lr` | 0.001 | 0.001 |
/// | β₁ | `beta1` | `beta_1` | 0.9 | 0.9 |
/// | β₂ | `beta2` | `beta_2` | 0.999 | 0.999 |
/// | ε | `epsilon` | `epsilon` | 1e-7 | 1e-8 |
///
/// | – | `amsgrad` | `amsgrad` | false | false |
///
/// State: `firstMoment` (m), `secondMoment` (s), both starting at zero, and the step t.
///
/// **AMSGrad** (Reddi, Kale & Kumar, 2018; `amsgrad=True` in both frameworks): the update
/// divides by the running maximum ŝ ← max(ŝ, s) instead of s, both frameworks placing it
/// where s stood in their own rule (so ε̂ differs as above).
///
/// **Conventions.** `keras.optimizers.Adam` applies ε to the uncorrected √s (the "ε̂"
/// of the paper's section 2 footnote); `torch.optim.Adam` adds ε after both bias
/// corrections. The two differ most in the first steps, when 1 − β₂ᵗ is small, and
/// wherever gradients are of the order of ε.
///
/// Reference: Kingma & Ba, 2015.
public struct Adam: Optimizer {
    public static let name = "adam"
    /// Its colour in every figure (Okabe & Ito's palette).
    public static let color = "#D55E00"

    public static func referenceDescents(_ _: Convention) -> ReferenceDescents.Pair {
        ReferenceDescents.Pair(quadratic: (0.1, 1000), rosenbrock: (0.01, 10_000))
    }
    public let convention: Convention
    public let learningRate: Double
    public let beta1: Double
    public let beta2: Double
    public let epsilon: Double
    public let amsgrad: Bool

    public static func hyperparameters(for convention: Convention) -> [Hyperparameter] {
        switch convention {
        case .keras: [.learningRate(1e-3), .beta1(0.9), .beta2(0.999), .epsilon(1e-7), .amsgrad]
        case .pytorch: [.learningRate(1e-3), .beta1(0.9), .beta2(0.999), .epsilon(1e-8), .amsgrad]
        }
    }

    public init(convention: Convention, values: HyperparameterValues) {
        self.convention = convention
        learningRate = values["lr"]
        beta1 = values["beta_1"]
        beta2 = values["beta_2"]
        epsilon = values["epsilon"]
        amsgrad = values["amsgrad"] == 1
    }

    public func makeInstance<Scalar: OptimizerScalar>(parameterCount: Int) -> OptimizerInstance<Scalar> {
        Self.instance(eta: learningRate, b1: beta1, b2: beta2, eps: epsilon, amsgrad: amsgrad, convention: convention, parameterCount: parameterCount)
    }

    /// Adam's update (AdamW's too, after its decay).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    static func instance<Scalar: OptimizerScalar>(eta: Double, b1: Double, b2: Double, eps: Double, amsgrad: Bool,
                                                  convention: Convention, parameterCount: Int) -> OptimizerInstance<Scalar> {
        let firstMoment = ScalarBuffer<Scalar>(count: parameterCount, value: 0)
        let secondMoment = ScalarBuffer<Scalar>(count: parameterCount, value: 0)
        let maximum = ScalarBuffer<Scalar>(count: amsgrad ? parameterCount : 0, value: 0)
        return OptimizerInstance(parameterCount: parameterCount, learningRate: eta) { t, eta in
            // Per-step scalars in Double: α_t and ε̂.
            let correction2 = (1 - pow(b2, Double(t))).squareRoot()
            let alpha = Scalar(eta * correction2 / (1 - pow(b1, Double(t))))
            let epsilonHat = Scalar(convention == .keras ? eps : eps * correction2)
            let beta1 = Scalar(b1), beta2 = Scalar(b2)
            let m = firstMoment.base, s = secondMoment.base, sMax = maximum.base
            if amsgrad {
                return { theta, g, range in
                    for i in range {
                        m[i] = beta1 * m[i] + (1 - beta1) * g[i]
                        s[i] = beta2 * s[i] + (1 - beta2) * g[i] * g[i]
                        sMax[i] = max(sMax[i], s[i])                            // ŝ ← max(ŝ, s)
                        theta[i] -= alpha * m[i] / (sMax[i].root + epsilonHat)   // θ ← θ − α_t·m/(√ŝ + ε̂)
                    }
                }
            }
            return { theta, g, range in
                for i in range {
                    m[i] = beta1 * m[i] + (1 - beta1) * g[i]            // m ← β₁·m + (1−β₁)·g
                    s[i] = beta2 * s[i] + (1 - beta2) * g[i] * g[i]     // s ← β₂·s + (1−β₂)·g²
                    theta[i] -= alpha * m[i] / (s[i].root + epsilonHat)  // θ ← θ − α_t·m/(√s + ε̂)
                }
            }
        }
    }
}

extension OptimizerKind {
    public static let adam = OptimizerKind(Adam.self)
}
