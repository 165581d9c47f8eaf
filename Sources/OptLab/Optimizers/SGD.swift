/// Plain (stochastic, mini-batch or full-batch) gradient descent.
///
/// The baseline every other optimizer is measured against: one step straight down
/// the current gradient, with no memory of earlier steps.
///
/// ```
/// θ ← θ − η·g
/// ```
///
/// | symbol | property       | Keras default | PyTorch default |
/// |--------|----------------|---------------|-----------------|
/// | η      | `learningRate` (`lr`) | 0.01   | 0.001           |
///
/// **Conventions.** Both frameworks use the same rule (`keras.optimizers.SGD` with
/// `momentum=0`, `torch.optim.SGD` with `momentum=0`); only the default η differs.
///
/// Reference: Robbins & Monro, 1951.
public struct SGD: Optimizer {
    public static let name = "sgd"
    /// Its colour in every figure (Okabe & Ito's palette).
    public static let color = "#000000"

    public static func referenceDescents(_ _: Convention) -> ReferenceDescents.Pair {
        ReferenceDescents.Pair(quadratic: (0.1, 200), rosenbrock: (1e-3, 30_000))
    }
    public let convention: Convention
    public let learningRate: Double

    public static func hyperparameters(for convention: Convention) -> [Hyperparameter] {
        [.learningRate(convention == .keras ? 0.01 : 1e-3)]
    }

    public init(convention: Convention, values: HyperparameterValues) {
        self.convention = convention
        learningRate = values["lr"]
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func makeInstance<Scalar: OptimizerScalar>(parameterCount: Int) -> OptimizerInstance<Scalar> {
        OptimizerInstance(parameterCount: parameterCount, learningRate: learningRate) { _, lr in
            let eta = Scalar(lr)
            return { theta, g, range in
                for i in range {
                    theta[i] -= eta * g[i]  // θ ← θ − η·g
                }
            }
        }
    }
}

extension OptimizerKind {
    public static let sgd = OptimizerKind(SGD.self)
}
