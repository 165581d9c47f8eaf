import ArgumentParser
import Foundation
import OptLab

extension OptLabCommand {
    /// `optlab compare results/A results/B ...`.
    public struct Compare: ParsableCommand {
        public static let configuration = CommandConfiguration(
            abstract: "Put several results folders' rankings side by side for the problems they share.",
            discussion: """
            A problem is compared only when its definition (surface, steps and noise, or \
            dataset, limits, network and training settings, and targets) is identical in \
            every folder that has it; otherwise compare exits 2 naming the field that differs. \
            Each folder is read alone (its suite.resolved.yaml and runs.csv).
            """)

        @Argument(help: "Two or more results folders.")
        public var directories: [String]

        public init() {}

        public func validate() throws {
            guard directories.count >= 2 else { throw ValidationError("compare needs two or more results folders") }
        }

        public func run() throws {
            print(try Comparison.text(try Comparison.load(directories)), terminator: "")
        }
    }
}
