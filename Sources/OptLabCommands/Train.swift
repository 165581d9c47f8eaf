import ArgumentParser
import Foundation
import OptLab

extension OptLabCommand {
    /// `optlab train`: one MLP training run.
    public struct Train: ParsableCommand {
        public static let configuration = CommandConfiguration(
            abstract: "Train a multilayer perceptron on MNIST or Fashion-MNIST with one optimizer.",
            discussion: """
            Data files are searched in --data-dir, $OPTLAB_DATA/<dataset>, data/<dataset> and, \
            for fashion-mnist, /usr/share/datasets/fashion-mnist. The validation set is drawn \
            from the training set with the run's seed. A run whose loss or a parameter becomes \
            non-finite, or whose batch loss exceeds 100 times the first batch's, stops with \
            status diverged (exit code 0).
            """)

        @OptionGroup public var data: DataOptions

        @Option(help: ArgumentHelp("Hidden layer widths, comma-separated.", valueName: "w1,w2,..."))
        public var layers: String = "300,100"

        @Option(help: "Hidden activation: sigmoid, tanh, relu, leaky_relu, elu, linear.")
        public var activation: String = "relu"

        @Option(help: "Negative slope of leaky_relu.")
        public var leakySlope: Float = Activation.defaultLeakySlope

        @Option(help: "α of elu.")
        public var eluAlpha: Float = Activation.defaultELUAlpha

        @Option(help: "Output and loss: softmax (cross-entropy), sigmoid or linear (mean squared error).")
        public var output: String = "softmax"

        @Option(help: "Squared-error scaling of sigmoid and linear outputs: mse (mean over outputs) or quadratic (½·sum over outputs, the course's cost; its gradient is 5× mse's with 10 classes).")
        public var loss: String = "mse"

        @OptionGroup public var optimizer: OptimizerOptions

        @Option(help: "Number of epochs.")
        public var epochs: Int

        @Option(help: "Mini-batch size (1: stochastic; the training-set size: full batch).")
        public var batchSize: Int

        @Option(parsing: .unconditional, help: "L1 penalty λ·Σ|w| over weights.")
        public var l1: Double = 0

        @Option(parsing: .unconditional, help: "L2 penalty λ·Σw² over weights.")
        public var l2: Double = 0

        @Option(help: ArgumentHelp("Dropout rate after every hidden layer, or one rate per hidden layer.", valueName: "p[,p...]"))
        public var dropout: String?

        @Option(help: ArgumentHelp("Stop after this many epochs without improvement and restore the best weights.", valueName: "patience"))
        public var earlyStopping: Int?

        @Option(help: "Metric early stopping watches: val_loss or val_acc.")
        public var monitor: String = "val_loss"

        @Option(help: ArgumentHelp("Augment training images, e.g. shift=2,rotate=10,noise=0.05.", valueName: "spec"))
        public var augment: String?

        @Option(help: "Seed of weights, validation split, batch order, dropout and augmentation.")
        public var seed: UInt64 = 0

        @Flag(help: "Evaluate the test set after every epoch, not only at the end.")
        public var testEveryEpoch = false

        @Option(help: ArgumentHelp("Write the per-epoch rows (columns of epochs.csv) to this file.", valueName: "file"))
        public var csv: String?

        @Option(help: ArgumentHelp("Draw the run's loss and accuracy against epoch into this .png or .svg file (needs gnuplot).", valueName: "file"))
        public var plot: String?

        @Option(help: "run_id written in the CSV.")
        public var runID: String = "train"

        @OptionGroup public var threading: ThreadOptions

        public init() {}

        public func run() throws {
            let configuration = try makeConfiguration()
            if let plot { _ = try Gnuplot.quickLookFormat(of: plot) }
            let sets = try data.load(seed: seed)
            let layers = configuration.hiddenLayers.count + 1
            let writer = try csv.map { try CSVFileWriter(path: $0, header: EpochRecord.csvHeader(layers: layers)) }
            let team = threading.team()
            var records: [EpochRecord] = []
            let result = try Trainer.train(configuration, training: sets.training, validation: sets.validation,
                                           test: sets.test, team: team, adaptive: threading.adaptive) { record in
                records.append(record)
                try writer?.write(record.csvFields(runID: runID, layers: layers))
                print(Self.describe(record, of: configuration.epochs))
            }
            var summary = "status \(result.status.rawValue)"
            if let accuracy = result.testAccuracy, let loss = result.testLoss {
                summary += String(format: ", test loss %.4f, test accuracy %.4f", loss, accuracy)
            }
            if result.status == .stoppedEarly || configuration.earlyStoppingPatience != nil {
                summary += " (weights of epoch \(result.keptEpoch))"
            }
            print(summary + String(format: ", %.2f s", result.profile.totalSeconds))
            if let plot {
                let spec = configuration.optimizer
                let title = "\(data.dataset) \(([784] + configuration.hiddenLayers + [10]).map(String.init).joined(separator: "-")), "
                    + "\(spec.kind.rawValue) (\(spec.convention.rawValue)), batch \(configuration.batchSize), seed \(seed): \(result.status.rawValue)"
                try TrainingFigure.draw(records, optimizer: spec.kind.rawValue, title: title, to: plot)
                print("drew \(plot)")
            }
        }

        func makeConfiguration() throws -> TrainingConfiguration {
            let hidden = try parseList(layers, flag: "--layers") { Int($0) }
            let rates = try dropout.map { try parseList($0, flag: "--dropout") { Double($0) } } ?? []
            guard let monitor = TrainingConfiguration.Monitor(rawValue: monitor) else {
                throw InputError(NearestName.unknownMessage(kind: "monitor", name: monitor,
                                                            valid: TrainingConfiguration.Monitor.allCases.map(\.rawValue)))
            }
            let configuration = TrainingConfiguration(
                hiddenLayers: hidden,
                activation: try Activation.parse(activation, leakySlope: leakySlope, eluAlpha: eluAlpha),
                output: try OutputLoss.parse(output), squaredLoss: try SquaredLoss.parse(loss), optimizer: try optimizer.spec(),
                epochs: epochs, batchSize: batchSize, l1: l1, l2: l2, dropout: rates,
                earlyStoppingPatience: earlyStopping, monitor: monitor,
                augmentation: try augment.map(Augmentation.parse) ?? Augmentation(),
                seed: seed, testEveryEpoch: testEveryEpoch)
            try configuration.validate()
            return configuration
        }

        static func describe(_ r: EpochRecord, of epochs: Int) -> String {
            var line = String(format: "epoch %d/%d  loss %.4f", r.epoch, epochs, r.trainLoss)
            if r.penalty > 0 { line += String(format: " (+penalty %.4f)", r.penalty) }
            line += String(format: "  acc %.4f", r.trainAccuracy)
            if let loss = r.validationLoss, let accuracy = r.validationAccuracy {
                line += String(format: "  val_loss %.4f  val_acc %.4f", loss, accuracy)
            }
            if let accuracy = r.testAccuracy { line += String(format: "  test_acc %.4f", accuracy) }
            return line + String(format: "  %.2f s", r.seconds)
        }
    }
}

/// Which dataset to read and how to split it.
/// `--threads`, for commands that train one network with the machine to themselves.
public struct ThreadOptions: ParsableArguments {
    @Option(help: ArgumentHelp("""
        Threads sharing each training batch. Default: one per processor this process may \
        run on, used only while faster than one thread (timed on the run's own steps every \
        800 batches; sooner after one thread won). A number fixes the team. The numbers \
        do not depend on it.
        """, valueName: "n"))
    public var threads: Int?

    public init() {}

    public func validate() throws {
        if let threads, threads < 1 || threads > Limits.threads {
            throw ValidationError("--threads must be from 1 to \(Limits.threads), got \(threads)")
        }
    }

    /// The team, with OpenBLAS set to one thread (``ThreadTeam/forOneRun(threads:)``).
    public func team() -> ThreadTeam { ThreadTeam.forOneRun(threads: threads) }

    /// Whether the team is chosen as the run goes (no `--threads`).
    public var adaptive: Bool { threads == nil }
}

public struct DataOptions: ParsableArguments {
    @Option(help: "Dataset: mnist or fashion-mnist.")
    public var dataset: String

    @Option(help: ArgumentHelp("Folder holding the IDX files (searched first).", valueName: "dir"))
    public var dataDir: String?

    @Option(help: "Training examples held out for validation (0: none).")
    public var validation: Int = 5000

    public init() {}

    public struct Sets {
        public var training: ImageDataset
        public var validation: ImageDataset?
        public var test: ImageDataset?
    }

    public func load(seed: UInt64) throws -> Sets {
        let name = try DatasetName.parse(dataset)
        let (training, test) = try name.loadBoth(dataDirectory: dataDir)
        guard validation >= 0, validation < training.count else {
            throw InputError("--validation must be from 0 to \(training.count - 1), got \(validation)")
        }
        if validation == 0 { return Sets(training: training, validation: nil, test: test) }
        var generator = SplitMix64.derived(seed: seed, stream: "split")
        let (kept, held) = training.splitValidation(count: validation, generator: &generator)
        return Sets(training: kept, validation: held, test: test)
    }
}

/// Parses a comma-separated list; an ``InputError`` names the flag and the bad item.
func parseList<T>(_ text: String, flag: String, _ convert: (String) -> T?) throws -> [T] {
    try text.split(separator: ",").map { item in
        guard let value = convert(item.trimmingCharacters(in: .whitespaces)) else {
            throw InputError("\(flag): '\(item)' is not a valid value in '\(text)'")
        }
        return value
    }
}
