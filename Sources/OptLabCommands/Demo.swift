import ArgumentParser
import Foundation
import OptLab

extension OptLabCommand {
    /// `optlab demo`: every optimizer on Rosenbrock and the quadratic bowl.
    public struct Demo: ParsableCommand {
        public static let configuration = CommandConfiguration(
            abstract: "Run all nine optimizers on the quadratic bowl and Rosenbrock; write their trajectories.",
            discussion: "Learning rates and step counts come from the reference table used by the convergence tests.")

        @Option(help: ArgumentHelp("Output folder.", valueName: "dir"))
        public var out: String = "results/demo"

        @Option(help: "Convention: keras (default) or pytorch.")
        public var convention: Convention = .keras

        public init() {}

        public func run() throws {
            let summary = try SurfaceDemo.run(convention: convention, outputDirectory: out)
            print(summary, terminator: "")
        }
    }
}
