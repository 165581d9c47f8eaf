import CMath
import Foundation

/// Hidden-layer activation functions. Each derivative is computed from the activation's
/// output a = φ(z), so the forward pass keeps only one buffer per layer.
public enum Activation: Sendable, Hashable, CustomStringConvertible {
    /// σ(z) = 1/(1 + e^(−z)); σ' = a·(1 − a).
    case sigmoid
    /// tanh(z); tanh' = 1 − a².
    case tanh
    /// max(0, z); derivative 1 where a > 0, else 0.
    case relu
    /// z for z > 0, slope·z otherwise (slope > 0); derivative 1 or slope.
    case leakyReLU(slope: Float)
    /// z for z > 0, α·(e^z − 1) otherwise; derivative 1 or a + α.
    case elu(alpha: Float)
    /// z; derivative 1.
    case linear

    public static let names = ["sigmoid", "tanh", "relu", "leaky_relu", "elu", "linear"]
    /// Default negative slope of `leaky_relu` (PyTorch's; Keras 3's layer uses 0.3).
    public static let defaultLeakySlope: Float = 0.01
    /// Default α of `elu` (both frameworks).
    public static let defaultELUAlpha: Float = 1.0

    public static func parse(_ name: String, leakySlope: Float = defaultLeakySlope, eluAlpha: Float = defaultELUAlpha) throws -> Activation {
        switch name.lowercased() {
        case "sigmoid": return .sigmoid
        case "tanh": return .tanh
        case "relu": return .relu
        case "leaky_relu":
            guard leakySlope > 0, leakySlope.isFinite else { throw InputError("leaky_relu slope must be > 0, got \(leakySlope)") }
            return .leakyReLU(slope: leakySlope)
        case "elu":
            guard eluAlpha > 0, eluAlpha.isFinite else { throw InputError("elu alpha must be > 0, got \(eluAlpha)") }
            return .elu(alpha: eluAlpha)
        case "linear": return .linear
        default: throw InputError(NearestName.unknownMessage(kind: "activation", name: name, valid: names))
        }
    }

    public var description: String {
        switch self {
        case .sigmoid: "sigmoid"
        case .tanh: "tanh"
        case .relu: "relu"
        case .leakyReLU(let slope): "leaky_relu(\(slope))"
        case .elu(let alpha): "elu(\(alpha))"
        case .linear: "linear"
        }
    }

    /// He initialisation suits the ReLU family, Glorot the rest.
    var usesHeInitialization: Bool {
        switch self {
        case .relu, .leakyReLU, .elu: true
        case .sigmoid, .tanh, .linear: false
        }
    }

    /// a ← φ(z), in place. Sigmoid and ELU take e^x sixteen lanes at a time with the
    /// C library's values (`optlab_sigmoid`, `optlab_elu`: the same numbers as
    /// `1 / (1 + exp(-z))` and `alpha * (exp(z) - 1)` element by element).
    func apply(_ z: UnsafeMutablePointer<Float>, count: Int) {
        switch self {
        case .sigmoid: optlab_sigmoid(z, count)
        case .tanh: for i in 0..<count { z[i] = Foundation.tanh(z[i]) }
        case .relu: Lanes.update(z, count: count) { z in z.replacing(with: 0, where: z .< 0) }
        case .leakyReLU(let slope): Lanes.update(z, count: count) { z in z.replacing(with: slope * z, where: .!(z .> 0)) }
        case .elu(let alpha): optlab_elu(z, count, alpha)
        case .linear: break
        }
    }

    /// δ ← δ ⊙ φ'(z), with φ' computed from the outputs `a`. Sixteen lanes at a time:
    /// as scalar loops the ReLU family's data-dependent branches mispredicted about half
    /// the time and cost a tenth of an epoch (BENCHMARKS.md).
    func multiplyByDerivative(_ delta: UnsafeMutablePointer<Float>, outputs a: UnsafePointer<Float>, count: Int) {
        switch self {
        case .sigmoid: Lanes.update(delta, with: a, count: count) { d, a in d * (a * (1 - a)) }
        case .tanh: Lanes.update(delta, with: a, count: count) { d, a in d * (1 - a * a) }
        case .relu: Lanes.update(delta, with: a, count: count) { d, a in d.replacing(with: 0, where: .!(a .> 0)) }
        case .leakyReLU(let slope):
            Lanes.update(delta, with: a, count: count) { d, a in d.replacing(with: slope * d, where: .!(a .> 0)) }
        case .elu(let alpha):
            Lanes.update(delta, with: a, count: count) { d, a in d.replacing(with: d * (a + alpha), where: .!(a .> 0)) }
        case .linear: break
        }
    }
}

/// The output layer and its loss.
public enum OutputLoss: String, Sendable, Hashable, CaseIterable {
    /// Softmax over the classes with categorical cross-entropy, averaged over the batch.
    case softmax
    /// Element-wise sigmoid with mean squared error against one-hot targets,
    /// averaged over batch and classes (Keras's `mean_squared_error`).
    case sigmoid
    /// Identity output with mean squared error against one-hot targets.
    case linear

    public static func parse(_ name: String) throws -> OutputLoss {
        if let output = OutputLoss(rawValue: name.lowercased()) { return output }
        throw InputError(NearestName.unknownMessage(kind: "output", name: name, valid: allCases.map(\.rawValue)))
    }
}

/// How the squared error of a sigmoid or linear output is scaled (softmax always uses
/// cross-entropy). With K outputs, target y (one-hot) and output a, per example:
///
/// ```
/// mse:        L = (1/K)·Σₖ (aₖ − yₖ)²     ∂L/∂aₖ = (2/K)·(aₖ − yₖ)     (Keras's mean_squared_error)
/// quadratic:  L = ½·Σₖ (aₖ − yₖ)²         ∂L/∂aₖ = aₖ − yₖ              (the course's C = 1/(2n)·Σₓ ‖y(x) − a‖²)
/// ```
///
/// both averaged over the examples of a batch. The quadratic cost's gradient is K/2 times
/// the mean squared error's (5× with 10 classes), so a learning rate η from the course
/// notes corresponds to 5η with `mse`.
public enum SquaredLoss: String, Sendable, Hashable, CaseIterable {
    case mse
    case quadratic

    public static func parse(_ name: String) throws -> SquaredLoss {
        if let loss = SquaredLoss(rawValue: name.lowercased()) { return loss }
        throw InputError(NearestName.unknownMessage(kind: "loss", name: name, valid: allCases.map(\.rawValue)))
    }

    /// The factor c in L = c·Σₖ (aₖ − yₖ)² for K outputs.
    public func scale(outputs: Int) -> Double {
        switch self {
        case .mse: 1 / Double(outputs)
        case .quadratic: 0.5
        }
    }
}
