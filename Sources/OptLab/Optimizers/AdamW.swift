import Foundation

/// AdamW: Adam with decoupled weight decay. Each step first shrinks the parameters
/// towards zero by the factor η·λ, then takes Adam's step from the gradient (computed at
/// the parameters before the decay), so the decay is not rescaled by the second moment
/// as an L2 term in the gradient would be.
///
/// ```
/// θ ← θ − η·λ·θ
/// then Adam's update of θ (see ``Adam``), AMSGrad's maximum included when asked
/// ```
///
/// | symbol | property | name | Keras default | PyTorch default |
/// |--------|----------|------|---------------|-----------------|
/// | η | `learningRate` | `lr` | 0.001 | 0.001 |
/// | β₁ | `beta1` | `beta_1` | 0.9 | 0.9 |
/// | β₂ | `beta2` | `beta_2` | 0.999 | 0.999 |
/// | ε | `epsilon` | `epsilon` | 1e-7 | 1e-8 |
/// | λ | `weightDecay` | `weight_decay` | 0.004 | 0.01 |
/// | – | `amsgrad` | `amsgrad` | false | false |
/// | – | `decayBias` | `decay_bias` | false | false |
///
/// **Conventions.** `keras.optimizers.AdamW` subtracts θ·λ·η; `torch.optim.AdamW`
/// multiplies θ by 1 − η·λ (the same up to rounding). Adam's part differs as in ``Adam``
/// (where ε sits). Both frameworks decay whatever parameters they are given; on a network
/// OptLab decays the weights and leaves the biases alone, the usual practice, unless
/// `decay_bias` is true. On a 2D surface both coordinates decay.
///
/// Reference: Loshchilov & Hutter, 2019.
public struct AdamW: Optimizer {
    public static let name = "adamw"
    /// Its colour in every figure (Paul Tol's muted scheme).
    public static let color = "#882255"

    /// Decay pulls towards the origin: on the quadratic (minimum at the origin) it helps; on Rosenbrock (minimum (1, 1)) it moves the fixed point (0.023 away with PyTorch's λ = 0.01), so λ = 1e-3 there.
    public static func referenceDescents(_ _: Convention) -> ReferenceDescents.Pair {
        ReferenceDescents.Pair(quadratic: (0.1, 1000), rosenbrock: (0.01, 10_000, ["weight_decay": 1e-3]))
    }
    public let convention: Convention
    public let learningRate: Double
    public let beta1: Double
    public let beta2: Double
    public let epsilon: Double
    public let weightDecay: Double
    public let amsgrad: Bool
    public let decayBias: Bool

    public static func hyperparameters(for convention: Convention) -> [Hyperparameter] {
        switch convention {
        case .keras: [.learningRate(1e-3), .beta1(0.9), .beta2(0.999), .epsilon(1e-7), .weightDecay(0.004), .amsgrad, .decayBias]
        case .pytorch: [.learningRate(1e-3), .beta1(0.9), .beta2(0.999), .epsilon(1e-8), .weightDecay(0.01), .amsgrad, .decayBias]
        }
    }

    public init(convention: Convention, values: HyperparameterValues) {
        self.convention = convention
        learningRate = values["lr"]
        beta1 = values["beta_1"]
        beta2 = values["beta_2"]
        epsilon = values["epsilon"]
        weightDecay = values["weight_decay"]
        amsgrad = values["amsgrad"] == 1
        decayBias = values["decay_bias"] == 1
    }

    public func makeInstance<Scalar: OptimizerScalar>(parameterCount: Int) -> OptimizerInstance<Scalar> {
        let instance: OptimizerInstance<Scalar> = Adam.instance(
            eta: learningRate, b1: beta1, b2: beta2, eps: epsilon, amsgrad: amsgrad, convention: convention, parameterCount: parameterCount)
        instance.decoupledDecay = weightDecay
        instance.decayConvention = convention
        return instance
    }
}

extension OptimizerKind {
    public static let adamw = OptimizerKind(AdamW.self)
}
