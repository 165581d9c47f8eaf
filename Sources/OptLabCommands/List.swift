import ArgumentParser
import OptLab

extension OptLabCommand {
    /// `optlab list optimizers|surfaces`.
    public struct List: ParsableCommand {
        public static let configuration = CommandConfiguration(
            abstract: "List the optimizers (with their defaults per convention) or the surfaces.")

        public enum Catalog: String, ExpressibleByArgument, CaseIterable {
            case optimizers, surfaces
        }

        @Argument(help: "What to list: optimizers or surfaces.")
        public var catalog: Catalog

        public init() {}

        public func run() throws {
            switch catalog {
            case .optimizers: print(Self.optimizersText(), terminator: "")
            case .surfaces: print(Self.surfacesText(), terminator: "")
            }
        }

        /// One block per optimizer: each hyperparameter with its Keras and PyTorch defaults.
        public static func optimizersText() -> String {
            var text = ""
            for kind in OptimizerKind.allCases {
                text += "\(kind.rawValue)\n"
                let keras = kind.type.hyperparameters(for: .keras)
                let pytorch = kind.type.hyperparameters(for: .pytorch)
                for parameter in keras {
                    let torchDefault = pytorch.first { $0.name == parameter.name }?.defaultValue
                    let name = parameter.name.padding(toLength: 26, withPad: " ", startingAt: 0)
                    let symbol = parameter.symbol.padding(toLength: 3, withPad: " ", startingAt: 0)
                    text += "  \(name) \(symbol) keras=\(parameter.defaultValue) pytorch=\(torchDefault.map { "\($0)" } ?? "-")  \(parameter.summary)\n"
                }
            }
            return text
        }

        public static func surfacesText() -> String {
            var text = ""
            for surface in Surface.all {
                text += "\(surface.name): \(surface.summary)\n"
                text += "  \(surface.formula)\n"
                let minima = surface.minima.isEmpty ? "none (unbounded below)"
                    : surface.minima.map(\.description).joined(separator: ", ") + " with f = \(surface.minimumValue!)"
                text += "  minima: \(minima)\n"
                text += "  start: \(surface.start)  window: x in [\(surface.xRange.lower), \(surface.xRange.upper)], y in [\(surface.yRange.lower), \(surface.yRange.upper)]\n"
            }
            return text
        }
    }
}
