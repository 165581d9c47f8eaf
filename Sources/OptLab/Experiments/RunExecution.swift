import Foundation

/// The rows one finished run contributes to the results.
public struct RunOutcome: Sendable {
    public var run: RunSpec
    /// runs.csv fields by column name.
    public var fields: [String: String]
    public var epochRows: [[String]]
    /// trajectories.csv rows, already as CSV bytes (a surface run has thousands).
    public var trajectoryCSV: [UInt8]

    public init(run: RunSpec, fields: [String: String], epochRows: [[String]], trajectoryCSV: [UInt8]) {
        self.run = run
        self.fields = fields
        self.epochRows = epochRows
        self.trajectoryCSV = trajectoryCSV
    }

    public init(run: RunSpec, fields: [String: String], epochRows: [[String]], trajectoryRows: [[String]]) {
        self.init(run: run, fields: fields, epochRows: epochRows, trajectoryCSV: ResultsStore.bytes(trajectoryRows))
    }
}

/// Datasets shared by the runs of a suite: each is read from disk once.
final class DatasetCache: @unchecked Sendable {
    private let lock = NSLock()
    private var sets: [String: (train: ImageDataset, test: ImageDataset)] = [:]

    func load(_ problem: Suite.NetworkProblem) throws -> (train: ImageDataset, test: ImageDataset) {
        let key = "\(problem.dataset.rawValue)|\(problem.dataDirectory ?? "")|\(problem.trainLimit ?? 0)|\(problem.testLimit ?? 0)"
        lock.lock()
        defer { lock.unlock() }
        if let cached = sets[key] { return cached }
        var (train, test) = try problem.dataset.loadBoth(dataDirectory: problem.dataDirectory)
        if let limit = problem.trainLimit, limit < train.count { train = train.subset(0..<limit) }
        if let limit = problem.testLimit, limit < test.count { test = test.subset(0..<limit) }
        sets[key] = (train, test)
        return (train, test)
    }
}

extension Suite {
    /// The header of runs.csv for this suite.
    /// The header of epochs.csv: room for the deepest network of the suite (its hidden
    /// layers, swept or not, plus the output layer).
    public var epochsHeader: [String] {
        var deepest = 0
        for case .network(let p) in problems { deepest = max(deepest, p.base.hiddenLayers.count) }
        for values in [grid["layers"] ?? []] + optimizers.map({ $0.grid["layers"] ?? [] }) {
            for case .layers(let widths) in values { deepest = max(deepest, widths.count) }
        }
        // A suite with a DeepOBS problem adds the test loss of every epoch, at the end.
        return EpochRecord.csvHeader(layers: deepest == 0 ? 0 : deepest + 1) + (hasDeepOBS ? ["test_loss"] : [])
            + (hasSchedules ? ["lr"] : [])
    }

    /// A suite whose optimizers follow a learning-rate schedule records the rate each
    /// epoch used (its last step's), in an `lr` column at the end of epochs.csv.
    var hasSchedules: Bool {
        optimizers.contains { $0.schedule != nil || ($0.grid["schedule"] ?? []).count > 0 } || (grid["schedule"] ?? []).count > 0
    }

    var hasDeepOBS: Bool { problems.contains { if case .deepobs = $0 { true } else { false } } }

    public var runsHeader: [String] {
        RunsTable.header(sweptKeys: sweptKeys, targetColumns: Array(Set(problems.flatMap { $0.targets.map(\.column) })),
                         tuning: tuning != nil, deepOBS: hasDeepOBS)
    }

    /// Runs one spec to completion. A diverged run is an outcome; a run that cannot
    /// start (missing data) is recorded as `failed` with the message on standard error.
    /// `teamForEpoch` gives a network run its thread team before each epoch (nil: one
    /// thread); the numbers do not depend on it.
    /// With `adaptive`, a widened team is used only while faster than one thread.
    func execute(_ run: RunSpec, datasets: DatasetCache, teamForEpoch: ((Int) -> ThreadTeam)? = nil, adaptive: Bool = false) -> RunOutcome {
        let started = DispatchTime.now().uptimeNanoseconds
        let problem = problems[run.problemIndex]
        var fields: [String: String] = [
            "run_id": run.id, "problem": problem.name, "optimizer": run.optimizer.kind.rawValue,
            "convention": run.optimizer.convention.rawValue, "repeat": "\(run.repeatIndex)", "seed": "\(run.seed)",
        ]
        if let phase = run.phase { fields["phase"] = phase.rawValue }
        if let trial = run.trial { fields["trial"] = "\(trial)" }
        fields["lr"] = (try? run.optimizer.resolvedValues()["lr"]).map(CSV.number) ?? ""
        for (key, value) in run.settings where key != "lr" { fields[key] = value.description }
        var epochRows: [[String]] = [], trajectoryCSV: [UInt8] = []
        do {
            switch problem {
            case .network(let p):
                fields["type"] = "network"
                try executeNetwork(run, p, datasets: datasets, teamForEpoch: teamForEpoch, adaptive: adaptive, fields: &fields, rows: &epochRows)
            case .surface(let p):
                fields["type"] = "surface"
                try executeSurface(run, p, fields: &fields, csv: &trajectoryCSV)
            case .deepobs(let p):
                fields["type"] = "deepobs"
                try executeDeepOBS(run, p, fields: &fields, rows: &epochRows)
            }
        } catch {
            fields["status"] = RunStatus.failed.rawValue
            FileHandle.standardError.write(Data("run \(run.id) failed: \(error)\n".utf8))
        }
        fields["wall_seconds"] = CSV.number(Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9)
        return RunOutcome(run: run, fields: fields, epochRows: epochRows, trajectoryCSV: trajectoryCSV)
    }

    private func executeNetwork(_ run: RunSpec, _ problem: NetworkProblem, datasets: DatasetCache,
                                teamForEpoch: ((Int) -> ThreadTeam)?, adaptive: Bool,
                                fields: inout [String: String], rows: inout [[String]]) throws {
        var configuration = problem.base
        configuration.optimizer = run.optimizer
        configuration.seed = run.seed
        for (key, value) in run.settings {
            switch (key, value) {
            case ("l1", .number(let v)): configuration.l1 = v
            case ("l2", .number(let v)): configuration.l2 = v
            case ("dropout", .number(let v)): configuration.dropout = [v]
            case ("batch_size", .number(let v)): configuration.batchSize = Int(v)
            case ("layers", .layers(let widths)): configuration.hiddenLayers = widths
            case ("activation", .text(let name)): configuration.activation = try Activation.parse(name)
            default: break
            }
        }
        let (train, test) = try datasets.load(problem)
        var training = train, validation: ImageDataset?
        if problem.validation > 0 {
            guard problem.validation < train.count else {
                throw InputError("validation \(problem.validation) is not smaller than the \(train.count) training examples")
            }
            var generator = SplitMix64.derived(seed: run.seed, stream: "split")
            (training, validation) = train.splitValidation(count: problem.validation, generator: &generator)
        }
        let result = try Trainer.train(configuration, training: training, validation: validation, test: test,
                                       adaptive: adaptive, teamForEpoch: teamForEpoch)
        let layers = epochsHeader.filter { $0.hasPrefix("grad_rms_") }.count
        rows = result.epochs.map { $0.csvFields(runID: run.id, layers: layers) + (hasDeepOBS ? [""] : [])
            + (hasSchedules ? [$0.learningRate.map(CSV.number) ?? ""] : []) }
        fields["status"] = result.status.rawValue
        fields["epochs"] = "\(result.epochs.count)"
        if let last = result.epochs.last {
            fields["final_train_loss"] = CSV.number(last.trainLoss)
            fields["final_train_acc"] = CSV.number(last.trainAccuracy)
            fields["final_val_loss"] = last.validationLoss.map(CSV.number) ?? ""
            fields["final_val_acc"] = last.validationAccuracy.map(CSV.number) ?? ""
        }
        fields["final_test_acc"] = result.testAccuracy.map(CSV.number) ?? ""
        let validationLosses = result.epochs.compactMap(\.validationLoss).filter(\.isFinite)
        let validationAccuracies = result.epochs.compactMap(\.validationAccuracy)
        fields["best_val_loss"] = validationLosses.min().map(CSV.number) ?? ""
        fields["best_val_acc"] = validationAccuracies.max().map(CSV.number) ?? ""
        for target in problem.targets {
            let reached = result.epochs.first(where: StopTarget(metric: target.metric, value: target.value).reached)
            fields[target.column] = reached.map { "\($0.epoch)" } ?? ""
        }
    }

    private func executeSurface(_ run: RunSpec, _ problem: SurfaceProblem, fields: inout [String: String], csv: inout [UInt8]) throws {
        let start = run.start ?? problem.starts[0]
        var descent = Descent(surface: problem.surface, optimizer: try run.optimizer.make(), start: start, steps: problem.steps,
                              noise: problem.noise, seed: run.seed)
        if problem.stopAtTarget { descent.stopTargets = problem.targets.map { problem.reached($0) } }
        descent.schedule = run.optimizer.schedule
        let result = descent.run()
        var targetSteps: Set<Int> = []
        fields["start_x"] = CSV.number(start.x)
        fields["start_y"] = CSV.number(start.y)
        fields["status"] = result.status.rawValue
        fields["steps"] = "\(result.final.step)"
        fields["final_loss"] = CSV.number(result.final.loss)
        fields["best_loss"] = CSV.number(result.trajectory.map(\.loss).min()!)
        fields["final_distance"] = result.distanceToMinimum.map(CSV.number) ?? ""
        for target in problem.targets {
            let reached = result.trajectory.first(where: problem.reached(target))
            fields[target.column] = reached.map { "\($0.step)" } ?? ""
            if let reached { targetSteps.insert(reached.step) }
        }
        // Written straight as bytes, the same as CSV.row of the five fields.
        let recorded = problem.record.filter(result.trajectory, always: targetSteps)
        let id = Array(CSV.escape(run.id).utf8)
        csv.reserveCapacity(recorded.count * (id.count + 64))
        for point in recorded {
            csv.append(contentsOf: id)
            for field in ["\(point.step)", CSV.number(point.point.x), CSV.number(point.point.y), CSV.number(point.loss)] {
                csv.append(0x2C)
                csv.append(contentsOf: field.utf8)
            }
            csv.append(0x0A)
        }
    }

    /// A DeepOBS problem: one epochs.csv row per epoch from epoch 0 (before any step), with
    /// the training loss (all points) and the test loss (DeepOBS's 896 test points).
    private func executeDeepOBS(_ run: RunSpec, _ problem: DeepOBSProblem, fields: inout [String: String], rows: inout [[String]]) throws {
        var deepOBSRun = QuadraticDeepRun(optimizer: try run.optimizer.make(), epochs: problem.epochs, batchSize: problem.batchSize,
                                          shuffle: problem.shuffle, seed: run.seed)
        deepOBSRun.tensorflowSeed = problem.tensorflowSeed(repeatIndex: run.repeatIndex, phase: run.phase)
        deepOBSRun.schedule = run.optimizer.schedule
        let result = deepOBSRun.run()
        let header = epochsHeader
        rows = result.epochs.map { e in
            let values = ["run_id": run.id, "epoch": "\(e.epoch)", "train_loss": CSV.number(e.trainLoss),
                          "test_loss": CSV.number(e.testLoss), "seconds": CSV.number(e.seconds), "lr": e.learningRate.map(CSV.number) ?? ""]
            return header.map { values[$0] ?? "" }
        }
        fields["status"] = result.status.rawValue
        fields["epochs"] = "\(result.epochs.count - 1)"
        if let last = result.epochs.last {
            fields["final_train_loss"] = CSV.number(last.trainLoss)
            fields["final_test_loss"] = CSV.number(last.testLoss)
        }
        for target in problem.targets {
            let reached = result.epochs.first { e in
                let value = target.metric == "test_loss" ? e.testLoss : e.trainLoss
                return value.isFinite && value <= target.value
            }
            fields[target.column] = reached.map { "\($0.epoch)" } ?? ""
        }
    }
}
