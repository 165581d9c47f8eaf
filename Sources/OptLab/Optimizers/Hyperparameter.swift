/// A named, documented hyperparameter with its default and allowed range.
public struct Hyperparameter: Sendable, Equatable {
    /// Which values are allowed.
    public enum Domain: Sendable, Equatable {
        /// 0 ≤ x (learning rates, initial accumulators).
        case nonNegative
        /// 0 < x (ε).
        case positive
        /// 0 ≤ x < 1 (decay rates ρ, β, momentum μ).
        case unitInterval
        /// A switch: 0 (false) or 1 (true), written `true`/`false` in suites and on the
        /// command line (AMSGrad's running maximum, decay of biases).
        case flag

        public func contains(_ value: Double) -> Bool {
            guard value.isFinite else { return false }
            switch self {
            case .nonNegative: return value >= 0
            case .positive: return value > 0
            case .unitInterval: return value >= 0 && value < 1
            case .flag: return value == 0 || value == 1
            }
        }

        public var summary: String {
            switch self {
            case .nonNegative: "a finite number ≥ 0"
            case .positive: "a finite number > 0"
            case .unitInterval: "a number in [0, 1)"
            case .flag: "true or false"
            }
        }
    }

    /// Name in the command line, YAML and CSV (`lr`, `beta_1`, ...).
    public let name: String
    /// Symbol in the update rule (`η`, `β₁`, ...).
    public let symbol: String
    public let defaultValue: Double
    public let domain: Domain
    public let summary: String

    public init(_ name: String, _ symbol: String, _ defaultValue: Double, _ domain: Domain, _ summary: String) {
        self.name = name
        self.symbol = symbol
        self.defaultValue = defaultValue
        self.domain = domain
        self.summary = summary
    }

    public static func learningRate(_ value: Double) -> Hyperparameter {
        Hyperparameter("lr", "η", value, .nonNegative, "learning rate")
    }

    public static func epsilon(_ value: Double) -> Hyperparameter {
        Hyperparameter("epsilon", "ε", value, .positive, "numerical-stability constant")
    }

    /// The value of a hyperparameter as written by a user: a number, or for a switch
    /// `true`/`false` (1 and 0 are accepted too). Nil when it is neither.
    public static func parseValue(_ text: String, flag: Bool) -> Double? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if flag {
            switch trimmed.lowercased() {
            case "true": return 1
            case "false": return 0
            default: break
            }
        }
        return Double(trimmed)
    }

    /// Whether `name` is a switch in any optimizer (so that `true`/`false` are read for it).
    public static func isFlag(_ name: String) -> Bool {
        OptimizerKind.allCases.contains { kind in
            Convention.allCases.contains { kind.type.hyperparameters(for: $0).contains { $0.name == name && $0.domain == .flag } }
        }
    }
}

/// A complete set of hyperparameter values, by name. Built by ``OptimizerSpec/make()``,
/// which guarantees every name the optimizer declares is present and in range.
public struct HyperparameterValues: Sendable, Equatable {
    public private(set) var values: [String: Double]

    public init(_ values: [String: Double]) { self.values = values }

    public subscript(name: String) -> Double {
        guard let value = values[name] else {
            preconditionFailure("hyperparameter '\(name)' missing; build values through OptimizerSpec")
        }
        return value
    }

    /// The defaults of `kind` under `convention`, with `overrides` applied.
    public static func defaults(_ kind: OptimizerKind, _ convention: Convention) -> HyperparameterValues {
        var values: [String: Double] = [:]
        for parameter in kind.type.hyperparameters(for: convention) {
            values[parameter.name] = parameter.defaultValue
        }
        return HyperparameterValues(values)
    }
}

/// What the user asked for: an optimizer kind, a convention, and the values that differ
/// from that convention's defaults. Validated before any step is taken.
public struct OptimizerSpec: Hashable, Sendable, Codable {
    public var kind: OptimizerKind
    public var convention: Convention
    /// Overridden hyperparameters by name (`lr` included).
    public var overrides: [String: Double]
    /// The learning-rate schedule (nil: constant).
    public var schedule: LearningRateSchedule?

    public init(kind: OptimizerKind, convention: Convention = .keras, overrides: [String: Double] = [:], schedule: LearningRateSchedule? = nil) {
        self.kind = kind
        self.convention = convention
        self.overrides = overrides
        self.schedule = schedule?.kind == .constant ? nil : schedule
    }

    /// A fresh optimizer state with the schedule attached.
    public func makeInstance<Scalar: OptimizerScalar>(parameterCount: Int) throws -> OptimizerInstance<Scalar> {
        let instance: OptimizerInstance<Scalar> = try make().makeInstance(parameterCount: parameterCount)
        try schedule?.check(for: convention)
        instance.follow(schedule, convention: convention)
        return instance
    }

    /// The full, checked set of values: defaults with the overrides applied.
    public func resolvedValues() throws -> HyperparameterValues {
        let declared = kind.type.hyperparameters(for: convention)
        let names = declared.map(\.name)
        var values = HyperparameterValues.defaults(kind, convention).values
        for (name, value) in overrides.sorted(by: { $0.key < $1.key }) {
            guard let parameter = declared.first(where: { $0.name == name }) else {
                var message = "\(kind.rawValue) has no hyperparameter '\(name)'"
                if let suggestion = NearestName.match(name, in: names) {
                    message += "; did you mean '\(suggestion)'?"
                }
                throw InputError(message + " (valid: \(names.joined(separator: ", ")))")
            }
            guard parameter.domain.contains(value) else {
                throw InputError("\(kind.rawValue): \(name) = \(value) is invalid; expected \(parameter.domain.summary)")
            }
            values[name] = value
        }
        return HyperparameterValues(values)
    }

    /// The configured optimizer, or an ``InputError`` naming the bad value.
    public func make() throws -> any Optimizer {
        kind.type.init(convention: convention, values: try resolvedValues())
    }
}
