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

    @Test("training with a team of two: reproducible, and the same numbers as one thread up to rounding",
          .enabled(if: TestData.hasMNIST, TestData.mnistMissing))
    func training() throws {
        let all = try DatasetName.mnist.load(.test, dataDirectory: try #require(TestData.mnistDirectory))
        let (train, validation) = (all.subset(0..<3_000), all.subset(9_000..<10_000))
        // Wide enough that every product is split (128 rows × 784 × 128 multiply-adds).
        let configuration = TrainingConfiguration(
            hiddenLayers: [128, 64], optimizer: OptimizerSpec(kind: .adam), epochs: 2, batchSize: 128,
            l1: 1e-6, l2: 1e-5, dropout: [0.1], seed: 3)
        func run(_ team: ThreadTeam) throws -> TrainingResult {
            try Trainer.train(configuration, training: train, validation: validation, test: nil, team: team)
        }
        // As `optlab train` runs it: the team splits the products, OpenBLAS uses one thread
        // (suites set the same, so no other test changes it back).
        BLASThreads.set(1)
        let team = ThreadTeam(threads: 2)
        let (serial, first, second) = (try run(.serial), try run(team), try run(team))
        #expect(first.parameters == second.parameters)
        #expect(first.epochs.map(\.trainLoss) == second.epochs.map(\.trainLoss))
        for (s, p) in zip(serial.epochs, first.epochs) {
            #expect(abs(s.trainLoss - p.trainLoss) <= 1e-4 * s.trainLoss, "epoch \(s.epoch)")
            #expect(abs(s.validationLoss! - p.validationLoss!) <= 1e-3 * s.validationLoss!, "epoch \(s.epoch)")
        }
        let largest = zip(serial.parameters, first.parameters).map { abs($0 - $1) }.max()!
        #expect(largest < 1e-3, "largest parameter difference \(largest)")
    }
}
