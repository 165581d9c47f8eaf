import Foundation
import Testing
import OptLab

/// Training on real data. These run in release mode (scripts/test.sh), where one epoch
/// over 8,000 MNIST digits takes a fraction of a second.
@Suite("Network: training on real data", .serialized)
struct TrainingTests {
    static func mnistSplit() throws -> (train: ImageDataset, test: ImageDataset) {
        let all = try DatasetName.mnist.load(.test, dataDirectory: try #require(TestData.mnistDirectory))
        return (all.subset(0..<8000), all.subset(8000..<10_000))
    }

    @Test("MNIST digits: 784-300-100-10 ReLU, Adam, batch 128 reaches ≥ 0.95 test accuracy in 10 epochs", .enabled(if: TestData.hasMNIST, TestData.mnistMissing))
    func mnist() throws {
        let (train, test) = try Self.mnistSplit()
        let configuration = TrainingConfiguration(hiddenLayers: [300, 100], optimizer: OptimizerSpec(kind: .adam),
                                                  epochs: 10, batchSize: 128, seed: 1)
        let result = try Trainer.train(configuration, training: train, validation: nil, test: test)
        #expect(result.status == .ok)
        #expect(result.epochs.count == 10)
        let accuracy = try #require(result.testAccuracy)
        #expect(accuracy >= 0.95, "test accuracy \(accuracy)")
        // The training loss falls: the last epoch's is below a third of the first's.
        #expect(result.epochs[9].trainLoss < result.epochs[0].trainLoss / 3)
    }

    @Test("Fashion-MNIST: 784-300-100-10 ReLU, Adam, batch 128 reaches ≥ 0.86 test accuracy in 5 epochs",
          .enabled(if: FileManager.default.fileExists(atPath: "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz"),
                   "needs Fashion-MNIST (apt-get install dataset-fashion-mnist); skipped"))
    func fashion() throws {
        let training = try DatasetName.fashionMNIST.load(.train, dataDirectory: nil)
        let test = try DatasetName.fashionMNIST.load(.test, dataDirectory: nil)
        var generator = SplitMix64.derived(seed: 0, stream: "split")
        let (kept, validation) = training.splitValidation(count: 5000, generator: &generator)
        let configuration = TrainingConfiguration(hiddenLayers: [300, 100], optimizer: OptimizerSpec(kind: .adam),
                                                  epochs: 5, batchSize: 128, seed: 0)
        let result = try Trainer.train(configuration, training: kept, validation: validation, test: test)
        let accuracy = try #require(result.testAccuracy)
        #expect(accuracy >= 0.86, "test accuracy \(accuracy)")
    }

    @Test("the same seed gives bit-identical epochs; another seed does not", .enabled(if: TestData.hasMNIST, TestData.mnistMissing))
    func reproducible() throws {
        let (train, test) = try Self.mnistSplit()
        let small = train.subset(0..<2000)
        func run(seed: UInt64) throws -> TrainingResult {
            let configuration = TrainingConfiguration(
                hiddenLayers: [64, 32], optimizer: OptimizerSpec(kind: .nadam), epochs: 2, batchSize: 50,
                l2: 1e-4, dropout: [0.2], augmentation: Augmentation(shift: 1, rotation: 5, noise: 0.02), seed: seed)
            return try Trainer.train(configuration, training: small, validation: test.subset(0..<500), test: nil)
        }
        let (a, b, c) = (try run(seed: 4), try run(seed: 4), try run(seed: 5))
        func numbers(_ r: TrainingResult) -> [Double] {
            r.epochs.flatMap { [$0.trainLoss, $0.trainAccuracy, $0.validationLoss!, $0.validationAccuracy!, $0.penalty] }
        }
        #expect(numbers(a) == numbers(b))
        #expect(zip(a.parameters, b.parameters).allSatisfy { $0 == $1 } && a.parameters.count == b.parameters.count)
        #expect(numbers(a) != numbers(c))
    }

    @Test("a huge learning rate diverges: recorded, not a crash", .enabled(if: TestData.hasMNIST, TestData.mnistMissing))
    func divergence() throws {
        let (train, _) = try Self.mnistSplit()
        let configuration = TrainingConfiguration(hiddenLayers: [32], activation: .linear, output: .linear,
                                                  optimizer: OptimizerSpec(kind: .sgd, overrides: ["lr": 1e4]),
                                                  epochs: 5, batchSize: 100)
        let result = try Trainer.train(configuration, training: train.subset(0..<1000), validation: nil, test: nil)
        #expect(result.status == .diverged)
        #expect(result.epochs.count < 5)
        #expect(result.testAccuracy == nil)
    }

    @Test("early stopping keeps the weights of the best validation epoch", .enabled(if: TestData.hasMNIST, TestData.mnistMissing))
    func earlyStopping() throws {
        let (train, test) = try Self.mnistSplit()
        let validation = test.subset(0..<1000)
        // A high learning rate on a small set overfits quickly, so validation loss turns up.
        let configuration = TrainingConfiguration(
            hiddenLayers: [100], optimizer: OptimizerSpec(kind: .adam, overrides: ["lr": 0.01]),
            epochs: 30, batchSize: 32, earlyStoppingPatience: 2, seed: 2)
        let result = try Trainer.train(configuration, training: train.subset(0..<1000), validation: validation, test: validation)
        #expect(result.status == .stoppedEarly)
        let losses = result.epochs.map { $0.validationLoss! }
        let bestEpoch = losses.indices.min { losses[$0] < losses[$1] }! + 1
        #expect(result.keptEpoch == bestEpoch)
        #expect(result.epochs.count == bestEpoch + 2)
        // Evaluating the kept weights on the validation set gives the best epoch's loss.
        #expect(abs(result.testLoss! - losses[bestEpoch - 1]) < 1e-9)
    }
}

@Suite("Data: augmentation")
struct AugmentationTests {
    @Test("a shift moves a single bright pixel by at most k in each direction")
    func shift() {
        var generator = SplitMix64(seed: 1)
        var seen = Set<[Int]>()
        for _ in 0..<200 {
            var image = [Float](repeating: 0, count: 49)
            image[3 * 7 + 3] = 1
            var scratch = [Float](repeating: 0, count: 49)
            image.withUnsafeMutableBufferPointer { i in
                scratch.withUnsafeMutableBufferPointer { s in
                    Augmentation(shift: 1).apply(to: i.baseAddress!, rows: 7, columns: 7, scratch: s.baseAddress!, generator: &generator)
                }
            }
            let lit = image.indices.filter { image[$0] > 0 }
            #expect(lit.count == 1 && image[lit[0]] == 1)
            seen.insert([lit[0] % 7 - 3, lit[0] / 7 - 3])
        }
        #expect(seen == Set([-1, 0, 1].flatMap { dx in [-1, 0, 1].map { [dx, $0] } }))
    }

    @Test("rotation by up to 180° keeps the centre pixel of an odd image; parsing checks keys")
    func rotationAndParse() throws {
        var generator = SplitMix64(seed: 2)
        var image = [Float](repeating: 0, count: 25)
        image[12] = 1
        var scratch = [Float](repeating: 0, count: 25)
        image.withUnsafeMutableBufferPointer { i in
            scratch.withUnsafeMutableBufferPointer { s in
                Augmentation(rotation: 180).apply(to: i.baseAddress!, rows: 5, columns: 5, scratch: s.baseAddress!, generator: &generator)
            }
        }
        #expect(image[12] == 1)
        #expect(try Augmentation.parse("shift=2,rotate=10,noise=0.05") == Augmentation(shift: 2, rotation: 10, noise: 0.05))
        let error = #expect(throws: InputError.self) { try Augmentation.parse("shfit=2") }
        #expect(error?.message.contains("did you mean 'shift'?") == true)
    }
}
