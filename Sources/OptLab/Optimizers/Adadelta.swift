/// Adadelta: RMSprop whose step size comes from a moving average of past updates.
///
/// The ratio of two running RMS values gives each parameter a step in the units of
/// the parameter itself, so the method needs little tuning of η (PyTorch uses 1).
///
/// ```
/// s ← ρ·s + (1 − ρ)·g²
/// Δ ← √(u + ε) / √(s + ε) · g
/// u ← ρ·u + (1 − ρ)·Δ²
/// θ ← θ − η·Δ
/// ```
///
/// | symbol | property | name | Keras default | PyTorch default |
/// |--------|----------|------|---------------|-----------------|
/// | η | `learningRate` | `lr` | 0.001 | 1.0 |
/// | ρ | `rho` | `rho` | 0.95 | 0.9 |
/// | ε | `epsilon` | `epsilon` | 1e-7 | 1e-6 |
///
/// State: `squaredGradientAverage` (s) and `squaredUpdateAverage` (u), starting at zero.
///
/// **Conventions.** `keras.optimizers.Adadelta` and `torch.optim.Adadelta` share the
/// rule (ε inside both roots); only the defaults differ. Keras's η = 0.001 makes the
/// method very slow; Zeiler's paper uses no η at all (η = 1, as PyTorch).
///
/// Reference: Zeiler, 2012.
public struct Adadelta: Optimizer {
    public static let name = "adadelta"
    /// Its colour in every figure (Okabe & Ito's palette).
    public static let color = "#0072B2"

    /// Adadelta creeps along Rosenbrock's valley; PyTorch's ε = 1e-6 needs a smaller η to settle.
    public static func referenceDescents(_ convention: Convention) -> ReferenceDescents.Pair {
        ReferenceDescents.Pair(quadratic: (0.1, 40_000), rosenbrock: (convention == .keras ? 0.01 : 3e-3, 100_000))
    }
    public let convention: Convention
    public let learningRate: Double
    public let rho: Double
    public let epsilon: Double

    public static func hyperparameters(for convention: Convention) -> [Hyperparameter] {
        switch convention {
        case .keras: [.learningRate(1e-3), .rho(0.95), .epsilon(1e-7)]
        case .pytorch: [.learningRate(1.0), .rho(0.9), .epsilon(1e-6)]
        }
    }

    public init(convention: Convention, values: HyperparameterValues) {
        self.convention = convention
        learningRate = values["lr"]
        rho = values["rho"]
        epsilon = values["epsilon"]
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func makeInstance<Scalar: OptimizerScalar>(parameterCount: Int) -> OptimizerInstance<Scalar> {
        let rho = Scalar(rho), epsilon = Scalar(epsilon)
        let squaredGradientAverage = ScalarBuffer<Scalar>(count: parameterCount, value: 0)
        let squaredUpdateAverage = ScalarBuffer<Scalar>(count: parameterCount, value: 0)
        return OptimizerInstance(parameterCount: parameterCount, learningRate: learningRate) { _, lr in
            let s = squaredGradientAverage.base, u = squaredUpdateAverage.base, eta = Scalar(lr)
            return { theta, g, range in
                for i in range {
                    s[i] = rho * s[i] + (1 - rho) * g[i] * g[i]                             // s ← ρ·s + (1−ρ)·g²
                    let delta = (u[i] + epsilon).root / (s[i] + epsilon).root * g[i]
                    u[i] = rho * u[i] + (1 - rho) * delta * delta                           // u ← ρ·u + (1−ρ)·Δ²
                    theta[i] -= eta * delta                                                 // θ ← θ − η·Δ
                }
            }
        }
    }
}

extension OptimizerKind {
    public static let adadelta = OptimizerKind(Adadelta.self)
}
