import ArgumentParser
import OptLab

extension OptLabCommand {
    /// `optlab list optimizers|surfaces|activations|datasets`.
    public struct List: ParsableCommand {
        public static let configuration = CommandConfiguration(
            abstract: "List the optimizers (with their defaults per convention), the surfaces, the activations and outputs, or the datasets (with where their files are).")

        public enum Catalog: String, ExpressibleByArgument, CaseIterable {
            case optimizers, surfaces, activations, datasets
        }

        @Argument(help: "What to list: optimizers, surfaces, activations or datasets.")
        public var catalog: Catalog

        public init() {}

        public func run() throws {
            switch catalog {
            case .optimizers: print(Self.optimizersText(), terminator: "")
            case .surfaces: print(Self.surfacesText(), terminator: "")
            case .activations: print(Self.activationsText(), terminator: "")
            case .datasets: print(Self.datasetsText(), terminator: "")
            }
        }

        /// Hidden activations with their parameters, then the output layers and losses.
        public static func activationsText() -> String {
            let hidden: [(String, String, String)] = [
                ("sigmoid", "σ(z) = 1/(1 + e^(−z))", ""),
                ("tanh", "tanh(z)", ""),
                ("relu", "max(0, z)", ""),
                ("leaky_relu", "z for z > 0, else slope·z", "leaky_slope (--leaky-slope), default \(Activation.defaultLeakySlope)"),
                ("elu", "z for z > 0, else α·(e^z − 1)", "elu_alpha (--elu-alpha), default \(Activation.defaultELUAlpha)"),
                ("linear", "z", ""),
            ]
            var text = "hidden activations (activation: / --activation):\n"
            for (name, formula, parameter) in hidden {
                text += "  \(name.padding(toLength: 11, withPad: " ", startingAt: 0)) \(formula)" + (parameter.isEmpty ? "" : "; \(parameter)") + "\n"
            }
            text += "outputs and losses (output: / --output):\n"
            let outputs: [OutputLoss: String] = [
                .softmax: "softmax over the classes, cross-entropy loss",
                .sigmoid: "sigmoid per class, mean squared error against one-hot targets",
                .linear: "identity, mean squared error against one-hot targets",
            ]
            for output in OutputLoss.allCases {
                text += "  \(output.rawValue.padding(toLength: 11, withPad: " ", startingAt: 0)) \(outputs[output] ?? "")\n"
            }
            text += "squared-error scaling of sigmoid and linear outputs (loss: / --loss):\n"
            text += "  mse         (1/K)·Σ(a − y)² per example, averaged over the batch (default)\n"
            text += "  quadratic   ½·Σ(a − y)² per example, averaged: the course's C = 1/(2n)·Σ‖y − a‖²; gradient K/2 times mse's\n"
            return text
        }

        /// Each dataset, the folders searched for it, and where its files were found.
        public static func datasetsText(dataDirectory: String? = nil) -> String {
            var text = ""
            for dataset in DatasetName.allCases {
                text += "\(dataset.rawValue): 28×28 grey images, 10 classes, 60,000 training and 10,000 test\n"
                let folders = dataset.searchDirectories(dataDirectory: dataDirectory)
                text += "  searched: \(folders.joined(separator: ", "))\n"
                if let found = try? dataset.locate(dataDirectory: dataDirectory) {
                    text += "  found in: \(found)\n"
                } else {
                    var help = "optlab data fetch \(dataset.rawValue)"
                    if dataset == .fashionMNIST { help += ", or apt-get install dataset-fashion-mnist" }
                    text += "  not found; to get it: \(help)\n"
                }
            }
            return text
        }

        /// One block per optimizer: each hyperparameter with its Keras and PyTorch defaults.
        public static func optimizersText() -> String {
            var text = ""
            for kind in OptimizerKind.allCases {
                text += "\(kind.rawValue)\n"
                if let only = kind.type.onlyFramework {
                    let (has, lacks) = only == .keras ? ("Keras", "PyTorch") : ("PyTorch", "Keras")
                    text += "  (\(lacks) has no \(kind.rawValue): both conventions follow \(has)'s rule and defaults)\n"
                }
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
