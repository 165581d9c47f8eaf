import CMath
import CSparse
import Foundation

/// Everything that defines one network training run.
/// A level of an epoch metric: `val_acc`, `train_acc`, `test_acc` (reached when ≥),
/// `val_loss`, `train_loss` (reached when ≤).
public struct StopTarget: Sendable, Hashable {
    public var metric: String
    public var value: Double

    public init(metric: String, value: Double) {
        self.metric = metric
        self.value = value
    }

    public func reached(_ record: EpochRecord) -> Bool {
        let observed: Double? = switch metric {
        case "val_acc": record.validationAccuracy
        case "train_acc": record.trainAccuracy
        case "test_acc": record.testAccuracy
        case "val_loss": record.validationLoss
        default: record.trainLoss
        }
        guard let observed, observed.isFinite else { return false }
        return metric.hasSuffix("acc") ? observed >= value : observed <= value
    }
}

public struct TrainingConfiguration: Sendable, Hashable {
    public enum Monitor: String, Sendable, Hashable, CaseIterable {
        case valLoss = "val_loss"
        case valAcc = "val_acc"
    }

    public var hiddenLayers: [Int]
    public var activation: Activation
    public var output: OutputLoss
    /// The squared-error scaling of sigmoid and linear outputs (``SquaredLoss``).
    public var squaredLoss: SquaredLoss
    public var optimizer: OptimizerSpec
    public var epochs: Int
    public var batchSize: Int
    public var l1: Double
    public var l2: Double
    /// One rate for every hidden layer, or one per hidden layer.
    public var dropout: [Double]
    /// Stop after this many epochs without improvement of `monitor`, restoring the best
    /// weights (nil: never stop early).
    public var earlyStoppingPatience: Int?
    public var monitor: Monitor
    public var augmentation: Augmentation
    public var seed: UInt64
    /// Evaluate the test set after every epoch, not only at the end.
    public var testEveryEpoch: Bool
    /// With `stop_at_target`: training ends (status `stopped_at_target`) after the epoch
    /// in which the last of these is first reached.
    public var stopTargets: [StopTarget] = []

    public init(
        hiddenLayers: [Int], activation: Activation = .relu, output: OutputLoss = .softmax, squaredLoss: SquaredLoss = .mse,
        optimizer: OptimizerSpec, epochs: Int, batchSize: Int,
        l1: Double = 0, l2: Double = 0, dropout: [Double] = [],
        earlyStoppingPatience: Int? = nil, monitor: Monitor = .valLoss,
        augmentation: Augmentation = Augmentation(), seed: UInt64 = 0, testEveryEpoch: Bool = false
    ) {
        self.hiddenLayers = hiddenLayers
        self.activation = activation
        self.output = output
        self.squaredLoss = squaredLoss
        self.optimizer = optimizer
        self.epochs = epochs
        self.batchSize = batchSize
        self.l1 = l1
        self.l2 = l2
        self.dropout = dropout
        self.earlyStoppingPatience = earlyStoppingPatience
        self.monitor = monitor
        self.augmentation = augmentation
        self.seed = seed
        self.testEveryEpoch = testEveryEpoch
    }

    /// The architecture for inputs of `inputSize` and `classes` outputs.
    public func architecture(inputSize: Int, classes: Int) -> NetworkArchitecture {
        let rates = dropout.count == 1 ? Array(repeating: dropout[0], count: hiddenLayers.count) : dropout
        return NetworkArchitecture(layerSizes: [inputSize] + hiddenLayers + [classes],
                                   activation: activation, output: output, squaredLoss: squaredLoss, dropout: rates)
    }

    /// Checks every value; an ``InputError`` names the first bad one.
    public func validate() throws {
        guard epochs >= 1, epochs <= Limits.epochs else { throw InputError("epochs must be from 1 to \(Limits.epochs), got \(epochs)") }
        guard batchSize >= 1, batchSize <= Limits.batchSize else {
            throw InputError("batch size must be from 1 to \(Limits.batchSize), got \(batchSize)")
        }
        guard !hiddenLayers.isEmpty, hiddenLayers.count <= Limits.depth else {
            throw InputError("a network has 1 to \(Limits.depth) hidden layers, got \(hiddenLayers.count)")
        }
        if let bad = hiddenLayers.first(where: { $0 < 1 || $0 > Limits.layerWidth }) {
            throw InputError("a hidden layer has 1 to \(Limits.layerWidth) units, got \(bad)")
        }
        guard l1 >= 0, l1.isFinite else { throw InputError("l1 must be a finite number ≥ 0, got \(l1)") }
        guard l2 >= 0, l2.isFinite else { throw InputError("l2 must be a finite number ≥ 0, got \(l2)") }
        if let patience = earlyStoppingPatience, patience < 1 {
            throw InputError("early-stopping patience must be ≥ 1 epoch, got \(patience)")
        }
        try augmentation.validate()
        if output == .softmax, squaredLoss != .mse {
            throw InputError("loss \(squaredLoss.rawValue) needs a sigmoid or linear output; softmax always uses cross-entropy")
        }
        try architecture(inputSize: 1, classes: 1).validate()
        _ = try optimizer.resolvedValues()
    }
}

/// One row of `epochs.csv`.
public struct EpochRecord: Sendable, Equatable {
    public var epoch: Int
    /// Mean data loss over the epoch's batches (training mode), without the penalty.
    public var trainLoss: Double
    /// `l1·Σ|w| + l2·Σw²` at the end of the epoch (0 without regularization).
    public var penalty: Double
    public var trainAccuracy: Double
    public var validationLoss: Double?
    public var validationAccuracy: Double?
    public var testLoss: Double?
    public var testAccuracy: Double?
    /// Wall-clock seconds since training started, at the end of this epoch.
    public var seconds: Double
    /// Per layer, input side first: the root mean square of the weight gradient the
    /// optimizer received (data loss plus penalty), ‖∂L/∂W‖ / √(fan-in·fan-out), averaged
    /// over every fourth batch of the epoch (the first, fifth, ...: reading the whole
    /// gradient once more per batch costs a few percent of an epoch; a quarter of the
    /// batches estimates the mean well). Per weight, so that layers of different sizes
    /// compare: vanishing gradients show as values that shrink towards the input.
    public var gradientRMS: [Double] = []
    /// The learning rate of the epoch's last step (a schedule's value).
    public var learningRate: Double?

    /// The columns every epochs.csv starts with.
    public static let baseColumns = ["run_id", "epoch", "train_loss", "val_loss", "train_acc", "val_acc", "test_acc", "seconds"]

    /// The header of `epochs.csv` for networks of up to `layers` weight layers (the
    /// results-layout contract): the base columns, then `grad_rms_1` … `grad_rms_<layers>`.
    public static func csvHeader(layers: Int) -> [String] {
        baseColumns + (0..<layers).map { "grad_rms_\($0 + 1)" }
    }

    /// The row, with `layers` gradient columns (empty beyond this network's layers).
    public func csvFields(runID: String, layers: Int) -> [String] {
        [runID, "\(epoch)", CSV.number(trainLoss), validationLoss.map(CSV.number) ?? "",
         CSV.number(trainAccuracy), validationAccuracy.map(CSV.number) ?? "", testAccuracy.map(CSV.number) ?? "",
         CSV.number(seconds)] + (0..<layers).map { $0 < gradientRMS.count ? CSV.number(gradientRMS[$0]) : "" }
    }
}

/// Where the time of a run went.
public struct TrainingProfile: Sendable {
    public var totalSeconds = 0.0
    public var matrixSeconds = 0.0
    public var optimizerSeconds = 0.0
    /// Everything else: batch assembly, activations, losses, evaluation's non-BLAS work.
    public var elementwiseSeconds: Double { totalSeconds - matrixSeconds - optimizerSeconds }
    /// With an adaptive team: the share of full batches taken on the wide team.
    public var wideTeamShare: Double?
}

public struct TrainingResult: Sendable {
    public var epochs: [EpochRecord]
    public var status: RunStatus
    /// The epoch whose weights were kept (the best one under early stopping, else the
    /// last; 0 when the run diverged).
    public var keptEpoch: Int
    public var testLoss: Double?
    public var testAccuracy: Double?
    public var profile: TrainingProfile
    /// The final parameters (after restoring the best under early stopping).
    public var parameters: [Float]
}

/// Trains an MLP: the loop is forward, loss, backward, optimizer step, record.
public enum Trainer {
    /// Rows per forward pass when evaluating.
    static let evaluationRows = 1000

    /// A batch loss above this multiple of the first batch's loss ends the run as
    /// diverged (with cross-entropy on 10 classes, the first is about 2.3).
    public static let divergenceFactor = 100.0

    /// Trains on `training`, evaluating on `validation` after every epoch and on `test` at
    /// the end. `team` shares the network's passes and the optimizer step between threads
    /// (its workers get the same denormal flushing as the caller). `teamForEpoch`, when
    /// given, is asked before each epoch (1-based) for that epoch's team; a suite widens a
    /// run this way once fewer runs are left than processors. With `adaptive`, a team of
    /// several threads is used only while it is faster than this thread alone, measured on
    /// the run's own steps (``TeamChooser``). The numbers depend on none of these (see
    /// ``MLP/smallProductLimit``).
    public static func train(
        _ configuration: TrainingConfiguration,
        training: ImageDataset, validation: ImageDataset?, test: ImageDataset?,
        team: ThreadTeam = .serial,
        adaptive: Bool = false,
        onEpoch: (EpochRecord) throws -> Void = { _ in },
        teamForEpoch: ((Int) -> ThreadTeam)? = nil
    ) throws -> TrainingResult {
        try configuration.validate()
        guard training.count > 0, training.pixelsPerImage > 0 else { throw InputError("the training set is empty") }
        for (name, set) in [("validation", validation), ("test", test)] {
            guard let set else { continue }
            guard set.count > 0 else { throw InputError("the \(name) set is empty") }
            guard set.rows == training.rows, set.columns == training.columns, set.classCount == training.classCount else {
                throw InputError("the \(name) set's images (\(set.rows)×\(set.columns), \(set.classCount) classes) differ from the training images (\(training.rows)×\(training.columns), \(training.classCount) classes)")
            }
        }
        // Denormal moments would slow the optimizer step by up to 100x (see CMath).
        var floatControls = [UInt32](repeating: 0, count: team.size)
        floatControls.withUnsafeMutableBufferPointer { controls in
            team.run { part in controls[part] = optlab_flush_denormals() }
        }
        defer {
            floatControls.withUnsafeBufferPointer { controls in
                team.run { part in optlab_restore_float_control(controls[part]) }
            }
        }
        let batchSize = min(configuration.batchSize, training.count)
        let architecture = configuration.architecture(inputSize: training.pixelsPerImage, classes: training.classCount)
        let network = MLP(architecture: architecture, maxRows: max(batchSize, evaluationRows), team: team)
        var initGenerator = SplitMix64.derived(seed: configuration.seed, stream: "init")
        var shuffleGenerator = SplitMix64.derived(seed: configuration.seed, stream: "shuffle")
        var dropoutGenerator = SplitMix64.derived(seed: configuration.seed, stream: "dropout")
        var augmentGenerator = SplitMix64.derived(seed: configuration.seed, stream: "augment")
        network.initialize(using: &initGenerator)
        let optimizer: OptimizerInstance<Float> = try configuration.optimizer.makeInstance(parameterCount: network.parameters.count)
        // Decoupled weight decay shrinks the weights, not the biases, unless asked otherwise.
        if try configuration.optimizer.resolvedValues().values["decay_bias"] != 1 {
            optimizer.decayExcluded = network.layers.map { $0.biasOffset..<($0.biasOffset + $0.fanOut) }
        }
        let (l1, l2) = (Float(configuration.l1), Float(configuration.l2))

        let pixels = training.pixelsPerImage
        let input = FloatBuffer(count: network.maxRows * pixels)
        let scratch = FloatBuffer(count: pixels)
        var labels = [UInt8](repeating: 0, count: network.maxRows)
        let inputProfile = InputProfile(maxRows: network.maxRows)
        var order = Array(0..<training.count)
        var records: [EpochRecord] = []
        var status = RunStatus.ok
        var profile = TrainingProfile()
        let started = DispatchTime.now().uptimeNanoseconds
        var best: (value: Double, epoch: Int, parameters: FloatBuffer)?
        var epochsWithoutImprovement = 0
        var keptEpoch = 0
        var testLoss: Double?, testAccuracy: Double?

        var firstBatchLoss: Double?
        var flushedTeams: Set<ObjectIdentifier> = [ObjectIdentifier(team)]
        var wideTeam = team
        var chooser = TeamChooser()
        for epoch in 1...configuration.epochs {
            if let next = teamForEpoch?(epoch), next !== wideTeam {
                // The new team's workers flush denormals too (its part 0 is this thread,
                // flushed above); they run training regions only, so they stay so.
                if flushedTeams.insert(ObjectIdentifier(next)).inserted {
                    next.run { part in if part > 0 { _ = optlab_flush_denormals() } }
                }
                wideTeam = next
            }
            network.team = wideTeam
            optimizer.epoch = epoch - 1
            order.shuffle(using: &shuffleGenerator)
            var lossSum = 0.0, correct = 0
            var gradientNormSums = [Double](repeating: 0, count: network.layers.count), sampled = 0, batchIndex = 0
            for batchStart in stride(from: 0, to: training.count, by: batchSize) {
                let rows = min(batchSize, training.count - batchStart)
                let choosing = adaptive && wideTeam.size > 1 && rows == batchSize
                if choosing { network.team = chooser.wide ? wideTeam : .serial }
                let stepStarted = DispatchTime.now().uptimeNanoseconds
                // The batch is profiled for the input layer while it is copied (unless an
                // augmentation changes it afterwards).
                let profile = configuration.augmentation.isIdentity ? inputProfile : nil
                fill(input, labels: &labels, from: training, indices: order[batchStart..<(batchStart + rows)],
                     team: network.team, profile: profile)
                if !configuration.augmentation.isIdentity {
                    for r in 0..<rows {
                        configuration.augmentation.apply(to: input.base + r * pixels, rows: training.rows,
                                                         columns: training.columns, scratch: scratch.base,
                                                         generator: &augmentGenerator)
                    }
                }
                let (loss, batchCorrect) = labels.withUnsafeBufferPointer { y in
                    let (loss, batchCorrect) = network.forward(input.base, rows: rows, labels: y.baseAddress!,
                                                               dropout: &dropoutGenerator, inputProfile: profile)
                    // The optimizer step is fused into the backward pass: each layer is
                    // updated as soon as its gradient is complete (same numbers as a step
                    // over the whole buffer afterwards).
                    let update = optimizer.beginStep()
                    let (parameters, gradient) = (network.parameters.buffer, UnsafeBufferPointer(network.gradient.buffer))
                    network.backward(input.base, rows: rows, labels: y.baseAddress!, l1: l1, l2: l2) { range in
                        update(parameters, gradient, range)
                    }
                    return (loss, batchCorrect)
                }
                if choosing { chooser.record(nanoseconds: DispatchTime.now().uptimeNanoseconds - stepStarted) }
                lossSum += loss * Double(rows)
                correct += batchCorrect
                if batchIndex % 4 == 0 {
                    network.addWeightGradientNorms(to: &gradientNormSums)
                    sampled += 1
                }
                batchIndex += 1
                // Divergence: a non-finite loss, or one far above where training started.
                if firstBatchLoss == nil { firstBatchLoss = loss }
                if !loss.isFinite || loss > Self.divergenceFactor * max(firstBatchLoss ?? loss, 1e-12) {
                    status = .diverged
                    break
                }
            }
            var record = EpochRecord(
                epoch: epoch, trainLoss: lossSum / Double(training.count),
                penalty: network.penalty(l1: configuration.l1, l2: configuration.l2),
                trainAccuracy: Double(correct) / Double(training.count), seconds: 0,
                gradientRMS: network.layers.enumerated().map { l, layer in
                    gradientNormSums[l] / Double(max(sampled, 1)) / Double(layer.fanIn * layer.fanOut).squareRoot()
                })
            record.learningRate = optimizer.currentLearningRate
            if status == .ok, !parametersAreFinite(network) { status = .diverged }
            if status == .ok, let validation {
                (record.validationLoss, record.validationAccuracy) = evaluate(network, on: validation, input: input, labels: &labels)
            }
            optimizer.observe(record.validationLoss ?? record.trainLoss)
            if status == .ok, configuration.testEveryEpoch, let test {
                (record.testLoss, record.testAccuracy) = evaluate(network, on: test, input: input, labels: &labels)
            }
            var finished = status == .diverged || epoch == configuration.epochs
            if status != .diverged, let patience = configuration.earlyStoppingPatience {
                let value: Double
                switch configuration.monitor {
                case .valLoss: value = record.validationLoss ?? record.trainLoss
                case .valAcc: value = -(record.validationAccuracy ?? record.trainAccuracy)
                }
                if best == nil || value < best!.value {
                    let snapshot = best?.parameters ?? FloatBuffer(count: network.parameters.count)
                    snapshot.copy(from: network.parameters)
                    best = (value, epoch, snapshot)
                    epochsWithoutImprovement = 0
                } else {
                    epochsWithoutImprovement += 1
                    if epochsWithoutImprovement >= patience, epoch < configuration.epochs {
                        status = .stoppedEarly
                        finished = true
                    }
                }
            }
            if !finished, status == .ok, !configuration.stopTargets.isEmpty,
               configuration.stopTargets.allSatisfy({ target in target.reached(record) || records.contains { target.reached($0) } }) {
                status = .stoppedAtTarget
                finished = true
            }
            if finished, status != .diverged {
                // The last row reports the test metrics of the weights that are kept.
                if let best, best.epoch != epoch { network.parameters.copy(from: best.parameters) }
                keptEpoch = best?.epoch ?? epoch
                if let test {
                    (testLoss, testAccuracy) = evaluate(network, on: test, input: input, labels: &labels)
                    (record.testLoss, record.testAccuracy) = (testLoss, testAccuracy)
                }
            }
            record.seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
            records.append(record)
            try onEpoch(record)
            if finished { break }
        }

        profile.totalSeconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        profile.matrixSeconds = Double(network.matrixNanoseconds) / 1e9
        profile.optimizerSeconds = Double(network.updateNanoseconds) / 1e9
        if adaptive && chooser.wideSteps + chooser.narrowSteps > 0 { profile.wideTeamShare = chooser.wideShare }
        return TrainingResult(epochs: records, status: status, keptEpoch: keptEpoch, testLoss: testLoss,
                              testAccuracy: testAccuracy, profile: profile, parameters: network.parameters.array)
    }

    /// Mean data loss and accuracy over a whole dataset, in inference mode (no dropout).
    static func evaluate(_ network: MLP, on data: ImageDataset, input: FloatBuffer, labels: inout [UInt8]) -> (Double, Double) {
        var lossSum = 0.0, correct = 0
        for start in stride(from: 0, to: data.count, by: network.maxRows) {
            let rows = min(network.maxRows, data.count - start)
            fill(input, labels: &labels, from: data, indices: start..<(start + rows), team: network.team)
            let (loss, batchCorrect) = labels.withUnsafeBufferPointer {
                network.forward(input.base, rows: rows, labels: $0.baseAddress!)
            }
            lossSum += loss * Double(rows)
            correct += batchCorrect
        }
        return (lossSum / Double(data.count), Double(correct) / Double(data.count))
    }

    /// Copies the examples at `indices` into `input`, scaling bytes to [0, 1], and their
    /// labels, the team's threads taking blocks of rows; with `profile`, the threads that
    /// copy the rows also profile them (``InputProfile``).
    static func fill(_ input: FloatBuffer, labels: inout [UInt8], from data: ImageDataset, indices: some Collection<Int>,
                     team: ThreadTeam = .serial, profile: InputProfile? = nil) {
        let pixels = data.pixelsPerImage
        let sources = Array(indices)
        precondition(profile.map { sources.count <= $0.capacity } ?? true)
        data.images.withUnsafeBufferPointer { images in
            team.forEachChunk(sources.count, granularity: 8, minimumCount: 64) { block in
                for r in block {
                    let source = images.baseAddress! + sources[r] * pixels
                    let target = input.base + r * pixels
                    for p in 0..<pixels { target[p] = Float(source[p]) * (1 / 255) }
                    profile?.profile(row: r, target, width: pixels)
                }
            }
        }
        if let profile { (profile.rows, profile.width) = (sources.count, pixels) }
        for (r, index) in sources.enumerated() { labels[r] = data.labels[index] }
    }

    static func parametersAreFinite(_ network: MLP) -> Bool {
        var sum: Float = 0
        for i in 0..<network.parameters.count { sum += network.parameters[i] * 0 }
        return sum == 0  // NaN or ±∞ anywhere makes the sum NaN.
    }
}
