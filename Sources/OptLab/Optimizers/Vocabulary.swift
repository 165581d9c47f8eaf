/// The vocabulary the optimizers share: hyperparameters that several of them take (named
/// as Keras names them) and the two places where the frameworks part for many rules (where
/// ε sits, where η multiplies a velocity). An optimizer's own file holds its rule, its
/// defaults in each convention, its colour and its reference descents.

extension Hyperparameter {
    static func initialAccumulator(_ value: Double) -> Hyperparameter {
        Hyperparameter("initial_accumulator_value", "s₀", value, .nonNegative, "starting value of the squared-gradient sum")
    }

    static let amsgrad = Hyperparameter("amsgrad", "–", 0, .flag, "divide by the running maximum of the second moment (AMSGrad)")

    static func beta1(_ value: Double) -> Hyperparameter {
        Hyperparameter("beta_1", "β₁", value, .unitInterval, "decay of the first-moment (gradient) average")
    }

    static func beta2(_ value: Double) -> Hyperparameter {
        Hyperparameter("beta_2", "β₂", value, .unitInterval, "decay of the second-moment (squared-gradient) average")
    }

    static func weightDecay(_ value: Double) -> Hyperparameter {
        Hyperparameter("weight_decay", "λ", value, .nonNegative, "decoupled weight decay: θ shrinks by η·λ·θ before each step")
    }

    static let decayBias = Hyperparameter("decay_bias", "–", 0, .flag, "on networks, decay the biases too (by default only the weights)")

    static func momentum(_ value: Double) -> Hyperparameter {
        Hyperparameter("momentum", "μ", value, .unitInterval, "momentum (velocity decay)")
    }

    static func rho(_ value: Double) -> Hyperparameter {
        Hyperparameter("rho", "ρ", value, .unitInterval, "decay of the squared-gradient average")
    }
}

/// Keras puts ε inside the square root of the denominator, PyTorch adds it outside:
/// the denominator is `√(s + ε_in) + ε_out` with (ε_in, ε_out) = (ε, 0) or (0, ε).
func epsilonPlacement<Scalar: OptimizerScalar>(_ epsilon: Scalar, convention: Convention) -> (inside: Scalar, outside: Scalar) {
    switch convention {
    case .keras: (epsilon, 0)
    case .pytorch: (0, epsilon)
    }
}

/// The two scalings of a velocity update `v ← μ·v + a·g; θ ← θ + c·(…)`: Keras folds
/// η into the velocity (a = −η, c = 1), PyTorch applies it when stepping (a = 1, c = −η).
func velocityScales<Scalar: OptimizerScalar>(learningRate eta: Scalar, convention: Convention) -> (a: Scalar, c: Scalar) {
    switch convention {
    case .keras: (-eta, 1)
    case .pytorch: (1, -eta)
    }
}
