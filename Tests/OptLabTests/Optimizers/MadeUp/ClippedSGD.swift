import OptLab

/// A made-up optimizer that exists only in the tests, to show what adding one takes: this
/// file and one registry entry (see `RegistryTests`). Gradient descent on each coordinate's
/// gradient clipped to [−c, c]:
///
/// ```
/// θ ← θ − η·clip(g, −c, c)
/// ```
///
/// No framework has it; both conventions share the defaults η = 0.1, c = 1.
struct ClippedSGD: Optimizer {
    static let name = "clipsgd"
    static let color = "#AA4499"
    static var onlyFramework: Convention? { .keras }

    /// Quadratic: |x| needs ~80 clipped steps to fall below 1, then shrinks by 0.9 a step.
    static func referenceDescents(_ _: Convention) -> ReferenceDescents.Pair {
        ReferenceDescents.Pair(quadratic: (0.1, 400), rosenbrock: (1e-3, 30_000))
    }

    let convention: Convention
    let learningRate: Double
    let clip: Double

    static func hyperparameters(for convention: Convention) -> [Hyperparameter] {
        [.learningRate(0.1),
         Hyperparameter("clip", "c", 1, .positive, "largest step per coordinate before η")]
    }

    init(convention: Convention, values: HyperparameterValues) {
        self.convention = convention
        learningRate = values["lr"]
        clip = values["clip"]
    }

    func makeInstance<Scalar: OptimizerScalar>(parameterCount: Int) -> OptimizerInstance<Scalar> {
        let c = Scalar(clip)
        return OptimizerInstance(parameterCount: parameterCount, learningRate: learningRate) { _, lr in
            let eta = Scalar(lr)
            return { theta, g, range in
                for i in range { theta[i] -= eta * min(max(g[i], -c), c) }
            }
        }
    }
}
