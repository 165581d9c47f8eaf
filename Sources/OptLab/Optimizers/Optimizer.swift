import CMath

/// Scalars an optimizer can update: `Double` for 2D surfaces, `Float` for networks.
public protocol OptimizerScalar: BinaryFloatingPoint, Sendable {
    /// √self, IEEE-exact like `squareRoot()`, but free of errno handling so that loops
    /// using it vectorize.
    var root: Self { get }
}

extension Float: OptimizerScalar {
    @inlinable public var root: Float { optlab_sqrtf(self) }
}

extension Double: OptimizerScalar {
    @inlinable public var root: Double { optlab_sqrt(self) }
}

/// An optimizer's identity: the name used everywhere (command line, YAML suites, CSV
/// columns) and the type that implements it. Two kinds are equal when their names are.
///
/// The kinds that exist are those of ``OptimizerRegistry``; each built-in optimizer's
/// file also names its kind as a constant (`OptimizerKind.adam`).
public struct OptimizerKind: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The implementing type.
    public let type: any Optimizer.Type

    public init(_ type: any Optimizer.Type) { self.type = type }

    /// The registered optimizer called `rawValue`, if any.
    public init?(rawValue: String) {
        guard let type = OptimizerRegistry.registered.first(where: { $0.name == rawValue }) else { return nil }
        self.type = type
    }

    /// The name (lower case).
    public var rawValue: String { type.name }
    public var description: String { type.name }

    /// The registered optimizers, in the registry's order.
    public static var allCases: [OptimizerKind] { OptimizerRegistry.registered.map(OptimizerKind.init) }

    public static func == (a: OptimizerKind, b: OptimizerKind) -> Bool { a.rawValue == b.rawValue }
    public func hash(into hasher: inout Hasher) { hasher.combine(rawValue) }

    public init(from decoder: any Decoder) throws {
        let name = try decoder.singleValueContainer().decode(String.self)
        guard let kind = OptimizerKind(rawValue: name) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "no optimizer called \(name)"))
        }
        self = kind
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    /// Parses a user-supplied name, suggesting the nearest valid one on a typo.
    public static func parse(_ name: String) throws -> OptimizerKind {
        if let kind = OptimizerKind(rawValue: name.lowercased()) { return kind }
        throw InputError(NearestName.unknownMessage(
            kind: "optimizer", name: name, valid: allCases.map(\.rawValue)))
    }
}

/// Whose update rules and defaults an optimizer follows.
///
/// The two frameworks agree on the algorithms but not always on the details: where ε
/// sits (inside or outside a square root, before or after bias correction), whether
/// the learning rate multiplies the velocity or the gradient, and the defaults.
public enum Convention: String, CaseIterable, Sendable, Codable {
    /// `keras.optimizers` in Keras 3 (the default).
    case keras
    /// `torch.optim` in PyTorch 2.x.
    case pytorch

    public static func parse(_ name: String) throws -> Convention {
        if let convention = Convention(rawValue: name.lowercased()) { return convention }
        throw InputError(NearestName.unknownMessage(
            kind: "convention", name: name, valid: allCases.map(\.rawValue)))
    }
}

/// A gradient-descent algorithm with its hyperparameters.
///
/// The type holds plain hyperparameter values only; the per-run state (velocity,
/// moments, step count) lives in the ``OptimizerInstance`` made by
/// ``makeInstance(parameterCount:)``, so one configured optimizer can start any
/// number of independent runs.
public protocol Optimizer: Sendable {
    /// Its name on the command line, in suites and in CSV columns: lower case, unique in
    /// ``OptimizerRegistry``.
    static var name: String { get }

    /// The hyperparameters this optimizer accepts, with their defaults under `convention`.
    static func hyperparameters(for convention: Convention) -> [Hyperparameter]

    /// Builds the optimizer from a complete, validated set of values
    /// (see ``OptimizerSpec/make()``, which fills defaults and checks ranges).
    init(convention: Convention, values: HyperparameterValues)

    /// The convention whose rule the update follows.
    var convention: Convention { get }

    /// The learning rate η.
    var learningRate: Double { get }

    /// Its colour in every figure (`#RRGGBB`, colour-blind-safe, distinct from the others').
    static var color: String { get }

    /// Settings with which it reaches the minimum of the quadratic bowl (within 1e-3) and of
    /// Rosenbrock (within 1e-2) under `convention`: the convergence tests assert them and
    /// `optlab demo` draws them.
    static func referenceDescents(_ convention: Convention) -> ReferenceDescents.Pair

    /// The one framework that has this optimizer, when only one does: both conventions
    /// then follow it (`optlab list optimizers` says so). Nil when both have it.
    static var onlyFramework: Convention? { get }

    /// Fresh state for a run over `parameterCount` parameters, bound to this optimizer.
    func makeInstance<Scalar: OptimizerScalar>(parameterCount: Int) -> OptimizerInstance<Scalar>
}

extension Optimizer {
    public static var onlyFramework: Convention? { nil }
    public static var kind: OptimizerKind { OptimizerKind(self) }
}

/// One run's optimizer: the hyperparameters plus the state they update.
///
/// `step` updates a flat parameter buffer in place from a gradient buffer of the
/// same length, exactly as the owning ``Optimizer`` documents. Every rule is element-wise,
/// so a step can be split into ranges of parameters updated by different threads; the
/// per-step scalars (bias corrections, schedules) are computed once per step, before the
/// ranges are handed out.
public final class OptimizerInstance<Scalar: OptimizerScalar> {
    /// Updates the parameters in `range` from the gradient (same indices).
    public typealias RangeUpdate = (UnsafeMutableBufferPointer<Scalar>, UnsafeBufferPointer<Scalar>, Range<Int>) -> Void

    public let parameterCount: Int
    /// Number of completed steps (t after the last step).
    public private(set) var stepCount = 0
    private let prepare: (Int, Double) -> RangeUpdate
    /// The optimizer's `lr`, which the schedule scales.
    public let baseLearningRate: Double
    /// The schedule and the convention whose formulas it follows; per-epoch schedules read
    /// ``epoch``, which the trainer advances (a surface descent counts each step as one).
    public var schedule = LearningRateSchedule.constant
    public var scheduleConvention = Convention.keras
    /// Completed epochs (0 during the first).
    public var epoch = 0
    /// The rate the last step used (the base rate before any step).
    public private(set) var currentLearningRate: Double

    /// Decoupled weight decay λ (AdamW), set by the optimizer: before each update every
    /// parameter outside ``decayExcluded`` shrinks by the factor η_t·λ, as Keras
    /// (`θ ← θ − θ·λ·η`) or PyTorch (`θ ← θ·(1 − η·λ)`) writes it. Zero: no decay.
    public var decoupledDecay = 0.0
    public var decayConvention = Convention.keras
    /// Parameters the decay leaves alone (a network's biases, unless asked otherwise); kept
    /// sorted by start.
    public var decayExcluded: [Range<Int>] = [] {
        didSet { decayExcluded.sort { $0.lowerBound < $1.lowerBound } }
    }

    /// `prepare` receives the 1-based step number t and the learning rate of that step,
    /// advances any per-step state, and returns the element-wise update for that step.
    public init(parameterCount: Int, learningRate: Double, prepare: @escaping (Int, Double) -> RangeUpdate) {
        self.parameterCount = parameterCount
        self.baseLearningRate = learningRate
        self.currentLearningRate = learningRate
        self.prepare = prepare
    }

    private var plateau: PlateauState?

    /// Follows `schedule` (nil: a constant rate) by `convention`'s formulas.
    public func follow(_ schedule: LearningRateSchedule?, convention: Convention) {
        self.schedule = schedule ?? .constant
        scheduleConvention = convention
    }

    /// The metric a `plateau` schedule watches, at the end of an epoch (a surface descent:
    /// the loss after each step); other schedules ignore it.
    public func observe(_ metric: Double) {
        guard schedule.kind == .plateau else { return }
        var state = plateau ?? PlateauState(rate: baseLearningRate)
        state.observe(metric, schedule: schedule, convention: scheduleConvention)
        plateau = state
    }

    /// The rate step t (1-based) uses: the schedule at unit t − 1 or at the current epoch.
    public func learningRate(forStep t: Int) -> Double {
        guard schedule.kind != .constant else { return baseLearningRate }
        if schedule.kind == .plateau { return plateau?.rate ?? baseLearningRate }
        let unit = schedule.unit == .step ? t - 1 : epoch
        return schedule.rate(unit, base: baseLearningRate, convention: scheduleConvention)
    }

    /// One update of `parameters` from `gradient`, split between the team's threads
    /// when there are enough parameters to be worth it (the result does not depend on
    /// the split).
    public func step(_ parameters: UnsafeMutableBufferPointer<Scalar>, gradient: UnsafeBufferPointer<Scalar>,
                     team: ThreadTeam = .serial) {
        precondition(parameters.count == parameterCount && gradient.count == parameterCount,
                     "optimizer made for \(parameterCount) parameters got \(parameters.count) and \(gradient.count) gradients")
        let update = beginStep()
        team.forEachChunk(parameterCount, granularity: 64, minimumCount: 32_768) { range in
            update(parameters, gradient, range)
        }
    }

    /// Starts the next step (advancing the step count and the rate) and returns its
    /// update of one range of parameters: the decoupled decay, then the rule. The step is
    /// done once every parameter has been updated exactly once, in ranges of any size, in
    /// any order and from any threads; each element gets the same operations as in
    /// ``step(_:gradient:team:)``, so the numbers are the same.
    public func beginStep() -> RangeUpdate {
        stepCount += 1
        let eta = learningRate(forStep: stepCount)
        currentLearningRate = eta
        let update = prepare(stepCount, eta)
        guard decoupledDecay != 0 else { return update }
        let (keras, rate, excluded) = (decayConvention == .keras, eta * decoupledDecay, decayExcluded)
        return { parameters, gradient, range in
            Self.decay(parameters, range: range, excluding: excluded, keras: keras, rate: rate)
            update(parameters, gradient, range)
        }
    }

    /// Shrinks the parameters of `range` outside `excluded` (sorted) by the factor `rate`
    /// (η_t·λ), as Keras (`θ ← θ − θ·λη`) or PyTorch (`θ ← θ·(1 − ηλ)`) writes it.
    private static func decay(_ parameters: UnsafeMutableBufferPointer<Scalar>, range: Range<Int>,
                              excluding excluded: [Range<Int>], keras: Bool, rate: Double) {
        let shrink = Scalar(rate), factor = Scalar(1 - rate)
        var start = range.lowerBound
        for gap in excluded + [range.upperBound..<range.upperBound] where gap.upperBound > start {
            let end = min(gap.lowerBound, range.upperBound)
            if end > start {
                if keras {
                    for i in start..<end { parameters[i] -= parameters[i] * shrink }
                } else {
                    for i in start..<end { parameters[i] *= factor }
                }
            }
            start = max(start, gap.upperBound)
            if start >= range.upperBound { break }
        }
    }

    /// Convenience for arrays (surfaces, tests).
    public func step(_ parameters: inout [Scalar], gradient: [Scalar]) {
        parameters.withUnsafeMutableBufferPointer { p in
            gradient.withUnsafeBufferPointer { g in step(p, gradient: g) }
        }
    }
}
