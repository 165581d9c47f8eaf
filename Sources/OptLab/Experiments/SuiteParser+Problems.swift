import Foundation
import Yams

/// DeepOBS problems, and the `record:` option of surface problems.
extension SuiteParser {
    /// `deepobs: {problem: quadratic_deep, epochs, batch_size, shuffle, tf_seed, targets, baselines}`.
    func deepOBS(_ node: Node) throws -> Suite.DeepOBSProblem {
        var name: String?, problem: String?, epochs: Int?, batchSize = 128, shuffle = ShuffleMode.perEpoch
        var targets: [Suite.Target] = [], baselines: String?, tfSeed: UInt64?, tfSeedNode: Node?
        let errorsBefore = log.errors.count
        for (key, _, value) in try mapping(node, allowed: ["name", "problem", "epochs", "batch_size", "shuffle", "tf_seed", "targets", "baselines"],
                                           what: "a deepobs problem") {
            _ = try attempt {
                switch key {
                case "name": name = try self.name(value, "problem name")
                case "problem":
                    problem = try choice(value, "deepobs problem") { text in
                        guard Suite.DeepOBSProblem.problems.contains(text) else {
                            throw InputError(NearestName.unknownMessage(kind: "deepobs problem", name: text, valid: Suite.DeepOBSProblem.problems))
                        }
                        return text
                    }
                case "epochs": epochs = try integer(value, "epochs", minimum: 1, maximum: Limits.epochs)
                case "batch_size": batchSize = try integer(value, "batch_size", minimum: 1, maximum: QuadraticDeep.trainingSize)
                case "shuffle": shuffle = try choice(value, "shuffle", ShuffleMode.parse)
                case "tf_seed":
                    tfSeed = UInt64(try integer(value, "tf_seed", minimum: 0, maximum: Int(Int32.max)))
                    tfSeedNode = value
                case "baselines":
                    let path = try string(value, "baselines")
                    var isDirectory: ObjCBool = false
                    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
                        throw error(value, "baselines file '\(Identifier.printable(path))' does not exist")
                    }
                    baselines = path
                default: targets = try self.targets(value, allowed: ["test_loss", "train_loss"])
                }
            }
        }
        guard log.errors.count == errorsBefore else { throw AlreadyRecorded() }
        guard let problem else { throw error(node, "a deepobs problem needs 'problem' (one of \(Suite.DeepOBSProblem.problems.joined(separator: ", ")))") }
        guard let epochs else { throw error(node, "a deepobs problem needs 'epochs'") }
        if let tfSeedNode, shuffle != .tensorflow {
            throw error(tfSeedNode, "tf_seed applies only with 'shuffle: tensorflow' (it seeds TensorFlow's batch order)")
        }
        return Suite.DeepOBSProblem(name: name ?? problem, problem: problem, epochs: epochs, batchSize: batchSize, shuffle: shuffle,
                                    tfSeed: tfSeed ?? Suite.DeepOBSProblem.defaultTFSeed, targets: targets, baselines: baselines, line: node.mark?.line)
    }

    /// `record: auto | every | log | final`, or `record: {every: k}`.
    func recordPolicy(_ node: Node) throws -> RecordPolicy {
        if node.mapping != nil {
            let pairs = try mapping(node, allowed: ["every"], what: "record")
            guard let pair = pairs.first else { throw error(node, "record: {every: k} needs k") }
            return .everyK(try integer(pair.value, "every", minimum: 1, maximum: Limits.steps))
        }
        return try choice(node, "record") { text in
            switch text {
            case "auto": return .auto
            case "every": return .every
            case "log": return .log
            case "final": return .final
            default: throw InputError(NearestName.unknownMessage(kind: "record policy", name: text, valid: ["auto", "every", "log", "final", "{every: k}"]))
            }
        }
    }
}
