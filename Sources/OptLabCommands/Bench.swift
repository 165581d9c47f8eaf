import ArgumentParser
import Foundation
import OptLab

extension OptLabCommand {
    /// `optlab bench`: the measurements recorded in BENCHMARKS.md.
    public struct Bench: ParsableCommand {
        public static let configuration = CommandConfiguration(
            abstract: "Measure speed (not a test): optimizer steps over a large Float buffer.")

        public enum Target: String, ExpressibleByArgument, CaseIterable {
            case optimizers, network
        }

        @Argument(help: "What to measure: optimizers (one step over --elements Floats) or network (epochs of 784-300-100-10 with Adam).")
        public var target: Target

        @Option(help: "Network benchmark: dataset whose training set is used.")
        public var dataset: String = "fashion-mnist"

        @Option(help: ArgumentHelp("Network benchmark: folder with the IDX files.", valueName: "dir"))
        public var dataDir: String?

        @Option(help: ArgumentHelp("Network benchmark: batch sizes.", valueName: "b1,b2,..."))
        public var batchSizes: String = "32,128,512"

        @Option(help: "Network benchmark: epochs timed per batch size (after one warm-up epoch).")
        public var epochs: Int = 2

        @OptionGroup public var threading: ThreadOptions

        @Option(help: "Buffer length for the optimizer benchmark.")
        public var elements: Int = 10_000_000

        @Option(help: "Timed repeats (the fastest is reported).")
        public var repeats: Int = 5

        public init() {}

        public func validate() throws {
            guard elements > 0, repeats > 0 else { throw ValidationError("--elements and --repeats must be positive") }
        }

        public func run() throws {
            switch target {
            case .optimizers: try runOptimizers()
            case .network: try runNetwork()
            }
        }

        func runNetwork() throws {
            let training = try DatasetName.parse(dataset).load(.train, dataDirectory: dataDir)
            let sizes = try parseList(batchSizes, flag: "--batch-sizes") { Int($0) }
            let team = threading.team()
            let threads = threading.adaptive && team.size > 1 ? "\(team.size) threads while faster than one" : "\(team.size) thread(s)"
            print("784-300-100-10 relu, adam (keras), \(training.count) training images, \(threads), OpenBLAS \(BLASThreads.coreName) kernels")
            print("batch  s/epoch  samples/s  matmul s  elementwise s  optimizer s  wide share")
            for batchSize in sizes {
                let configuration = TrainingConfiguration(
                    hiddenLayers: [300, 100], optimizer: OptimizerSpec(kind: .adam), epochs: epochs + 1, batchSize: batchSize)
                var previous = 0.0
                var perEpoch: [Double] = []
                let result = try Trainer.train(configuration, training: training, validation: nil, test: nil, team: team,
                                               adaptive: threading.adaptive) { record in
                    perEpoch.append(record.seconds - previous)
                    previous = record.seconds
                }
                let timed = perEpoch.dropFirst()
                let seconds = timed.reduce(0, +) / Double(timed.count)
                let share = seconds / (result.profile.totalSeconds / Double(epochs + 1))
                let p = result.profile
                let scale = share / Double(epochs + 1)
                print(String(format: "%5d  %7.3f  %9.0f  %8.3f  %13.3f  %11.3f", batchSize, seconds,
                             Double(training.count) / seconds, p.matrixSeconds * scale,
                             p.elementwiseSeconds * scale, p.optimizerSeconds * scale)
                      + (p.wideTeamShare.map { String(format: "  %9.0f%%", $0 * 100) } ?? "  \(team.size > 1 ? "fixed" : "—")"))
            }
            print("peak resident memory: \(ResourceUsage.peakResidentMegabytes().map { String(format: "%.0f MB", $0) } ?? "unknown")")
            if team.size > 1 {
                print("""
                    matmul, elementwise and optimizer s are the calling thread's time per epoch: on \
                    batches shared between threads the others work on their parts at the same time; \
                    on one-thread batches it does all of the work.
                    """)
            }
        }

        func runOptimizers() throws {
            print("optimizer step over \(elements) Float elements, best of \(repeats)")
            print("optimizer   convention   ms/step   ns/element")
            for convention in Convention.allCases {
                for kind in OptimizerKind.allCases {
                    let m = try OptimizerBenchmark.measure(OptimizerSpec(kind: kind, convention: convention),
                                                           elements: elements, repeats: repeats)
                    print(kind.rawValue.padding(toLength: 11, withPad: " ", startingAt: 0) + " "
                        + convention.rawValue.padding(toLength: 12, withPad: " ", startingAt: 0)
                        + String(format: " %7.2f   %6.3f", m.seconds * 1e3, m.nanosecondsPerElement))
                }
            }
        }
    }
}
