import Foundation
import Yams

extension Suite {
    /// Reads and validates a suite file. Every problem found is an ``InputError`` naming
    /// the file, the line and column, what was expected and, for names, the nearest valid
    /// one; all of them are reported together (``InputError/others``).
    public static func load(path: String) throws -> Suite {
        let data = try InputFile.read(path, what: "suite file", limit: Limits.suiteFileBytes)
        return try parse(try InputFile.utf8Text(data, file: path), file: path)
    }

    public static func parse(_ text: String, file: String) throws -> Suite {
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else { throw InputError("the suite is empty", file: file, line: 1, column: 1) }
            root = node
        } catch let error as YamlError {
            throw SuiteParser.describe(error, file: file)
        }
        var parser = SuiteParser(file: file)
        let suite: Suite?
        do {
            suite = try parser.suite(root)
        } catch is SuiteParser.TooManyErrors {
            var errors = parser.log.errors
            errors.append(InputError("stopped after \(errors.count) errors", file: file))
            throw InputError.combining(errors)
        }
        if !parser.log.errors.isEmpty { throw InputError.combining(parser.log.errors) }
        guard var suite else { throw InputError("the suite could not be read", file: file) }
        suite.digest = String(format: "%016llx", fnv1a64(text))
        suite.source = text
        return suite
    }
}

/// FNV-1a, 64 bits: stable ids and digests that do not depend on the platform.
func fnv1a64(_ text: String) -> UInt64 {
    var hash: UInt64 = 0xCBF2_9CE4_8422_2325
    for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
    return hash
}

/// Turns a YAML tree into a ``Suite``, recording every error it finds (up to
/// ``Limits/reportedErrors``) instead of stopping at the first.
struct SuiteParser {
    let file: String
    let log = ErrorLog()

    final class ErrorLog { var errors: [InputError] = [] }
    struct TooManyErrors: Error {}
    /// Thrown once a part's own errors are recorded: skip the part, add no message.
    struct AlreadyRecorded: Error {}

    func error(_ node: Node?, _ message: String) -> InputError {
        InputError(message, file: file, line: node?.mark?.line, column: node?.mark?.column)
    }

    /// Records an error and goes on; throws ``TooManyErrors`` once the log is full.
    func record(_ error: InputError) throws {
        log.errors += error.all
        if log.errors.count >= Limits.reportedErrors { throw TooManyErrors() }
    }

    /// Runs `body`; an ``InputError`` it throws is recorded and nil returned, so that
    /// parsing continues with the next key or item.
    func attempt<T>(_ body: () throws -> T) throws -> T? {
        do { return try body() } catch let e as InputError {
            try record(e.file == nil ? InputError(e.message, file: file) : e)
            return nil
        } catch is AlreadyRecorded {
            return nil
        }
    }

    static func describe(_ error: YamlError, file: String) -> InputError {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _):
            return InputError("YAML syntax error: \(problem)", file: file, line: mark.line, column: mark.column)
        case .composer(_, let problem, let mark, _):
            return InputError("YAML error: \(problem)", file: file, line: mark.line, column: mark.column)
        case .duplicatedKeysInMapping(let duplicates, let context):
            let keys = duplicates.map { "'\(Identifier.printable($0))'" }.joined(separator: ", ")
            return InputError("key \(keys) appears more than once in one mapping (the first time here); each key may appear once", file: file,
                              line: context.mark.line, column: context.mark.column)
        case .reader(let problem, let offset, _, _):
            return InputError("cannot read the YAML text: \(problem)" + (offset.map { " at byte \($0)" } ?? ""), file: file)
        case .memory:
            return InputError("the YAML parser ran out of memory", file: file)
        default:
            return InputError("YAML error", file: file)
        }
    }

    // MARK: Typed access

    /// The pairs of a mapping. Keys outside `allowed` are recorded as errors (with a
    /// suggestion) and left out.
    func mapping(_ node: Node, allowed: [String], what: String) throws -> [(key: String, keyNode: Node, value: Node)] {
        guard let mapping = node.mapping else { throw error(node, "\(what) must be a mapping (key: value lines)") }
        var pairs: [(String, Node, Node)] = []
        for (keyNode, value) in mapping {
            guard let key = keyNode.string, case .scalar = keyNode else {
                try record(error(keyNode, "keys of \(what) must be names"))
                continue
            }
            guard allowed.contains(key) else {
                try record(error(keyNode, NearestName.unknownMessage(kind: "key", name: key, valid: allowed) + " in \(what)"))
                continue
            }
            pairs.append((key, keyNode, value))
        }
        return pairs
    }

    func string(_ node: Node, _ what: String) throws -> String {
        guard case .scalar(let scalar) = node, !scalar.string.isEmpty else { throw error(node, "\(what) must be a name") }
        return scalar.string
    }

    /// A name from a closed set, parsed by `parse` (whose message carries the suggestion).
    func choice<T>(_ node: Node, _ what: String, _ parse: (String) throws -> T) throws -> T {
        let text = try string(node, what)
        do { return try parse(text) } catch let e as InputError { throw error(node, e.message) }
    }

    /// A hyperparameter's value: a number, or `true`/`false` for a switch.
    func hyperparameterValue(_ node: Node, _ name: String) throws -> Double {
        guard Hyperparameter.isFlag(name) else { return try number(node, name) }
        guard case .scalar(let scalar) = node, let value = Hyperparameter.parseValue(scalar.string, flag: true), value == 0 || value == 1 else {
            throw error(node, "\(name) must be true or false, got \(shown(node))")
        }
        return value
    }

    func number(_ node: Node, _ what: String) throws -> Double {
        guard case .scalar = node, let value = node.float ?? node.int.map(Double.init), value.isFinite else {
            throw error(node, "\(what) must be a number, got \(shown(node))")
        }
        return value
    }

    func integer(_ node: Node, _ what: String, minimum: Int, maximum: Int) throws -> Int {
        guard case .scalar = node, let value = node.int else {
            throw error(node, "\(what) must be a whole number from \(minimum) to \(maximum), got \(shown(node))")
        }
        guard value >= minimum, value <= maximum else {
            throw error(node, "\(what) must be from \(minimum) to \(maximum), got \(value)")
        }
        return value
    }

    func nonNegative(_ node: Node, _ what: String, maximum: Double = .greatestFiniteMagnitude) throws -> Double {
        let value = try number(node, what)
        guard value >= 0, value <= maximum else {
            throw error(node, "\(what) must be ≥ 0" + (maximum < .greatestFiniteMagnitude ? " and ≤ \(CSV.number(maximum))" : "") + ", got \(CSV.number(value))")
        }
        return value
    }

    /// A scalar's text for messages (cut short), or the kind of collection.
    func shown(_ node: Node) -> String {
        switch node {
        case .scalar(let scalar): "'\(Identifier.printable(scalar.string))'"
        case .mapping: "a mapping"
        case .sequence: "a list"
        default: "an alias"
        }
    }

    func sequence(_ node: Node, _ what: String) throws -> [Node] {
        guard let items = node.sequence else { throw error(node, "\(what) must be a list") }
        return Array(items)
    }

    func layers(_ node: Node, _ what: String) throws -> [Int] {
        let items = try sequence(node, what)
        guard !items.isEmpty else { throw error(node, "\(what) needs at least one hidden width") }
        guard items.count <= Limits.depth else { throw error(node, "\(what) has \(items.count) hidden layers; at most \(Limits.depth)") }
        return try items.map { try integer($0, "a layer width in \(what)", minimum: 1, maximum: Limits.layerWidth) }
    }

    func name(_ node: Node, _ what: String) throws -> String {
        let text = try string(node, what)
        try Identifier.check(text, what: what, file: file, line: node.mark?.line, column: node.mark?.column)
        return text
    }

    // MARK: Suite

    mutating func suite(_ root: Node) throws -> Suite? {
        var name: String?, seed: UInt64 = 0, repeats = 1
        var optimizers: [Suite.OptimizerEntry] = []
        var grid: [String: [GridValue]] = [:], gridNodes: [String: Node] = [:]
        var problems: [Suite.Problem] = []
        var optimizersNode: Node?, problemsNode: Node?, gridNode: Node?, repeatsNode: Node?, protocolNode: Node?
        var tuning: TuningProtocol?
        for (key, _, value) in try mapping(root, allowed: ["name", "description", "seed", "repeats", "optimizers", "grid", "protocol", "problems"], what: "the suite") {
            _ = try attempt {
                switch key {
                case "name": name = try self.name(value, "the suite's name")
                case "description": _ = try string(value, "description")
                case "seed": seed = UInt64(try integer(value, "seed", minimum: 0, maximum: Int(Limits.seed)))
                case "repeats": repeats = try integer(value, "repeats", minimum: 1, maximum: Limits.repeats); repeatsNode = value
                case "protocol": protocolNode = value; tuning = try tuningProtocol(value)
                case "optimizers":
                    optimizersNode = value
                    optimizers = try sequence(value, "optimizers").compactMap { item in try attempt { try optimizerEntry(item) } }
                case "grid":
                    gridNode = value
                    (grid, gridNodes) = try self.grid(value, what: "grid")
                default:
                    problemsNode = value
                    problems = try sequence(value, "problems").compactMap { item in try attempt { try problem(item) } }
                }
            }
        }
        let clean = log.errors.isEmpty
        if name == nil, clean { try record(error(root, "the suite needs a 'name'")) }
        if optimizers.isEmpty, clean { try record(error(optimizersNode ?? root, "the suite needs a non-empty 'optimizers' list")) }
        if problems.isEmpty, clean { try record(error(problemsNode ?? root, "the suite needs a non-empty 'problems' list")) }
        var seen: [String: Int?] = [:]
        for problem in problems {
            if let line = seen[problem.name] {
                try record(error(problemsNode, "two problems are named '\(problem.name)' (the first at line \(line.map(String.init) ?? "?")); give them distinct 'name's"))
            }
            seen[problem.name] = problem.line
        }
        // Every swept hyperparameter must belong to at least one optimizer of the suite,
        // and its values must lie in the range of each optimizer that has it.
        for (key, values) in grid.sorted(by: { $0.key < $1.key }) where !Suite.networkGridKeys.contains(key) {
            let owners = optimizers.filter { entry in entry.kind.type.hyperparameters(for: entry.convention).contains { $0.name == key } }
            if owners.isEmpty {
                if !optimizers.isEmpty { try record(error(gridNodes[key] ?? gridNode, "grid key '\(key)' is not a hyperparameter of any optimizer in the suite")) }
                continue
            }
            for entry in owners {
                guard let parameter = entry.kind.type.hyperparameters(for: entry.convention).first(where: { $0.name == key }) else { continue }
                if let bad = values.first(where: { !($0.number.map(parameter.domain.contains) ?? false) }) {
                    try record(error(gridNodes[key] ?? gridNode, "\(entry.kind.rawValue): \(key) = \(bad) is invalid; expected \(parameter.domain.summary)"))
                }
            }
        }
        if let tuning { try checkProtocol(tuning, node: protocolNode, repeatsNode: repeatsNode, problems: problems, optimizers: optimizers) }
        guard let name, log.errors.isEmpty else { return nil }
        let suite = Suite(name: name, seed: seed, repeats: repeats, optimizers: optimizers, grid: grid, gridRanges: logRanges(gridNodes),
                          problems: problems, tuning: tuning, digest: "", file: file)
        // Count the runs before expanding them, so a suite of billions is refused at once.
        guard let count = suite.plannedRunCount(), count <= Limits.runs else {
            try record(error(root, "the suite expands to \(suite.plannedRunCount().map(String.init) ?? "more than \(Int.max)") runs; at most \(Limits.runs) are allowed (split it into several suites)"))
            return nil
        }
        try checkDuplicateRuns(suite)
        return suite
    }

    /// Two specs that give the same run would collide in the results (and `--resume`
    /// could never finish): an error naming both lines.
    func checkDuplicateRuns(_ suite: Suite) throws {
        var first: [String: RunSpec] = [:]
        var reported: Set<String> = []
        for run in suite.expand() {
            guard let earlier = first[run.id] else { first[run.id] = run; continue }
            let places: (Suite.Location?, Suite.Location?), what: String
            if earlier.entryIndex == run.entryIndex, case .surface(let p) = suite.problems[run.problemIndex] {
                places = (p.startLocations[earlier.startIndex], p.startLocations[run.startIndex])
                what = "the start points"
            } else {
                places = (suite.optimizers[earlier.entryIndex].location, suite.optimizers[run.entryIndex].location)
                what = "the optimizer entries"
            }
            let named = { (l: Suite.Location?) in l.map(String.init(describing:)) ?? "?" }
            guard reported.insert("\(what) \(named(places.0)) \(named(places.1))").inserted else { continue }
            try record(InputError("\(what) at \(named(places.0)) and at \(named(places.1)) give the same run (problem \(suite.problems[run.problemIndex].name), \(run.optimizer.kind.rawValue) \(run.optimizer.convention.rawValue)\(run.start.map { ", start \($0)" } ?? "")); remove one or make them differ",
                                  file: file, line: places.1?.line, column: places.1?.column))
        }
    }

    // MARK: Grids

    /// The grid's axes, and the node of each (for messages).
    func grid(_ node: Node, what: String) throws -> ([String: [GridValue]], [String: Node]) {
        let hyperparameters = Set(OptimizerKind.allCases.flatMap { k in Convention.allCases.flatMap { k.type.hyperparameters(for: $0).map(\.name) } })
        let allowed = Array(hyperparameters.union(Suite.networkGridKeys)).sorted()
        var result: [String: [GridValue]] = [:], nodes: [String: Node] = [:]
        for (key, _, value) in try mapping(node, allowed: allowed, what: what) {
            _ = try attempt {
                nodes[key] = value
                let values: [GridValue]
                switch key {
                case "layers":
                    values = try sequence(value, "layers").map { .layers(try layers($0, "layers")) }
                case "activation":
                    values = try sequence(value, "activation").map { item in
                        .text(try choice(item, "activation") { name in _ = try Activation.parse(name); return name })
                    }
                case "batch_size":
                    values = try sequence(value, "batch_size").map { .number(Double(try integer($0, "batch_size", minimum: 1, maximum: Limits.batchSize))) }
                case _ where Hyperparameter.isFlag(key):
                    values = try sequence(value, key).map { .number(try hyperparameterValue($0, key)) }
                default:
                    values = try numbers(value, key).map(GridValue.number)
                    if key == "dropout", let bad = values.first(where: { !($0.number! >= 0 && $0.number! < 1) }) {
                        throw error(value, "dropout \(bad) is invalid; expected a number in [0, 1)")
                    }
                    if key == "l1" || key == "l2" || key == "lr", let bad = values.first(where: { $0.number! < 0 }) {
                        throw error(value, "\(key) \(bad) is invalid; expected a number ≥ 0")
                    }
                }
                guard !values.isEmpty else { throw error(value, "grid '\(key)' is empty: the grid would have no runs") }
                guard values.count <= Limits.gridValues else { throw error(value, "grid '\(key)' has \(values.count) values; at most \(Limits.gridValues)") }
                guard Set(values).count == values.count else { throw error(value, "grid '\(key)' repeats a value") }
                result[key] = values
            }
        }
        return (result, nodes)
    }

    /// A list of numbers, or a log-spaced range `{from: a, to: b, per_decade: k}`.
    func numbers(_ node: Node, _ what: String) throws -> [Double] {
        if node.mapping != nil {
            var from: Double?, to: Double?, perDecade: Int?
            for (key, _, value) in try mapping(node, allowed: ["from", "to", "per_decade"], what: "the range of \(what)") {
                switch key {
                case "from": from = try number(value, "from")
                case "to": to = try number(value, "to")
                default: perDecade = try integer(value, "per_decade", minimum: 1, maximum: Limits.perDecade)
                }
            }
            guard let from, let to, let perDecade else { throw error(node, "a range needs 'from', 'to' and 'per_decade'") }
            guard from > 0, to >= from else { throw error(node, "a log range needs 0 < from ≤ to, got from \(from) to \(to)") }
            let count = LogRange.count(from: from, to: to, perDecade: perDecade)
            guard count <= Limits.gridValues else {
                throw error(node, "the range of \(what) has \(count) values; at most \(Limits.gridValues) (fewer per_decade or a narrower range)")
            }
            return LogRange.values(from: from, to: to, perDecade: perDecade)
        }
        let items = try sequence(node, what)
        guard items.count <= Limits.gridValues else { throw error(node, "grid '\(what)' has \(items.count) values; at most \(Limits.gridValues)") }
        return try items.map { try number($0, what) }
    }

    // MARK: Problems

    func problem(_ node: Node) throws -> Suite.Problem {
        let pairs = try mapping(node, allowed: ["network", "surface", "deepobs"], what: "a problem")
        guard pairs.count == 1 else { throw error(node, "a problem is one of 'network:', 'surface:' or 'deepobs:', with its settings below") }
        switch pairs[0].key {
        case "network": return .network(try network(pairs[0].value))
        case "surface": return .surface(try surface(pairs[0].value))
        default: return .deepobs(try deepOBS(pairs[0].value))
        }
    }

    static let networkKeys = ["name", "dataset", "data_dir", "validation", "train_limit", "test_limit", "layers", "activation",
                              "leaky_slope", "elu_alpha", "output", "loss", "epochs", "batch_size", "l1", "l2", "dropout",
                              "early_stopping", "monitor", "augment", "targets", "test_every_epoch", "stop_at_target"]

    func network(_ node: Node) throws -> Suite.NetworkProblem {
        var name: String?, dataset: DatasetName?, dataDirectory: String?, validation = 5000
        var trainLimit: Int?, testLimit: Int?, hidden = [300, 100], activationName = "relu"
        var leakySlope = Activation.defaultLeakySlope, eluAlpha = Activation.defaultELUAlpha
        var output = OutputLoss.softmax, squaredLoss = SquaredLoss.mse, epochs: Int?, batchSize: Int?, l1 = 0.0, l2 = 0.0, dropout: [Double] = []
        var patience: Int?, monitor = TrainingConfiguration.Monitor.valLoss, augmentation = Augmentation()
        var targets: [Suite.Target] = [], testEveryEpoch = false, stopAtTarget = false, stopNode: Node?
        var activationNode: Node?, validationNode: Node?
        let errorsBefore = log.errors.count
        for (key, _, value) in try mapping(node, allowed: Self.networkKeys, what: "a network problem") {
            _ = try attempt {
                switch key {
                case "name": name = try self.name(value, "problem name")
                case "dataset": dataset = try choice(value, "dataset", DatasetName.parse)
                case "data_dir":
                    let folder = try string(value, "data_dir")
                    var isDirectory: ObjCBool = false
                    guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
                        throw error(value, "data_dir '\(Identifier.printable(folder))' is not an existing folder")
                    }
                    dataDirectory = folder
                case "validation": validation = try integer(value, "validation", minimum: 0, maximum: DatasetName.trainingImages - 1); validationNode = value
                case "train_limit": trainLimit = try integer(value, "train_limit", minimum: 1, maximum: DatasetName.trainingImages)
                case "test_limit": testLimit = try integer(value, "test_limit", minimum: 1, maximum: DatasetName.testImages)
                case "layers": hidden = try layers(value, "layers")
                case "activation": activationName = try string(value, "activation"); activationNode = value
                case "leaky_slope": leakySlope = Float(try nonNegative(value, "leaky_slope", maximum: 1))
                case "elu_alpha": eluAlpha = Float(try nonNegative(value, "elu_alpha", maximum: 100))
                case "output": output = try choice(value, "output", OutputLoss.parse)
                case "loss": squaredLoss = try choice(value, "loss", SquaredLoss.parse)
                case "epochs": epochs = try integer(value, "epochs", minimum: 1, maximum: Limits.epochs)
                case "batch_size": batchSize = try integer(value, "batch_size", minimum: 1, maximum: Limits.batchSize)
                case "l1": l1 = try nonNegative(value, "l1")
                case "l2": l2 = try nonNegative(value, "l2")
                case "dropout":
                    dropout = value.sequence != nil ? try sequence(value, "dropout").map { try number($0, "dropout") } : [try number(value, "dropout")]
                    if dropout.contains(where: { !($0 >= 0 && $0 < 1) }) { throw error(value, "dropout rates must be in [0, 1)") }
                case "early_stopping": patience = try integer(value, "early_stopping", minimum: 1, maximum: Limits.epochs)
                case "monitor":
                    monitor = try choice(value, "monitor") { text in
                        guard let m = TrainingConfiguration.Monitor(rawValue: text) else {
                            throw InputError(NearestName.unknownMessage(kind: "monitor", name: text, valid: TrainingConfiguration.Monitor.allCases.map(\.rawValue)))
                        }
                        return m
                    }
                case "augment":
                    var spec = Augmentation()
                    for (k, _, v) in try mapping(value, allowed: ["shift", "rotate", "noise"], what: "augment") {
                        _ = try attempt {
                            switch k {
                            case "shift": spec.shift = try integer(v, "shift", minimum: 0, maximum: Limits.augmentShift)
                            case "rotate": spec.rotation = try nonNegative(v, "rotate", maximum: Limits.augmentRotation)
                            default: spec.noise = try nonNegative(v, "noise", maximum: Limits.augmentNoise)
                            }
                        }
                    }
                    augmentation = spec
                case "targets":
                    targets = try self.targets(value, allowed: ["val_acc", "train_acc", "test_acc", "val_loss", "train_loss"])
                case "stop_at_target":
                    guard let flag = value.bool else { throw error(value, "stop_at_target must be true or false") }
                    stopAtTarget = flag
                    stopNode = value
                default:
                    guard let flag = value.bool else { throw error(value, "test_every_epoch must be true or false") }
                    testEveryEpoch = flag
                }
            }
        }
        guard log.errors.count == errorsBefore else { throw AlreadyRecorded() }
        guard let dataset else { throw error(node, "a network problem needs a 'dataset' (\(DatasetName.allCases.map(\.rawValue).joined(separator: " or ")))") }
        guard let epochs else { throw error(node, "a network problem needs 'epochs'") }
        guard let batchSize else { throw error(node, "a network problem needs 'batch_size'") }
        let activation: Activation
        do { activation = try Activation.parse(activationName, leakySlope: leakySlope, eluAlpha: eluAlpha) } catch let e as InputError {
            throw error(activationNode ?? node, e.message)
        }
        // The validation set comes out of the training examples: some must be left.
        let trainingCount = min(trainLimit ?? DatasetName.trainingImages, DatasetName.trainingImages)
        guard validation < trainingCount else {
            throw error(validationNode ?? node, "validation \(validation) leaves no training examples (train_limit \(trainingCount)); use fewer than \(trainingCount)")
        }
        // Without a validation set, early stopping watches the training metric instead, but
        // a validation target could never be reached.
        if validation == 0, let target = targets.first(where: { $0.metric.hasPrefix("val") }) {
            throw error(node, "target '\(target.metric)' needs a validation set; set validation > 0")
        }
        var base = TrainingConfiguration(hiddenLayers: hidden, activation: activation, output: output, squaredLoss: squaredLoss,
                                         optimizer: OptimizerSpec(kind: .sgd), epochs: epochs, batchSize: batchSize,
                                         l1: l1, l2: l2, dropout: dropout, earlyStoppingPatience: patience, monitor: monitor,
                                         augmentation: augmentation, testEveryEpoch: testEveryEpoch)
        if stopAtTarget {
            guard !targets.isEmpty else { throw error(stopNode ?? node, "stop_at_target needs 'targets' to stop at") }
            if let target = targets.first(where: { $0.metric == "test_acc" }), !testEveryEpoch {
                throw error(stopNode ?? node, "stop_at_target with a '\(target.metric)' target needs test_every_epoch: true (the test set is otherwise measured at the end only)")
            }
            base.stopTargets = targets.map { StopTarget(metric: $0.metric, value: $0.value) }
        }
        do { try base.validate() } catch let e as InputError { throw error(node, e.message) }
        return Suite.NetworkProblem(name: name ?? dataset.rawValue, dataset: dataset, dataDirectory: dataDirectory,
                                    validation: validation, trainLimit: trainLimit, testLimit: testLimit,
                                    base: base, targets: targets, line: node.mark?.line)
    }

    func surface(_ node: Node) throws -> Suite.SurfaceProblem {
        var name: String?, surface: Surface?, starts: [Point] = [], startLocations: [Suite.Location?] = [], steps: Int?, targets: [Suite.Target] = []
        var noise = 0.0, record = RecordPolicy.auto
        let errorsBefore = log.errors.count
        var stopAtTarget = false
        for (key, _, value) in try mapping(node, allowed: ["name", "surface", "start", "steps", "noise", "record", "stop_at_target", "targets"], what: "a surface problem") {
            _ = try attempt {
                switch key {
                case "name": name = try self.name(value, "problem name")
                case "surface": surface = try choice(value, "surface", Surface.named)
                case "start":
                    let items = try sequence(value, "start")
                    let points = items.first?.sequence != nil ? items : [value]
                    guard points.count <= Limits.starts else { throw error(value, "\(points.count) start points; at most \(Limits.starts)") }
                    starts = try points.map { p in
                        let xy = try sequence(p, "a start point").map { try number($0, "a start coordinate") }
                        guard xy.count == 2 else { throw error(p, "a start point is [x, y]") }
                        return Point(xy[0], xy[1])
                    }
                    startLocations = points.map(Suite.Location.init)
                case "steps": steps = try integer(value, "steps", minimum: 1, maximum: Limits.steps)
                case "noise": noise = try nonNegative(value, "noise", maximum: Limits.gradientNoise)
                case "record": record = try recordPolicy(value)
                case "stop_at_target":
                    guard let flag = value.bool else { throw error(value, "stop_at_target must be true or false") }
                    stopAtTarget = flag
                default: targets = try self.targets(value, allowed: ["loss", "distance"])
                }
            }
        }
        guard log.errors.count == errorsBefore else { throw AlreadyRecorded() }
        guard let surface else { throw error(node, "a surface problem needs a 'surface'") }
        guard let steps else { throw error(node, "a surface problem needs 'steps'") }
        if stopAtTarget && targets.isEmpty { throw error(node, "stop_at_target needs 'targets' to stop at") }
        return Suite.SurfaceProblem(name: name ?? surface.name, surface: surface,
                                    starts: starts.isEmpty ? [surface.start] : starts,
                                    startLocations: starts.isEmpty ? [Suite.Location(node)] : startLocations,
                                    steps: steps, noise: noise, record: record, stopAtTarget: stopAtTarget, targets: targets, line: node.mark?.line)
    }

    func targets(_ node: Node, allowed: [String]) throws -> [Suite.Target] {
        try mapping(node, allowed: allowed, what: "targets").map { key, _, value in
            Suite.Target(metric: key, value: try number(value, key))
        }.sorted { $0.metric < $1.metric }
    }
}

/// Log-spaced values: `from`, then `per_decade` values per factor of ten, up to `to`.
public enum LogRange {
    /// How many values ``values(from:to:perDecade:)`` gives, computed without making them.
    public static func count(from: Double, to: Double, perDecade: Int) -> Int {
        let decades = log10(to) - log10(from)
        guard decades.isFinite, decades >= 0 else { return 0 }
        let steps = (decades * Double(perDecade) + 1e-9).rounded(.down)
        return steps >= Double(Int.max - 1) ? Int.max : Int(steps) + 1
    }

    public static func values(from: Double, to: Double, perDecade: Int) -> [Double] {
        let start = log10(from), stop = log10(to)
        var values: [Double] = []
        var k = 0
        while true {
            let exponent = start + Double(k) / Double(perDecade)
            if exponent > stop + 1e-9 { break }
            // Twelve significant digits: 1e-4·10^(1/3) becomes 0.000215443469003.
            values.append(Double(String(format: "%.11e", pow(10, exponent))) ?? pow(10, exponent))
            k += 1
        }
        return values
    }
}
