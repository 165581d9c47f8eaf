import Foundation
import Yams

extension Suite {
    /// Reads and validates a suite file. Every problem is an ``InputError`` naming the
    /// file, the line and column, what was expected and, for names, the nearest valid one.
    public static func load(path: String) throws -> Suite {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw InputError("cannot read the suite file", file: path)
        }
        return try parse(text, file: path)
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
        var suite = try parser.suite(root)
        suite.digest = String(format: "%016llx", fnv1a64(text))
        return suite
    }
}

/// FNV-1a, 64 bits: stable ids and digests that do not depend on the platform.
func fnv1a64(_ text: String) -> UInt64 {
    var hash: UInt64 = 0xCBF2_9CE4_8422_2325
    for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
    return hash
}

struct SuiteParser {
    let file: String

    func error(_ node: Node?, _ message: String) -> InputError {
        InputError(message, file: file, line: node?.mark?.line, column: node?.mark?.column)
    }

    static func describe(_ error: YamlError, file: String) -> InputError {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _):
            return InputError("YAML syntax error: \(problem)", file: file, line: mark.line, column: mark.column)
        default:
            return InputError("YAML error: \(error)", file: file)
        }
    }

    // MARK: Typed access

    /// The pairs of a mapping, rejecting keys outside `allowed` (with a suggestion).
    func mapping(_ node: Node, allowed: [String], what: String) throws -> [(key: String, keyNode: Node, value: Node)] {
        guard let mapping = node.mapping else { throw error(node, "\(what) must be a mapping (key: value lines)") }
        var pairs: [(String, Node, Node)] = []
        for (keyNode, value) in mapping {
            guard let key = keyNode.string else { throw error(keyNode, "keys of \(what) must be names") }
            guard allowed.contains(key) else {
                var message = "unknown key '\(key)' in \(what)"
                if let suggestion = NearestName.match(key, in: allowed) { message += "; did you mean '\(suggestion)'?" }
                throw error(keyNode, message + " (valid: \(allowed.joined(separator: ", ")))")
            }
            pairs.append((key, keyNode, value))
        }
        return pairs
    }

    func string(_ node: Node, _ what: String) throws -> String {
        guard case .scalar(let scalar) = node, !scalar.string.isEmpty else { throw error(node, "\(what) must be a name") }
        return scalar.string
    }

    func number(_ node: Node, _ what: String) throws -> Double {
        guard case .scalar = node, let value = node.float ?? node.int.map(Double.init), value.isFinite else {
            throw error(node, "\(what) must be a number, got '\(node.string ?? "a collection")'")
        }
        return value
    }

    func integer(_ node: Node, _ what: String, minimum: Int) throws -> Int {
        guard case .scalar = node, let value = node.int else {
            throw error(node, "\(what) must be a whole number, got '\(node.string ?? "a collection")'")
        }
        guard value >= minimum else { throw error(node, "\(what) must be ≥ \(minimum), got \(value)") }
        return value
    }

    func nonNegative(_ node: Node, _ what: String) throws -> Double {
        let value = try number(node, what)
        guard value >= 0 else { throw error(node, "\(what) must be ≥ 0, got \(value)") }
        return value
    }

    func sequence(_ node: Node, _ what: String) throws -> [Node] {
        guard let items = node.sequence else { throw error(node, "\(what) must be a list") }
        return Array(items)
    }

    func layers(_ node: Node, _ what: String) throws -> [Int] {
        let widths = try sequence(node, what).map { try integer($0, "a layer width in \(what)", minimum: 1) }
        guard !widths.isEmpty else { throw error(node, "\(what) needs at least one hidden width") }
        return widths
    }

    // MARK: Suite

    mutating func suite(_ root: Node) throws -> Suite {
        var name: String?, seed: UInt64 = 0, repeats = 1
        var optimizers: [Suite.OptimizerEntry] = []
        var grid: [String: [GridValue]] = [:]
        var problems: [Suite.Problem] = []
        var optimizersNode: Node?, problemsNode: Node?, gridNode: Node?
        for (key, _, value) in try mapping(root, allowed: ["name", "description", "seed", "repeats", "optimizers", "grid", "problems"], what: "the suite") {
            switch key {
            case "name":
                let text = try string(value, "name")
                guard text.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." }) else {
                    throw error(value, "name may hold letters, digits, '-', '_' and '.' only (it names the results folder)")
                }
                name = text
            case "description": _ = try string(value, "description")
            case "seed": seed = UInt64(try integer(value, "seed", minimum: 0))
            case "repeats": repeats = try integer(value, "repeats", minimum: 1)
            case "optimizers":
                optimizersNode = value
                optimizers = try sequence(value, "optimizers").map(optimizerEntry)
            case "grid":
                gridNode = value
                grid = try self.grid(value, what: "grid")
            default:
                problemsNode = value
                problems = try sequence(value, "problems").map(problem)
            }
        }
        guard let name else { throw error(root, "the suite needs a 'name'") }
        guard !optimizers.isEmpty else { throw error(optimizersNode ?? root, "the suite needs a non-empty 'optimizers' list") }
        guard !problems.isEmpty else { throw error(problemsNode ?? root, "the suite needs a non-empty 'problems' list") }
        let names = problems.map(\.name)
        if let duplicate = names.first(where: { n in names.filter { $0 == n }.count > 1 }) {
            throw error(problemsNode, "two problems are named '\(duplicate)'; give them distinct 'name's")
        }
        // Every swept hyperparameter must belong to at least one optimizer of the suite.
        let networkKeys = Suite.networkGridKeys.union(["lr"])
        for key in grid.keys where !networkKeys.contains(key) {
            guard optimizers.contains(where: { entry in entry.kind.type.hyperparameters(for: entry.convention).contains { $0.name == key } }) else {
                throw error(gridNode, "grid key '\(key)' is not a hyperparameter of any optimizer in the suite")
            }
        }
        return Suite(name: name, seed: seed, repeats: repeats, optimizers: optimizers, grid: grid,
                     problems: problems, digest: "", file: file)
    }

    func optimizerEntry(_ node: Node) throws -> Suite.OptimizerEntry {
        if case .scalar = node {
            let kind = try kindOf(node)
            return Suite.OptimizerEntry(kind: kind, convention: .keras, fixed: [:], grid: [:])
        }
        var kind: OptimizerKind?, convention = Convention.keras
        var fixed: [String: Double] = [:], grid: [String: [GridValue]] = [:]
        var setNode: Node?, gridNode: Node?
        for (key, _, value) in try mapping(node, allowed: ["name", "convention", "set", "grid"], what: "an optimizer") {
            switch key {
            case "name": kind = try kindOf(value)
            case "convention":
                do { convention = try Convention.parse(try string(value, "convention")) } catch let e as InputError {
                    throw error(value, e.message)
                }
            case "set":
                setNode = value
                for (name, _, v) in try mapping(value, allowed: Array(Set(OptimizerKind.allCases.flatMap { k in
                    Convention.allCases.flatMap { k.type.hyperparameters(for: $0).map(\.name) } })).sorted(), what: "set") {
                    fixed[name] = try number(v, name)
                }
            default:
                gridNode = value
                grid = try self.grid(value, what: "the optimizer's grid")
            }
        }
        guard let kind else { throw error(node, "an optimizer entry needs a 'name'") }
        // Check every fixed value and every swept one against the optimizer's own ranges.
        let declared = kind.type.hyperparameters(for: convention)
        for (name, values) in grid {
            if Suite.networkGridKeys.contains(name) { continue }
            guard let parameter = declared.first(where: { $0.name == name }) else {
                throw error(gridNode, "\(kind.rawValue) has no hyperparameter '\(name)' (valid: \(declared.map(\.name).joined(separator: ", ")))")
            }
            for value in values {
                guard let number = value.number, parameter.domain.contains(number) else {
                    throw error(gridNode, "\(kind.rawValue): \(name) = \(value) is invalid; expected \(parameter.domain.summary)")
                }
            }
        }
        do { _ = try OptimizerSpec(kind: kind, convention: convention, overrides: fixed).resolvedValues() } catch let e as InputError {
            throw error(setNode, e.message)
        }
        return Suite.OptimizerEntry(kind: kind, convention: convention, fixed: fixed, grid: grid)
    }

    func kindOf(_ node: Node) throws -> OptimizerKind {
        do { return try OptimizerKind.parse(try string(node, "optimizer name")) } catch let e as InputError where e.file == nil {
            throw error(node, e.message)
        }
    }

    // MARK: Grids

    func grid(_ node: Node, what: String) throws -> [String: [GridValue]] {
        let hyperparameters = Set(OptimizerKind.allCases.flatMap { k in Convention.allCases.flatMap { k.type.hyperparameters(for: $0).map(\.name) } })
        let allowed = Array(hyperparameters.union(Suite.networkGridKeys)).sorted()
        var result: [String: [GridValue]] = [:]
        for (key, _, value) in try mapping(node, allowed: allowed, what: what) {
            let values: [GridValue]
            switch key {
            case "layers":
                values = try sequence(value, "layers").map { .layers(try layers($0, "layers")) }
            case "activation":
                values = try sequence(value, "activation").map { item in
                    let name = try string(item, "activation")
                    do { _ = try Activation.parse(name) } catch let e as InputError { throw error(item, e.message) }
                    return .text(name)
                }
            case "batch_size":
                values = try sequence(value, "batch_size").map { .number(Double(try integer($0, "batch_size", minimum: 1))) }
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
            guard Set(values).count == values.count else { throw error(value, "grid '\(key)' repeats a value") }
            result[key] = values
        }
        return result
    }

    /// A list of numbers, or a log-spaced range `{from: a, to: b, per_decade: k}`.
    func numbers(_ node: Node, _ what: String) throws -> [Double] {
        if node.mapping != nil {
            var from: Double?, to: Double?, perDecade: Int?
            for (key, _, value) in try mapping(node, allowed: ["from", "to", "per_decade"], what: "the range of \(what)") {
                switch key {
                case "from": from = try number(value, "from")
                case "to": to = try number(value, "to")
                default: perDecade = try integer(value, "per_decade", minimum: 1)
                }
            }
            guard let from, let to, let perDecade else { throw error(node, "a range needs 'from', 'to' and 'per_decade'") }
            guard from > 0, to >= from else { throw error(node, "a log range needs 0 < from ≤ to, got from \(from) to \(to)") }
            return LogRange.values(from: from, to: to, perDecade: perDecade)
        }
        return try sequence(node, what).map { try number($0, what) }
    }

    // MARK: Problems

    func problem(_ node: Node) throws -> Suite.Problem {
        let pairs = try mapping(node, allowed: ["network", "surface"], what: "a problem")
        guard pairs.count == 1 else { throw error(node, "a problem is either 'network:' or 'surface:', with its settings below") }
        return pairs[0].key == "network" ? .network(try network(pairs[0].value)) : .surface(try surface(pairs[0].value))
    }

    static let networkKeys = ["name", "dataset", "data_dir", "validation", "train_limit", "test_limit", "layers", "activation",
                              "leaky_slope", "elu_alpha", "output", "epochs", "batch_size", "l1", "l2", "dropout",
                              "early_stopping", "monitor", "augment", "targets", "test_every_epoch"]

    func network(_ node: Node) throws -> Suite.NetworkProblem {
        var name: String?, dataset: DatasetName?, dataDirectory: String?, validation = 5000
        var trainLimit: Int?, testLimit: Int?, hidden = [300, 100], activationName = "relu"
        var leakySlope = Activation.defaultLeakySlope, eluAlpha = Activation.defaultELUAlpha
        var output = OutputLoss.softmax, epochs: Int?, batchSize: Int?, l1 = 0.0, l2 = 0.0, dropout: [Double] = []
        var patience: Int?, monitor = TrainingConfiguration.Monitor.valLoss, augmentation = Augmentation()
        var targets: [Suite.Target] = [], testEveryEpoch = false
        var activationNode: Node?
        for (key, _, value) in try mapping(node, allowed: Self.networkKeys, what: "a network problem") {
            switch key {
            case "name": name = try string(value, "name")
            case "dataset":
                do { dataset = try DatasetName.parse(try string(value, "dataset")) } catch let e as InputError { throw error(value, e.message) }
            case "data_dir": dataDirectory = try string(value, "data_dir")
            case "validation": validation = try integer(value, "validation", minimum: 0)
            case "train_limit": trainLimit = try integer(value, "train_limit", minimum: 1)
            case "test_limit": testLimit = try integer(value, "test_limit", minimum: 1)
            case "layers": hidden = try layers(value, "layers")
            case "activation": activationName = try string(value, "activation"); activationNode = value
            case "leaky_slope": leakySlope = Float(try number(value, "leaky_slope"))
            case "elu_alpha": eluAlpha = Float(try number(value, "elu_alpha"))
            case "output":
                do { output = try OutputLoss.parse(try string(value, "output")) } catch let e as InputError { throw error(value, e.message) }
            case "epochs": epochs = try integer(value, "epochs", minimum: 1)
            case "batch_size": batchSize = try integer(value, "batch_size", minimum: 1)
            case "l1": l1 = try nonNegative(value, "l1")
            case "l2": l2 = try nonNegative(value, "l2")
            case "dropout":
                dropout = value.sequence != nil ? try sequence(value, "dropout").map { try number($0, "dropout") } : [try number(value, "dropout")]
                if dropout.contains(where: { !($0 >= 0 && $0 < 1) }) { throw error(value, "dropout rates must be in [0, 1)") }
            case "early_stopping": patience = try integer(value, "early_stopping", minimum: 1)
            case "monitor":
                let text = try string(value, "monitor")
                guard let m = TrainingConfiguration.Monitor(rawValue: text) else {
                    throw error(value, NearestName.unknownMessage(kind: "monitor", name: text, valid: TrainingConfiguration.Monitor.allCases.map(\.rawValue)))
                }
                monitor = m
            case "augment":
                var spec = Augmentation()
                for (k, _, v) in try mapping(value, allowed: ["shift", "rotate", "noise"], what: "augment") {
                    switch k {
                    case "shift": spec.shift = try integer(v, "shift", minimum: 0)
                    case "rotate": spec.rotation = try nonNegative(v, "rotate")
                    default: spec.noise = try nonNegative(v, "noise")
                    }
                }
                augmentation = spec
            case "targets":
                targets = try self.targets(value, allowed: ["val_acc", "train_acc", "test_acc", "val_loss", "train_loss"])
            default:
                guard let flag = value.bool else { throw error(value, "test_every_epoch must be true or false") }
                testEveryEpoch = flag
            }
        }
        guard let dataset else { throw error(node, "a network problem needs a 'dataset' (mnist or fashion-mnist)") }
        guard let epochs else { throw error(node, "a network problem needs 'epochs'") }
        guard let batchSize else { throw error(node, "a network problem needs 'batch_size'") }
        let activation: Activation
        do { activation = try Activation.parse(activationName, leakySlope: leakySlope, eluAlpha: eluAlpha) } catch let e as InputError {
            throw error(activationNode ?? node, e.message)
        }
        // Without a validation set, early stopping watches the training metric instead, but
        // a validation target could never be reached.
        if validation == 0, let target = targets.first(where: { $0.metric.hasPrefix("val") }) {
            throw error(node, "target '\(target.metric)' needs a validation set; set validation > 0")
        }
        let base = TrainingConfiguration(hiddenLayers: hidden, activation: activation, output: output,
                                         optimizer: OptimizerSpec(kind: .sgd), epochs: epochs, batchSize: batchSize,
                                         l1: l1, l2: l2, dropout: dropout, earlyStoppingPatience: patience, monitor: monitor,
                                         augmentation: augmentation, testEveryEpoch: testEveryEpoch)
        do { try base.validate() } catch let e as InputError { throw error(node, e.message) }
        return Suite.NetworkProblem(name: name ?? dataset.rawValue, dataset: dataset, dataDirectory: dataDirectory,
                                    validation: validation, trainLimit: trainLimit, testLimit: testLimit,
                                    base: base, targets: targets)
    }

    func surface(_ node: Node) throws -> Suite.SurfaceProblem {
        var name: String?, surface: Surface?, starts: [Point] = [], steps: Int?, targets: [Suite.Target] = []
        for (key, _, value) in try mapping(node, allowed: ["name", "surface", "start", "steps", "targets"], what: "a surface problem") {
            switch key {
            case "name": name = try string(value, "name")
            case "surface":
                do { surface = try Surface.named(try string(value, "surface")) } catch let e as InputError { throw error(value, e.message) }
            case "start":
                let items = try sequence(value, "start")
                let points = items.first?.sequence != nil ? items : [value]
                starts = try points.map { p in
                    let xy = try sequence(p, "a start point").map { try number($0, "a start coordinate") }
                    guard xy.count == 2 else { throw error(p, "a start point is [x, y]") }
                    return Point(xy[0], xy[1])
                }
            case "steps": steps = try integer(value, "steps", minimum: 1)
            default: targets = try self.targets(value, allowed: ["loss", "distance"])
            }
        }
        guard let surface else { throw error(node, "a surface problem needs a 'surface'") }
        guard let steps else { throw error(node, "a surface problem needs 'steps'") }
        return Suite.SurfaceProblem(name: name ?? surface.name, surface: surface,
                                    starts: starts.isEmpty ? [surface.start] : starts, steps: steps, targets: targets)
    }

    func targets(_ node: Node, allowed: [String]) throws -> [Suite.Target] {
        try mapping(node, allowed: allowed, what: "targets").map { key, _, value in
            Suite.Target(metric: key, value: try number(value, key))
        }.sorted { $0.metric < $1.metric }
    }
}

/// Log-spaced values: `from`, then `per_decade` values per factor of ten, up to `to`.
public enum LogRange {
    public static func values(from: Double, to: Double, perDecade: Int) -> [Double] {
        let start = log10(from), stop = log10(to)
        var values: [Double] = []
        var k = 0
        while true {
            let exponent = start + Double(k) / Double(perDecade)
            if exponent > stop + 1e-9 { break }
            // Twelve significant digits: 1e-4·10^(1/3) becomes 0.000215443469003.
            values.append(Double(String(format: "%.11e", pow(10, exponent)))!)
            k += 1
        }
        return values
    }
}
