import Yams

/// A value a grid can sweep: a number, a list of layer widths, or a name (activation).
public enum GridValue: Hashable, Sendable, CustomStringConvertible {
    case number(Double)
    case layers([Int])
    case text(String)

    public var description: String {
        switch self {
        case .number(let value): CSV.number(value)
        case .layers(let widths): widths.map(String.init).joined(separator: "-")
        case .text(let text): text
        }
    }

    public var number: Double? { if case .number(let value) = self { value } else { nil } }
}

/// An experiment suite: optimizers × grid × problems × repeats (see docs/suites.md).
public struct Suite: Sendable {
    public struct OptimizerEntry: Sendable {
        public var kind: OptimizerKind
        public var convention: Convention
        /// Fixed hyperparameters (not swept).
        public var fixed: [String: Double]
        /// Grid of this optimizer only, merged over the suite's grid.
        public var grid: [String: [GridValue]]
        /// Where the entry stands in the suite file (for messages).
        public var location: Location?
        /// The ends of each grid key given as a log range (random search draws between them).
        public var ranges: [String: ClosedRange<Double>]
        /// A fixed learning-rate schedule (a list of them is a `schedule` grid axis instead).
        public var schedule: LearningRateSchedule?

        public init(kind: OptimizerKind, convention: Convention, fixed: [String: Double], grid: [String: [GridValue]],
                    location: Location? = nil, ranges: [String: ClosedRange<Double>] = [:], schedule: LearningRateSchedule? = nil) {
            self.schedule = schedule
            self.kind = kind
            self.convention = convention
            self.fixed = fixed
            self.grid = grid
            self.location = location
            self.ranges = ranges
        }
    }

    /// A line and column in the suite file.
    public struct Location: Sendable, Hashable, CustomStringConvertible {
        public var line: Int
        public var column: Int
        public var description: String { "line \(line), column \(column)" }
        init?(_ node: Node) {
            guard let mark = node.mark else { return nil }
            line = mark.line
            column = mark.column
        }
    }

    public struct Target: Sendable, Hashable {
        /// `val_acc`, `train_acc`, `test_acc` (reached when ≥), `val_loss`, `train_loss`
        /// (reached when ≤) for networks; `loss`, `distance` (≤) for surfaces.
        public var metric: String
        public var value: Double
        public var column: String { "to_\(metric)_\(CSV.number(value))" }
        public var higherIsBetter: Bool { metric.hasSuffix("acc") }
    }

    public struct NetworkProblem: Sendable {
        public var name: String
        public var dataset: DatasetName
        public var dataDirectory: String?
        public var validation: Int
        /// Use only the first N training (test) examples: quick suites and tests.
        public var trainLimit: Int?
        public var testLimit: Int?
        public var base: TrainingConfiguration
        public var targets: [Target]
        /// Line of the problem in the suite file (for messages).
        public var line: Int?
    }

    public struct SurfaceProblem: Sendable {
        public var name: String
        public var surface: Surface
        public var starts: [Point]
        /// Where each start point stands in the suite file (for messages).
        public var startLocations: [Location?]
        public var steps: Int
        /// Standard deviation of Gaussian noise added to each gradient component (0: none,
        /// the descent is deterministic).
        public var noise: Double
        /// Which steps trajectories.csv keeps (README, "Results that scale").
        public var record: RecordPolicy = .auto
        /// End each run at the step where the last target is first reached.
        public var stopAtTarget = false

        /// Whether a step reaches `target`: its loss, or its distance to the nearest minimum, at or below the level.
        public func reached(_ target: Target) -> @Sendable (Descent.Step) -> Bool {
            let surface = self.surface
            return { step in
                target.metric == "loss" ? step.loss <= target.value
                    : (surface.distanceToNearestMinimum(from: step.point) ?? .infinity) <= target.value
            }
        }
        public var targets: [Target]
        /// Line of the problem in the suite file (for messages).
        public var line: Int?
    }

    /// A test problem of the DeepOBS benchmark, as DeepOBS defines it (`quadratic_deep`).
    public struct DeepOBSProblem: Sendable {
        public var name: String
        public var problem: String
        public var epochs: Int
        public var batchSize: Int
        public var shuffle: ShuffleMode
        /// With `shuffle: tensorflow`: DeepOBS's `random_seed` of the first run (the tuning
        /// trials' and the first confirmation's); the next runs take the next seeds, as
        /// DeepOBS's confirmation seeds 42…51 follow its default 42.
        public var tfSeed: UInt64 = defaultTFSeed
        /// `test_loss` and `train_loss` (reached when ≤).
        public var targets: [Target]
        /// A CSV of DeepOBS's published runs to set beside these (copied into the results).
        public var baselines: String?
        public var line: Int?

        public static let problems = ["quadratic_deep"]
        public static let defaultTFSeed: UInt64 = 42

        /// DeepOBS's `random_seed` for a run: tuning trials (repeat 0) take `tfSeed`,
        /// confirmation repeat k (1…N) takes `tfSeed` + k − 1, and plain repeat r `tfSeed` + r.
        public func tensorflowSeed(repeatIndex: Int, phase: RunPhase?) -> UInt64 {
            tfSeed + UInt64(phase == .confirm ? max(repeatIndex - 1, 0) : repeatIndex)
        }
    }

    public enum Problem: Sendable {
        case network(NetworkProblem)
        case surface(SurfaceProblem)
        case deepobs(DeepOBSProblem)

        public var name: String {
            switch self {
            case .network(let p): p.name
            case .surface(let p): p.name
            case .deepobs(let p): p.name
            }
        }

        public var targets: [Target] {
            switch self {
            case .network(let p): p.targets
            case .surface(let p): p.targets
            case .deepobs(let p): p.targets
            }
        }

        public var line: Int? {
            switch self {
            case .network(let p): p.line
            case .surface(let p): p.line
            case .deepobs(let p): p.line
            }
        }

        /// The value of runs.csv's `type` column.
        public var typeName: String {
            switch self {
            case .network: "network"
            case .surface: "surface"
            case .deepobs: "deepobs"
            }
        }

        /// Everything in the problem's definition that changes a run's numbers (not its
        /// targets, which only read them): part of every run id, so two suites that differ
        /// in steps, epochs or data limits never share one.
        public var identity: String {
            switch self {
            case .surface(let p):
                return "surface=\(p.surface.name);steps=\(p.steps);noise=\(CSV.number(p.noise));starts="
                    + p.starts.map { "\(CSV.number($0.x)),\(CSV.number($0.y))" }.joined(separator: "/")
                    + (p.stopAtTarget ? ";stop_at_target=true" : "")
            case .deepobs(let p):
                return "deepobs=\(p.problem);epochs=\(p.epochs);batch_size=\(p.batchSize);shuffle=\(p.shuffle.rawValue)"
                    + (p.shuffle == .tensorflow ? ";tf_seed=\(p.tfSeed)" : "")
            case .network(let p):
                let c = p.base
                return "dataset=\(p.dataset.rawValue);validation=\(p.validation);train_limit=\(p.trainLimit.map(String.init) ?? "all")"
                    + ";test_limit=\(p.testLimit.map(String.init) ?? "all");layers=\(c.hiddenLayers.map(String.init).joined(separator: "-"))"
                    + ";activation=\(c.activation);output=\(c.output.rawValue);loss=\(c.squaredLoss.rawValue);epochs=\(c.epochs);batch_size=\(c.batchSize)"
                    + ";l1=\(CSV.number(c.l1));l2=\(CSV.number(c.l2));dropout=\(c.dropout.map(CSV.number).joined(separator: "-"))"
                    + ";early_stopping=\(c.earlyStoppingPatience.map(String.init) ?? "none");monitor=\(c.monitor.rawValue)"
                    + ";augment=\(c.augmentation.shift),\(CSV.number(c.augmentation.rotation)),\(CSV.number(c.augmentation.noise))"
                    + (c.stopTargets.isEmpty ? "" : ";stop_at_target=true")
            }
        }
    }

    public var name: String
    public var seed: UInt64
    public var repeats: Int
    public var optimizers: [OptimizerEntry]
    public var grid: [String: [GridValue]]
    /// The ends of each suite grid key given as a log range.
    public var gridRanges: [String: ClosedRange<Double>] = [:]
    public var problems: [Problem]
    /// The tuning protocol, if the suite declares one (`protocol:`).
    public var tuning: TuningProtocol? = nil
    /// A digest of the file's text, to refuse resuming results of another suite.
    public var digest: String
    /// The file's text, copied into the results folder (`suite.yaml`).
    public var source: String = ""
    /// Where the suite came from (for messages).
    public var file: String

    /// Grid keys that apply to network problems only.
    public static let networkGridKeys: Set<String> = ["l1", "l2", "dropout", "batch_size", "layers", "activation"]
}
