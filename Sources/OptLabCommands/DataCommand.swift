import ArgumentParser
import Foundation
import OptLab

extension OptLabCommand {
    /// `optlab data fetch mnist|fashion-mnist`.
    public struct DataCommand: ParsableCommand {
        public static let configuration = CommandConfiguration(
            commandName: "data", abstract: "Manage datasets.", subcommands: [Fetch.self])

        public init() {}

        public struct Fetch: ParsableCommand {
            public static let configuration = CommandConfiguration(
                abstract: "Download a dataset's four IDX files from its public mirrors and verify their MD5 checksums.")

            @Argument(help: "mnist or fashion-mnist.")
            public var dataset: String

            @Option(help: ArgumentHelp("Destination folder (default: data/<dataset>).", valueName: "dir"))
            public var to: String?

            @Option(help: ArgumentHelp("Mirror base URL to use instead of the built-in ones (http, https or file).", valueName: "url"))
            public var mirror: String?

            public init() {}

            public func run() throws {
                let name = try DatasetName.parse(dataset)
                let directory = to ?? "data/\(name.rawValue)"
                try DatasetFetcher.fetch(DatasetFetcher.files(of: name),
                                         mirrors: mirror.map { [$0] } ?? DatasetFetcher.mirrors(of: name),
                                         into: directory) { print($0) }
                print("\(name.rawValue) is in \(directory)")
            }
        }
    }
}
