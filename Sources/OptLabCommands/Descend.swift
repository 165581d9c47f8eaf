import ArgumentParser
import Foundation
import OptLab

extension OptLabCommand {
    /// `optlab descend`: one optimizer on one surface.
    public struct Descend: ParsableCommand {
        public static let configuration = CommandConfiguration(
            abstract: "Run one optimizer on one 2D surface and print (or save) its trajectory.",
            discussion: """
            The CSV has the header step,x,y,loss; row 0 is the start point. A run whose \
            point or loss becomes non-finite, whose point leaves ±1e6 or whose loss leaves \
            ±1e12 stops with status diverged (exit code 0). Negative start coordinates work as written: --start -2,2. \
            --csv writes to the file named, in a folder that must exist.
            """)

        @Option(help: ArgumentHelp("Surface name (see 'optlab list surfaces').", valueName: "name"))
        public var surface: String

        @OptionGroup public var optimizer: OptimizerOptions

        @Option(parsing: .unconditional, help: ArgumentHelp("Start point (default: the surface's customary start).", valueName: "x,y"))
        public var start: String?

        @Option(parsing: .unconditional, help: "Number of optimizer steps.")
        public var steps: Int

        @Option(help: ArgumentHelp("Write the trajectory to this CSV file.", valueName: "file"))
        public var csv: String?

        public init() {}

        public func validate() throws {
            guard steps >= 0, steps <= Limits.steps else { throw ValidationError("--steps must be from 0 to \(Limits.steps), got \(steps)") }
        }

        public func run() throws {
            let surface = try Surface.named(surface)
            let spec = try optimizer.spec()
            let start = try start.map { try parsePoint($0, flag: "--start") } ?? surface.start
            var descent = Descent(surface: surface, optimizer: try spec.make(), start: start, steps: steps)
            descent.schedule = spec.schedule
            let result = descent.run()
            if let csv {
                let writer = try CSVFileWriter(path: csv, header: ["step", "x", "y", "loss"])
                try writer.write(rows: result.trajectory.map {
                    ["\($0.step)", CSV.number($0.point.x), CSV.number($0.point.y), CSV.number($0.loss)]
                })
            }
            let final = result.final
            let distance = result.distanceToMinimum.map { "\($0)" } ?? "n/a (no minimum)"
            let lr = try spec.resolvedValues()["lr"]
            print("\(surface.name) \(spec.kind.rawValue) (\(spec.convention.rawValue), lr=\(lr)): "
                + "\(final.step) steps, final point \(final.point), loss \(final.loss), "
                + "distance to nearest minimum \(distance), status \(result.status.rawValue)")
        }
    }
}
