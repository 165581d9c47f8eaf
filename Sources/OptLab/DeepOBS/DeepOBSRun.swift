import Foundation

/// How the training points are ordered into batches.
public enum ShuffleMode: String, Sendable, CaseIterable {
    /// One seeded order (OptLab's generator), drawn once and reused every epoch.
    case once
    /// A fresh seeded order every epoch (OptLab's behaviour elsewhere).
    case perEpoch = "per_epoch"
    /// The order DeepOBS's TensorFlow pipeline gives a run of `random_seed` s: the same every
    /// epoch (see ``TensorFlowShuffle``). A reproduction of DeepOBS's published runs uses it.
    case tensorflow

    public static func parse(_ text: String) throws -> ShuffleMode {
        guard let mode = ShuffleMode(rawValue: text) else {
            throw InputError("shuffle must be once, per_epoch or tensorflow, got '\(Identifier.printable(text))'")
        }
        return mode
    }

    /// Whether every epoch uses the same order.
    public var isFixed: Bool { self != .perEpoch }
}

/// One optimizer on DeepOBS's `quadratic_deep`: batches of `batchSize` points (the remainder
/// dropped), gradient Q(θ − x̄) of the batch's mean loss, per-epoch training and test loss
/// from epoch 0 (before any step).
public struct QuadraticDeepRun: Sendable {
    public struct Epoch: Sendable {
        public var epoch: Int
        /// Mean loss over all training points, and over DeepOBS's 896 test points.
        public var trainLoss: Double
        public var testLoss: Double
        public var seconds: Double
        /// The learning rate of the epoch's steps (nil for epoch 0, before any step).
        public var learningRate: Double? = nil
    }

    public var optimizer: any Optimizer
    public var epochs: Int
    public var batchSize: Int
    public var shuffle: ShuffleMode
    public var seed: UInt64
    /// DeepOBS's `random_seed` of the run (TensorFlow's graph seed), for `shuffle: tensorflow`.
    public var tensorflowSeed: UInt64 = 42
    /// A learning-rate schedule, in the optimizer's convention.
    public var schedule: LearningRateSchedule?

    public init(optimizer: any Optimizer, epochs: Int, batchSize: Int, shuffle: ShuffleMode, seed: UInt64) {
        self.optimizer = optimizer
        self.epochs = epochs
        self.batchSize = batchSize
        self.shuffle = shuffle
        self.seed = seed
    }

    /// Runs it. Divergence (the documented rule for this problem): θ or a loss becomes
    /// non-finite, or the training loss at the end of an epoch exceeds 100 times epoch 0's.
    public func run(_ problem: QuadraticDeep = .shared) -> (epochs: [Epoch], status: RunStatus) {
        let n = QuadraticDeep.dimension, size = QuadraticDeep.trainingSize
        let started = DispatchTime.now().uptimeNanoseconds
        func elapsed() -> Double { Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9 }
        var theta = [Double](repeating: 1, count: n)
        let instance: OptimizerInstance<Double> = optimizer.makeInstance(parameterCount: n)
        instance.follow(schedule, convention: optimizer.convention)
        func record(_ epoch: Int) -> Epoch {
            Epoch(epoch: epoch, trainLoss: problem.trainingLoss(theta), testLoss: problem.testLoss(theta), seconds: elapsed(),
                  learningRate: epoch == 0 ? nil : instance.currentLearningRate)
        }
        var rows = [record(0)]
        let first = rows[0].trainLoss
        var order = Array(0..<size)
        var mean = [Double](repeating: 0, count: n), difference = [Double](repeating: 0, count: n)
        for epoch in stride(from: 1, through: epochs, by: 1) {
            instance.epoch = epoch - 1
            if shuffle == .tensorflow {
                if epoch == 1 { order = TensorFlowShuffle.order(count: size, graphSeed: tensorflowSeed) }
            } else if epoch == 1 || shuffle == .perEpoch {
                order = Array(0..<size)
                // The first epoch's order is the same in both modes; per_epoch draws anew after it.
                var generator = SplitMix64.derived(seed: seed, stream: epoch == 1 ? "deepobs-order" : "deepobs-order-\(epoch)")
                for i in stride(from: size - 1, to: 0, by: -1) {
                    order.swapAt(i, Int(generator.next() % UInt64(i + 1)))
                }
            }
            for b in 0..<(size / batchSize) {
                for j in 0..<n { mean[j] = 0 }
                for k in 0..<batchSize {
                    let p = order[b * batchSize + k]
                    for j in 0..<n { mean[j] += problem.training[p * n + j] }
                }
                for j in 0..<n { difference[j] = theta[j] - mean[j] / Double(batchSize) }
                instance.step(&theta, gradient: problem.apply(difference))
                if !theta.allSatisfy(\.isFinite) {
                    return (rows, .diverged)
                }
            }
            let row = record(epoch)
            instance.observe(row.trainLoss)
            rows.append(row)
            if !row.trainLoss.isFinite || !row.testLoss.isFinite || row.trainLoss > 100 * first { return (rows, .diverged) }
        }
        return (rows, .ok)
    }
}
