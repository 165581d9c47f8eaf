import Foundation
import Testing
import OptLab

@Suite("Threads: a team splits loops without changing results")
struct ThreadTeamTests {
    @Test("chunks tile 0..<count in order, on multiples of the granularity",
          arguments: [(0, 2, 1), (1, 2, 1), (7, 3, 1), (128, 2, 8), (130, 2, 8), (784, 2, 16), (5, 4, 16), (100_003, 3, 64)])
    func chunks(count: Int, parts: Int, granularity: Int) {
        var next = 0
        for part in 0..<parts {
            let range = ThreadTeam.chunk(part, of: parts, count: count, granularity: granularity)
            #expect(range.lowerBound == next, "part \(part) of \(parts) over \(count)")
            if range.upperBound < count { #expect(range.upperBound % granularity == 0) }
            next = range.upperBound
        }
        #expect(next == count)
    }

    @Test("every part runs once per region, and run returns only when all have finished",
          arguments: [1, 2, 3, 5])
    func regions(threads: Int) {
        let team = ThreadTeam(threads: threads)
        #expect(team.size == threads)
        var counts = [Int](repeating: 0, count: threads)
        counts.withUnsafeMutableBufferPointer { counts in
            for region in 0..<2_000 {
                team.run { part in
                    // Now and then a part is slow, and now and then the workers have gone to
                    // sleep before the next region (the pause outlasts their spinning).
                    if region % 500 == 0 { usleep(2_000) }
                    counts[part] += 1
                }
            }
        }
        #expect(counts == [Int](repeating: 2_000, count: threads))
    }

    @Test("the default team size is the processors the process may run on")
    func availableCores() {
        #expect(ThreadTeam.availableCores >= 1)
        #expect(ThreadTeam.availableCores <= ProcessInfo.processInfo.processorCount)
    }

    @Test("forEachChunk covers every element once, in parallel or inline")
    func forEachChunk() {
        let team = ThreadTeam(threads: 3)
        for (count, minimum) in [(10, 0), (10, 1_000), (1_000, 0), (1, 0)] {
            var hits = [Int](repeating: 0, count: count)
            hits.withUnsafeMutableBufferPointer { hits in
                team.forEachChunk(count, granularity: 4, minimumCount: minimum) { range in
                    for i in range { hits[i] += 1 }
                }
            }
            #expect(hits == [Int](repeating: 1, count: count), "count \(count)")
        }
    }

    @Test("an optimizer step split between three threads equals the serial step bit for bit",
          arguments: OptimizerKind.allCases)
    func optimizerSplit(kind: OptimizerKind) throws {
        let count = 100_003  // not a multiple of the chunk granularity
        var generator = SplitMix64(seed: 11)
        let gradients = (0..<4).map { _ in (0..<count).map { _ in Float(generator.nextDouble() * 2 - 1) } }
        let start = (0..<count).map { _ in Float(generator.nextDouble()) }
        let team = ThreadTeam(threads: 3)
        for convention in Convention.allCases {
            let spec = OptimizerSpec(kind: kind, convention: convention)
            let serial: OptimizerInstance<Float> = try spec.make().makeInstance(parameterCount: count)
            let split: OptimizerInstance<Float> = try spec.make().makeInstance(parameterCount: count)
            var a = start, b = start
            for g in gradients {
                g.withUnsafeBufferPointer { g in
                    a.withUnsafeMutableBufferPointer { serial.step($0, gradient: g) }
                    b.withUnsafeMutableBufferPointer { split.step($0, gradient: g, team: team) }
                }
            }
            #expect(a == b, "\(kind) \(convention)")
            #expect(a != start)
        }
    }

    @Test("training gives the same numbers, bit for bit, with one, two or three threads",
          .enabled(if: TestData.hasMNIST, TestData.mnistMissing),
          arguments: [
              // Every product split in halves (all blocks above the small-product limit).
              ([128, 64], 128, Activation.relu, "adam"),
              // At batch 64 the 300×100 layer's halves (64/2 × 300 × 100 multiply-adds)
              // fall below the limit, where OpenBLAS would round them differently from
              // the whole: that product stays whole; 47 rows in the last batch.
              ([300, 100], 64, Activation.sigmoid, "momentum"),
          ])
    func training(hidden: [Int], batchSize: Int, activation: Activation, optimizer: String) throws {
        let all = try DatasetName.mnist.load(.test, dataDirectory: try #require(TestData.mnistDirectory))
        let (train, validation) = (all.subset(0..<2_095), all.subset(9_000..<10_000))
        let configuration = TrainingConfiguration(
            hiddenLayers: hidden, activation: activation, optimizer: OptimizerSpec(kind: try .parse(optimizer)),
            epochs: 2, batchSize: batchSize, l1: 1e-6, l2: 1e-5, dropout: [0.1], seed: 3)
        func run(_ team: ThreadTeam) throws -> TrainingResult {
            try Trainer.train(configuration, training: train, validation: validation, test: nil, team: team)
        }
        // As `optlab train` runs it: the team splits the products, OpenBLAS uses one thread.
        BLASThreads.set(1)
        let serial = try run(.serial)
        for threads in [2, 3] {
            let parallel = try run(ThreadTeam(threads: threads))
            let differing = zip(parallel.parameters, serial.parameters).filter { $0 != $1 }.count
            #expect(differing == 0, "\(threads) threads: \(differing) of \(serial.parameters.count) parameters differ")
            #expect(parallel.epochs.map(\.trainLoss) == serial.epochs.map(\.trainLoss), "\(threads) threads")
            #expect(parallel.epochs.map(\.validationLoss) == serial.epochs.map(\.validationLoss), "\(threads) threads")
        }
        // A team chosen step by step (both used within this short run, switching mid-epoch).
        let adaptive = try Trainer.train(configuration, training: train, validation: validation, test: nil,
                                         team: ThreadTeam(threads: 2), adaptive: true)
        let share = try #require(adaptive.profile.wideTeamShare)
        #expect(share > 0 && share < 1)
        #expect(zip(adaptive.parameters, serial.parameters).filter { $0 != $1 }.count == 0)
        #expect(adaptive.epochs.map(\.trainLoss) == serial.epochs.map(\.trainLoss))
        // It trained: the second epoch's training loss is below the first's.
        #expect(serial.epochs[1].trainLoss < serial.epochs[0].trainLoss)
    }

    @Test("the team chooser: wide for a window, one thread for a window, then the faster until the cycle ends; one thread rechecked sooner")
    func chooser() {
        var chooser = TeamChooser()
        var taken: [Bool] = []
        /// Runs `steps` steps, the wide team taking `wide` ns a step and one thread `narrow`.
        func take(_ steps: Int, wide: UInt64, narrow: UInt64) -> [Bool] {
            let choices = (0..<steps).map { _ in
                let w = chooser.wide
                chooser.record(nanoseconds: w ? wide : narrow)
                return w
            }
            taken += choices
            return choices
        }
        let (window, period, warmUp) = (TeamChooser.window, TeamChooser.period, TeamChooser.warmUp)
        // Warm-up and the first window on the wide team, the second on one thread.
        #expect(take(warmUp + window, wide: 900, narrow: 1_000) == Array(repeating: true, count: warmUp + window))
        #expect(take(window, wide: 900, narrow: 1_000) == Array(repeating: false, count: window))
        // The wide team was faster: it runs the rest of the cycle.
        #expect(take(period - 2 * window, wide: 900, narrow: 1_000).allSatisfy { $0 })
        // Next cycle, the wide team has become slower (a competing process): one thread wins,
        // and is checked again after a short cycle, then cycles twice as long while it wins.
        let short = TeamChooser.shortPeriod
        #expect(short < period && short > 2 * window)
        for length in [short, 2 * short, 4 * short, period, period] {
            #expect(take(window, wide: 2_000, narrow: 1_000).allSatisfy { $0 }, "cycle of \(length)")
            #expect(take(window, wide: 2_000, narrow: 1_000).allSatisfy { !$0 })
            #expect(take(length - 2 * window, wide: 2_000, narrow: 1_000).allSatisfy { !$0 }, "cycle of \(length)")
        }
        // The load ends: the next cycle's wide window wins, and the wide team keeps a full cycle.
        #expect(take(window, wide: 900, narrow: 1_000).allSatisfy { $0 })
        #expect(take(window, wide: 900, narrow: 1_000).allSatisfy { !$0 })
        #expect(take(period - 2 * window, wide: 900, narrow: 1_000).allSatisfy { $0 })
        // A wide window slowed by a moment of the host: one thread for a short cycle only.
        _ = take(window, wide: 5_000, narrow: 1_000)
        #expect(take(short - window, wide: 900, narrow: 1_000).allSatisfy { !$0 })
        #expect(take(window, wide: 900, narrow: 1_000).allSatisfy { $0 })
        #expect(take(window, wide: 900, narrow: 1_000).allSatisfy { !$0 })
        #expect(take(period - 2 * window, wide: 900, narrow: 1_000).allSatisfy { $0 })
        // One step the host delayed (50 ms, a hundred steps' worth) in the wide window does
        // not decide: the medians do, and the wide team keeps its cycle.
        let spiked = (0..<(2 * window)).map { step in
            let w = chooser.wide
            chooser.record(nanoseconds: w ? (step == 3 ? 50_000_000 : 900) : 1_000)
            return w
        }
        taken += spiked
        #expect(spiked == Array(repeating: true, count: window) + Array(repeating: false, count: window))
        #expect(take(period - 2 * window, wide: 900, narrow: 1_000).allSatisfy { $0 })
        // Timings during the warm-up count for nothing: a slow first touch does not decide.
        var fresh = TeamChooser()
        for step in 0..<(warmUp + 2 * window) {
            let w = fresh.wide
            fresh.record(nanoseconds: step < warmUp ? 1_000_000 : (w ? 900 : 1_000))
        }
        #expect(fresh.wide)
        // Its counts are those of the choices it made.
        let wideTaken = taken.filter { $0 }.count
        #expect(chooser.wideSteps == wideTaken && chooser.narrowSteps == taken.count - wideTaken)
        #expect(abs(chooser.wideShare - Double(wideTaken) / Double(taken.count)) < 1e-12)
    }

    @Test("the product split: every block above the small-product limit, else whole")
    func productParts() {
        // 128 rows × 784 × 300: halves and thirds are far above the limit.
        #expect(MLP.parts(count: 128, granularity: 8, unitWork: 784 * 300, threads: 2) == 2)
        #expect(MLP.parts(count: 128, granularity: 8, unitWork: 784 * 300, threads: 3) == 3)
        // 64 rows × 300 × 100 = 1.92e6: halves of 0.96e6 are not.
        #expect(MLP.parts(count: 64, granularity: 8, unitWork: 300 * 100, threads: 2) == 1)
        // 128 rows × 300 × 100: halves of 1.92e6 are; thirds (48, 48, 32 rows) are not.
        #expect(MLP.parts(count: 128, granularity: 8, unitWork: 300 * 100, threads: 2) == 2)
        #expect(MLP.parts(count: 128, granularity: 8, unitWork: 300 * 100, threads: 3) == 2)
        // At the limit itself a product is small.
        #expect(MLP.parts(count: 2, granularity: 1, unitWork: MLP.smallProductLimit, threads: 2) == 1)
        #expect(MLP.parts(count: 2, granularity: 1, unitWork: MLP.smallProductLimit + 1, threads: 2) == 2)
    }
}

@Suite("Network: the optimizer step fused into the backward pass")
struct FusedStepTests {
    /// Five steps of a 784-300-10 network (the first layer's products split between the
    /// threads, the last one whole) on random inputs with dropout and an L1 + L2 penalty:
    /// updating each layer inside `backward` on a team of two must give the parameters of
    /// a separate step over the whole buffer on one thread, bit for bit, for every
    /// optimizer and convention (AdamW: decoupled decay that skips the biases; a step
    /// schedule changes the rate between steps).
    @Test("fused per-layer updates equal a separate whole-buffer step", arguments: OptimizerKind.allCases)
    func fusedEqualsSeparate(kind: OptimizerKind) throws {
        let architecture = NetworkArchitecture(layerSizes: [784, 300, 10], activation: .relu, dropout: [0.2])
        let rows = 61
        var generator = SplitMix64(seed: 5)
        let batches = (0..<5).map { _ in (0..<(rows * 784)).map { _ in Float(generator.nextDouble()) } }
        let labels = (0..<rows).map { UInt8($0 % 10) }
        BLASThreads.set(1)
        for convention in Convention.allCases {
            let spec = OptimizerSpec(kind: kind, convention: convention, schedule: try .parse("step:every=2,factor=0.5,per=step"))
            let fused = MLP(architecture: architecture, maxRows: rows, team: ThreadTeam(threads: 2))
            let separate = MLP(architecture: architecture, maxRows: rows)
            var init1 = SplitMix64(seed: 9), init2 = SplitMix64(seed: 9)
            fused.initialize(using: &init1)
            separate.initialize(using: &init2)
            let a: OptimizerInstance<Float> = try spec.makeInstance(parameterCount: fused.parameters.count)
            let b: OptimizerInstance<Float> = try spec.makeInstance(parameterCount: separate.parameters.count)
            for optimizer in [a, b] where kind == .adamw {
                optimizer.decayExcluded = fused.layers.map { $0.biasOffset..<($0.biasOffset + $0.fanOut) }
            }
            var drop1 = SplitMix64(seed: 2), drop2 = SplitMix64(seed: 2)
            for x in batches {
                x.withUnsafeBufferPointer { x in
                    labels.withUnsafeBufferPointer { y in
                        fused.forward(x.baseAddress!, rows: rows, labels: y.baseAddress!, dropout: &drop1)
                        let update = a.beginStep()
                        let (p, g) = (fused.parameters.buffer, UnsafeBufferPointer(fused.gradient.buffer))
                        fused.backward(x.baseAddress!, rows: rows, labels: y.baseAddress!, l1: 1e-5, l2: 1e-4) { update(p, g, $0) }
                        separate.forward(x.baseAddress!, rows: rows, labels: y.baseAddress!, dropout: &drop2)
                        separate.backward(x.baseAddress!, rows: rows, labels: y.baseAddress!, l1: 1e-5, l2: 1e-4)
                        b.step(separate.parameters.buffer, gradient: UnsafeBufferPointer(separate.gradient.buffer))
                    }
                }
            }
            let (p, q) = (fused.parameters.array, separate.parameters.array)
            let differing = zip(p, q).filter { $0 != $1 }.count
            #expect(differing == 0, "\(kind) \(convention): \(differing) of \(p.count) parameters differ")
            let gradients = zip(fused.gradient.array, separate.gradient.array).filter { $0 != $1 }.count
            #expect(gradients == 0, "\(kind) \(convention): \(gradients) gradients differ")
            #expect(a.currentLearningRate == b.currentLearningRate && a.currentLearningRate < a.baseLearningRate)
        }
    }
}
