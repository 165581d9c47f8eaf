import ArgumentParser
import Foundation
import OptLab

extension OptLabCommand {
    /// `optlab bench`: the measurements recorded in BENCHMARKS.md.
    public struct Bench: ParsableCommand {
        public static let configuration = CommandConfiguration(
            abstract: "Measure speed (not a test): optimizer steps over a large Float buffer.")

        public enum Target: String, ExpressibleByArgument, CaseIterable {
            case optimizers
        }

        @Argument(help: "What to measure: optimizers.")
        public var target: Target

        @Option(help: "Buffer length for the optimizer benchmark.")
        public var elements: Int = 10_000_000

        @Option(help: "Timed repeats (the fastest is reported).")
        public var repeats: Int = 5

        public init() {}

        public func validate() throws {
            guard elements > 0, repeats > 0 else { throw ValidationError("--elements and --repeats must be positive") }
        }

        public func run() throws {
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
