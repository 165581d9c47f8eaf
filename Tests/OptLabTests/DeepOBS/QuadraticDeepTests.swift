import Foundation
import Testing
import OptLab

/// DeepOBS's quadratic_deep rebuilt without NumPy. The expected draws were printed by NumPy
/// 2.4 (`RandomState(42).random_sample(3)`, `.normal(size=3)`, the eigenvalues, the float32
/// test points); the losses are DeepOBS's published checks.
@Suite("DeepOBS: the Mersenne Twister and quadratic_deep")
struct QuadraticDeepTests {
    @Test("MT19937 seeded like RandomState(42) gives NumPy's raw outputs, uniforms and legacy normals")
    func mersenneTwister() {
        var raw = MersenneTwister(seed: 42)
        // The first outputs of init_genrand(42), as NumPy's randint(0, 2**32) returns them.
        #expect(raw.next32() == 1_608_637_542 && raw.next32() == 3_421_126_067)
        var uniform = MersenneTwister(seed: 42)
        let samples = (0..<3).map { _ in uniform.randomSample() }
        #expect(samples[0] == 0.3745401188473625)
        #expect(abs(samples[1] - 0.95071431) < 5e-9 && abs(samples[2] - 0.73199394) < 5e-9)
        var normal = MersenneTwister(seed: 42)
        let normals = (0..<3).map { _ in normal.gauss() }
        for (value, expected) in zip(normals, [0.49671415, -0.1382643, 0.64768854]) { #expect(abs(value - expected) < 5e-9) }
    }

    @Test("eigenvalues and data as NumPy draws them")
    func draws() {
        let problem = QuadraticDeep.shared
        #expect(problem.eigenvalues[0] == 0.3745401188473625)
        #expect(problem.eigenvalues[89] == 0.4722149251619493)
        #expect(problem.eigenvalues[90] == 33.58782737814905)
        #expect(problem.eigenvalues[99] == 33.23674280979913)
        #expect(Float(problem.test[0]) == 0.15443996 && Float(problem.test[99_999]) == 0.5671685)
    }

    @Test("the Hessian is symmetric with the drawn spectrum: trace and Frobenius norm match the eigenvalues")
    func hessian() {
        let problem = QuadraticDeep.shared
        let n = QuadraticDeep.dimension
        var trace = 0.0, frobenius = 0.0, asymmetry = 0.0
        for i in 0..<n {
            trace += problem.hessian[i * n + i]
            for j in 0..<n {
                frobenius += problem.hessian[i * n + j] * problem.hessian[i * n + j]
                asymmetry = max(asymmetry, abs(problem.hessian[i * n + j] - problem.hessian[j * n + i]))
            }
        }
        #expect(asymmetry == 0)
        #expect(abs(trace - problem.eigenvalues.reduce(0, +)) < 1e-9)
        #expect(abs(frobenius - problem.eigenvalues.reduce(0) { $0 + $1 * $1 }) < 1e-7)
    }

    @Test("DeepOBS's checks: test loss 353.44676 at θ = 1, 87.046 at the training mean")
    func publishedLosses() {
        let problem = QuadraticDeep.shared
        let n = QuadraticDeep.dimension
        let ones = [Double](repeating: 1, count: n)
        let initial = problem.loss(ones, data: problem.test, count: QuadraticDeep.testCount)
        // Float32 has 24 bits: 353.44676 is known to about 3e-5 relative.
        #expect(abs(initial - 353.44676) < 353.44676 * 3e-5)
        var mean = [Double](repeating: 0, count: n)
        for p in 0..<QuadraticDeep.trainingSize { for j in 0..<n { mean[j] += problem.training[p * n + j] / Double(QuadraticDeep.trainingSize) } }
        let atMean = problem.loss(mean, data: problem.test, count: QuadraticDeep.testCount)
        #expect(abs(atMean - 87.046) < 5e-4)
        // The fast form ½(θ − x̄)ᵀQ(θ − x̄) + c equals the mean over the points.
        for theta in [ones, mean, (0..<n).map { Double($0) / 50 - 1 }] {
            #expect(abs(problem.testLoss(theta) - problem.loss(theta, data: problem.test, count: QuadraticDeep.testCount)) < 1e-9 * problem.testLoss(theta))
            #expect(abs(problem.trainingLoss(theta) - problem.loss(theta, data: problem.training, count: QuadraticDeep.trainingSize)) < 1e-9 * problem.trainingLoss(theta))
        }
    }
}

@Suite("DeepOBS: runs of quadratic_deep")
struct QuadraticDeepRunTests {
    @Test("plain descent at a small rate: the loss falls every epoch towards the optimum, epoch 0 is the start")
    func descent() throws {
        let run = QuadraticDeepRun(optimizer: try OptimizerSpec(kind: .sgd, convention: .keras, overrides: ["lr": 0.01]).make(),
                                   epochs: 5, batchSize: 128, shuffle: .once, seed: 1).run()
        #expect(run.status == .ok)
        #expect(run.epochs.map(\.epoch) == [0, 1, 2, 3, 4, 5])
        #expect(abs(run.epochs[0].testLoss - 353.44676) < 353.44676 * 3e-5)
        for (a, b) in zip(run.epochs, run.epochs.dropFirst()) { #expect(b.trainLoss < a.trainLoss) }
        // Never below the loss at the training mean (the training loss's minimum).
        let problem = QuadraticDeep.shared
        #expect(run.epochs.last!.trainLoss >= problem.trainingLoss(problem.trainingMean) - 1e-9)
    }

    @Test("the batch order: the same seed gives the same run; once and per_epoch differ after the first epoch")
    func shuffle() throws {
        func run(_ mode: ShuffleMode, seed: UInt64) throws -> [Double] {
            try QuadraticDeepRun(optimizer: OptimizerSpec(kind: .sgd, convention: .keras, overrides: ["lr": 0.01]).make(),
                                 epochs: 3, batchSize: 128, shuffle: mode, seed: seed).run().epochs.map(\.testLoss)
        }
        #expect(try run(.once, seed: 3) == run(.once, seed: 3))
        let (once, perEpoch) = (try run(.once, seed: 3), try run(.perEpoch, seed: 3))
        try #require(once.count == 4 && perEpoch.count == 4)
        #expect(once[1] == perEpoch[1] && once[2] != perEpoch[2])
        #expect(try run(.once, seed: 4)[1] != once[1])
    }

    @Test("a rate far too large diverges and is recorded as such")
    func divergence() throws {
        let run = QuadraticDeepRun(optimizer: try OptimizerSpec(kind: .sgd, convention: .keras, overrides: ["lr": 10]).make(),
                                   epochs: 100, batchSize: 128, shuffle: .once, seed: 1).run()
        #expect(run.status == .diverged)
        #expect(run.epochs.count < 101)
    }
}

/// TensorFlow's batch order. Philox's expected blocks are the known-answer vectors published
/// with the Random123 library (Salmon et al., 2011); the losses are DeepOBS's published runs
/// (`experiments/reference/deepobs-quadratic-deep.csv`, from `fsschneider/DeepOBS_Baselines`).
@Suite("DeepOBS: TensorFlow's batch order")
struct TensorFlowShuffleTests {
    @Test("Philox4x32-10 gives Random123's known-answer blocks")
    func philoxKnownAnswers() {
        func words(_ b: (UInt32, UInt32, UInt32, UInt32)) -> [UInt32] { [b.0, b.1, b.2, b.3] }
        #expect(words(Philox4x32.block(counter: (0, 0, 0, 0), key: (0, 0))) == [0x6627_E8D5, 0xE169_C58D, 0xBC57_AC4C, 0x9B00_DBD8])
        let ones = UInt32.max
        #expect(words(Philox4x32.block(counter: (ones, ones, ones, ones), key: (ones, ones))) == [0x408F_276D, 0x41C8_3B0E, 0xA20B_C7C6, 0x6D54_51FD])
        #expect(words(Philox4x32.block(counter: (0x243F_6A88, 0x85A3_08D3, 0x1319_8A2E, 0x0370_7344), key: (0xA409_3822, 0x299F_31D0)))
                == [0xD16C_FE09, 0x94FD_CCEB, 0x5001_E420, 0x2412_6EA1])
        // The stream: a block's four words in order, then the counter's next block.
        var stream = Philox4x32(seed: 0, seed2: 0)
        #expect((0..<4).map { _ in stream.next() } == [0x6627_E8D5, 0xE169_C58D, 0xBC57_AC4C, 0x9B00_DBD8])
        #expect(stream.next() == Philox4x32.block(counter: (1, 0, 0, 0), key: (0, 0)).0)
    }

    @Test("the order is a permutation, fixed by the seed, and TensorFlow's (0, 0) rule holds")
    func order() {
        let a = TensorFlowShuffle.order(count: 1000, graphSeed: 42)
        #expect(a.sorted() == Array(0..<1000))
        #expect(a == TensorFlowShuffle.order(count: 1000, graphSeed: 42))
        #expect(a != TensorFlowShuffle.order(count: 1000, graphSeed: 43))
        #expect(TensorFlowShuffle.seeds(graphSeed: 0, opSeed: 0) == (0, 2_147_483_647))
        #expect(TensorFlowShuffle.seeds(graphSeed: 2_147_483_648, opSeed: 2) == (1, 2))
    }

    /// Every published run of the confirmation seeds (42…51 at each optimizer's best rate)
    /// and a few of the sweep, replayed with DeepOBS's optimizers and TensorFlow's order.
    @Test("with TensorFlow's order, DeepOBS's published runs are replayed to float32 rounding")
    func replaysPublishedRuns() throws {
        let baselines = try DeepOBSBaselines.read("experiments/reference/deepobs-quadratic-deep.csv")
        func optimizer(_ name: String, lr: Double) throws -> any Optimizer {
            switch name {
            case "sgd": try OptimizerSpec(kind: .sgd, convention: .keras, overrides: ["lr": lr]).make()
            case "momentum": try OptimizerSpec(kind: .momentum, convention: .pytorch, overrides: ["lr": lr, "momentum": 0.99]).make()
            default: try OptimizerSpec(kind: .adam, convention: .keras, overrides: ["lr": lr, "epsilon": 1e-8]).make()
            }
        }
        func replay(_ name: String, lr: Double, seed: Int, shuffle: ShuffleMode) throws -> [Double] {
            var run = QuadraticDeepRun(optimizer: try optimizer(name, lr: lr), epochs: 100, batchSize: 128, shuffle: shuffle, seed: UInt64(seed))
            run.tensorflowSeed = UInt64(seed)
            return run.run().epochs.map(\.testLoss)
        }
        var checked = 0, largest = 0.0
        for name in ["sgd", "momentum", "adam"] {
            let lr = try #require(baselines.bestRate(name))
            let published = baselines.rows.filter { $0.optimizer == name && $0.lr == lr }
            for seed in Set(published.map(\.seed)).sorted() {
                let ours = try replay(name, lr: lr, seed: seed, shuffle: .tensorflow)
                for row in published where row.seed == seed {
                    let relative = abs(ours[row.epoch] - row.testLoss) / row.testLoss
                    largest = max(largest, relative)
                    #expect(relative < 2e-5, "\(name) lr \(lr) seed \(seed) epoch \(row.epoch): \(ours[row.epoch]) against \(row.testLoss)")
                    checked += 1
                }
            }
        }
        #expect(checked == 3 * 10 * 101)
        // Single-seed sweep points, far from the best rates.
        for (name, lr) in [("sgd", 1e-5), ("momentum", 1e-3), ("adam", 1e-2)] {
            let row = try #require(baselines.rows.first { $0.optimizer == name && abs(log10($0.lr / lr)) < 1e-6 && $0.epoch == 100 })
            let ours = try replay(name, lr: row.lr, seed: row.seed, shuffle: .tensorflow)
            #expect(abs(ours[100] - row.testLoss) / row.testLoss < 2e-5, "\(name) at \(lr): \(ours[100]) against \(row.testLoss)")
        }
        // The same runs in another fixed order miss after one epoch by far more than rounding.
        let adamRate = try #require(baselines.bestRate("adam"))
        let first = try #require(baselines.rows.first { $0.optimizer == "adam" && $0.lr == adamRate && $0.seed == 42 && $0.epoch == 1 })
        let other = try replay("adam", lr: adamRate, seed: 42, shuffle: .once)
        #expect(abs(other[1] - first.testLoss) / first.testLoss > 1e-3)
    }
}

@Suite("DeepOBS: suites, published baselines and the comparison", .serialized)
struct DeepOBSSuiteTests {
    /// A small baselines file: sgd swept at 0.001, 0.01 and 1 (seed 42), and rerun at 0.01 with
    /// two more seeds whose final losses are 90 and 92 (seed 42: 91).
    static func baselines(in root: String) -> String {
        let path = root + "/baselines.csv"
        let text = """
            optimizer,lr,seed,epoch,test_loss,train_loss
            sgd,0.001,42,2,150.5,150
            sgd,0.01,42,0,353.4,353
            sgd,0.01,42,1,120,119
            sgd,0.01,42,2,91,90
            sgd,0.01,43,0,353.4,353
            sgd,0.01,43,1,121,120
            sgd,0.01,43,2,90,89
            sgd,0.01,44,0,353.4,353
            sgd,0.01,44,1,122,121
            sgd,0.01,44,2,92,91
            sgd,1.0,42,2,NaN,NaN

            """
        FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
        return path
    }

    @Test("the baselines file: the sweep (lowest seed per rate), the best rate, its seeds and curves")
    func readBaselines() throws {
        let root = ExecutionTests.temporaryRoot()
        let b = try DeepOBSBaselines.read(Self.baselines(in: root))
        #expect(b.optimizers == ["sgd"])
        let sweep = b.sweep("sgd")
        #expect(sweep.map(\.lr) == [0.001, 0.01, 1.0])
        #expect(sweep[0].loss == 150.5 && sweep[1].loss == 91 && sweep[2].loss.isNaN)
        #expect(b.bestRate("sgd") == 0.01)
        #expect(b.confirmation("sgd").sorted() == [90, 91, 92])
        #expect(b.curves("sgd") == [[353.4, 120, 91], [353.4, 121, 90], [353.4, 122, 92]])
    }

    @Test("a deepobs suite runs, keeps the baselines in its folder, and reports the agreement with its numbers")
    func suiteAndReport() throws {
        let root = ExecutionTests.temporaryRoot()
        let baselines = Self.baselines(in: root)
        let text = """
            name: dq
            seed: 5
            optimizers: [sgd]
            grid: {lr: [0.001, 0.01, 1.0]}
            protocol: {tune: {sampler: grid}, confirm: {seeds: 3}}
            problems:
              - deepobs: {problem: quadratic_deep, epochs: 2, batch_size: 128, shuffle: once, baselines: "\(baselines)", targets: {test_loss: 200}}
            """
        let suite = try Suite.parse(text, file: ExecutionTests.write(text, in: root))
        try SuiteRunner(suite: suite, outputRoot: root, jobs: 2, log: { _ in }).run()
        // Epoch 0 is one more row than the epochs count: a finished folder still resumes with nothing to run.
        #expect(try SuiteRunner(suite: suite, outputRoot: root, jobs: 2, existing: .resume, log: { _ in }).run().ran == 0)
        let folder = root + "/dq"
        #expect(FileManager.default.fileExists(atPath: folder + "/" + DeepOBSBaselines.fileName(problem: "quadratic_deep")))
        let table = try RunsTable.read(folder + "/runs.csv")
        #expect(table.records.allSatisfy { $0.type == .deepobs })
        #expect(table.records.first { $0.lr == 1.0 }?.status == .diverged)
        let epochs = try ResultsStore.readRows(folder + "/epochs.csv")
        #expect(epochs[0].last == "test_loss")
        let confirm = table.records.filter { $0.phase == .confirm }
        #expect(confirm.count == 3 && confirm.allSatisfy { $0.lr == 0.01 })   // selected on the final test loss
        // Epoch 0 is the start: 353.44676 for every run.
        let first = epochs.dropFirst().first { $0[1] == "0" }.flatMap { Double($0.last!) }
        #expect(abs((first ?? 0) - 353.44676) < 0.011)
        // The agreement, recomputed here from the confirmation runs.
        let ours = confirm.compactMap { $0.metric("final_test_loss") }
        let agreement = try #require(DeepOBSComparison.agreements(table, problem: "quadratic_deep", baselines: DeepOBSBaselines.read(baselines)).first)
        let error = (pow(Statistics.standardDeviation(ours), 2) / 3 + 1.0 / 3).squareRoot()   // their std is 1
        #expect(abs(agreement.combinedError - error) < 1e-12)
        #expect(agreement.difference == Statistics.mean(ours) - 91)
        #expect(agreement.rateAgrees && agreement.meanAgrees == (abs(Statistics.mean(ours) - 91) <= error))
        let report = try String(contentsOfFile: ReportWriter.write(resultsDirectory: folder, plotsDirectory: root + "/plots")[0], encoding: .utf8)
        #expect(report.contains("### Beside DeepOBS's published runs"))
        #expect(report.contains("| 1 | div | div |"))
        // The figures are written from the folder alone.
        let figures = try SuitePlotter(resultsDirectory: folder, plotsDirectory: root + "/plots").write().map(\.name)
        #expect(figures.contains("quadratic_deep-deepobs-lr") && figures.contains("quadratic_deep-deepobs-curves"))
    }

    @Test("a suite without a protocol (one rate, many seeds) is set beside DeepOBS's seeds with every run")
    func fixedRateSuite() throws {
        let root = ExecutionTests.temporaryRoot()
        let baselines = Self.baselines(in: root)
        let text = """
            name: dseeds
            seed: 9
            repeats: 4
            optimizers: [{name: sgd, set: {lr: 0.01}}]
            problems:
              - deepobs: {problem: quadratic_deep, epochs: 2, batch_size: 128, shuffle: once, baselines: "\(baselines)"}
            """
        let suite = try Suite.parse(text, file: ExecutionTests.write(text, in: root))
        try SuiteRunner(suite: suite, outputRoot: root, jobs: 2, log: { _ in }).run()
        let folder = root + "/dseeds"
        let table = try RunsTable.read(folder + "/runs.csv")
        let ours = table.records.compactMap { $0.metric("final_test_loss") }
        #expect(ours.count == 4)
        let agreement = try #require(DeepOBSComparison.agreements(table, problem: "quadratic_deep", baselines: DeepOBSBaselines.read(baselines)).first)
        // Their seeds are 90, 91, 92 (std 1); ours, all four runs.
        #expect(agreement.ours.sorted() == ours.sorted() && agreement.ourRate == 0.01 && agreement.rateAgrees)
        let error = (pow(Statistics.standardDeviation(ours), 2) / 4 + 1.0 / 3).squareRoot()
        #expect(abs(agreement.combinedError - error) < 1e-12)
        let report = try String(contentsOfFile: ReportWriter.write(resultsDirectory: folder, plotsDirectory: root + "/plots")[0], encoding: .utf8)
        #expect(report.contains("no learning-rate sweep here") && report.contains("seeds (every run of this suite)"))
        #expect(!report.contains("nan"))
        #expect(report.contains(String(format: "| %.1f |", abs(agreement.difference) / error)))
    }

    @Test("shuffle: tensorflow takes DeepOBS's seeds: the tuning trial 42, confirmations 42, 43, 44, each equal to its published run")
    func tensorflowSeeds() throws {
        let root = ExecutionTests.temporaryRoot()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let reference = "experiments/reference/deepobs-quadratic-deep.csv"
        let published = try DeepOBSBaselines.read(reference)
        let lr = try #require(published.bestRate("sgd"))
        let text = """
            name: tf
            seed: 5
            optimizers: [sgd]
            grid: {lr: [\(lr)]}
            protocol: {tune: {sampler: grid}, confirm: {seeds: 3}}
            problems:
              - deepobs: {problem: quadratic_deep, epochs: 100, shuffle: tensorflow, baselines: "\(FileManager.default.currentDirectoryPath)/\(reference)"}
            """
        let suite = try Suite.parse(text, file: ExecutionTests.write(text, in: root))
        try SuiteRunner(suite: suite, outputRoot: root, jobs: 1, log: { _ in }).run()
        let table = try RunsTable.read(root + "/tf/runs.csv")
        let tune = try #require(table.records.first { $0.phase == .tune }?.metric("final_test_loss"))
        let confirm = table.records.filter { $0.phase == .confirm }.sorted { $0.repeatIndex < $1.repeatIndex }.compactMap { $0.metric("final_test_loss") }
        try #require(confirm.count == 3)
        #expect(confirm[0] == tune)
        for (value, seed) in zip(confirm, [42, 43, 44]) {
            let twin = try #require(published.rows.first { $0.optimizer == "sgd" && $0.lr == lr && $0.seed == seed && $0.epoch == 100 })
            #expect(abs(value - twin.testLoss) / twin.testLoss < 2e-5, "seed \(seed): \(value) against \(twin.testLoss)")
        }
        // The report pairs them one by one: 3 distinct pairs (the tuning trial is confirmation seed 42).
        let report = try String(contentsOfFile: ReportWriter.write(resultsDirectory: root + "/tf", plotsDirectory: root + "/plots")[0], encoding: .utf8)
        #expect(report.contains("Both final test losses finite in 3 pairs; they agree within 0.01% (float32 against float64 arithmetic) in 3."))
    }

    @Test("deepobs problems: unknown problem, bad shuffle, a misplaced tf_seed and a missing baselines file are input errors")
    func errors() {
        func message(_ problem: String) -> String {
            let text = "name: d\noptimizers: [sgd]\nproblems:\n  - deepobs: \(problem)\n"
            do { _ = try Suite.parse(text, file: "d.yaml"); return "" } catch { return "\(error)" }
        }
        #expect(message("{problem: quadratic_dep, epochs: 1}").contains("did you mean 'quadratic_deep'"))
        #expect(message("{problem: quadratic_deep, epochs: 1, shuffle: always}").contains("d.yaml:4:60: shuffle must be once, per_epoch or tensorflow"))
        #expect(message("{problem: quadratic_deep, epochs: 1, tf_seed: 7}").contains("tf_seed applies only with 'shuffle: tensorflow'"))
        #expect(message("{problem: quadratic_deep, epochs: 1, shuffle: tensorflow, tf_seed: -1}").contains("tf_seed"))
        #expect(message("{problem: quadratic_deep, epochs: 1, shuffle: tensorflow, tf_seed: 7}").isEmpty)
        #expect(message("{problem: quadratic_deep, epochs: 1, baselines: /no/such.csv}").contains("does not exist"))
        #expect(message("{problem: quadratic_deep}").contains("needs 'epochs'"))
    }
}
