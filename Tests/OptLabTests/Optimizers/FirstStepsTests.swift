import Testing
import OptLab

/// Three steps of every optimizer, in both conventions and at their default
/// hyperparameters, from θ₀ = (1, −0.5) with the gradient sequence
/// g₁ = (0.5, −1), g₂ = (−0.25, 2), g₃ = (1, 0.1).
///
/// The expected values were derived from each framework's documented rule, written out
/// per element (not with this package's code). First steps, worked by hand:
///
/// - sgd, Keras, η = 0.01: θ₁ = 1 − 0.01·0.5 = 0.995; −0.5 + 0.01 = −0.49.
/// - momentum, Keras: v₁ = −η·g₁ = (−0.005, 0.01), θ₁ = θ₀ + v₁ = (0.995, −0.49);
///   v₂ = 0.9·v₁ − η·g₂ = (−0.002, −0.011), θ₂ = (0.993, −0.501).
/// - momentum, PyTorch, η = 0.001: b₁ = g₁, θ₁ = θ₀ − 0.001·g₁ = (0.9995, −0.499);
///   b₂ = 0.9·b₁ + g₂ = (0.2, 1.1), θ₂ = (0.9993, −0.5001).
/// - nesterov, Keras: θ₁ = θ₀ + 0.9·v₁ − η·g₁ = 1 − 0.0045 − 0.005 = 0.9905.
/// - nesterov, PyTorch: θ₁ = θ₀ − η·(g₁ + 0.9·g₁) = 1 − 0.001·0.95 = 0.99905.
/// - adagrad, PyTorch: s₁ = 0.25, θ₁ = 1 − 0.01·0.5/(0.5 + 1e-10) = 0.990000000002.
/// - adagrad, Keras: s₁ = 0.1 + 0.25, θ₁ = 1 − 0.001·0.5/√(0.35 + 1e-7).
/// - rmsprop, PyTorch: s₁ = 0.01·0.25, θ₁ = 1 − 0.01·0.5/(0.05 + 1e-8) = 0.90000002.
/// - adadelta, PyTorch: s₁ = 0.1·0.25, Δ₁ = √(1e-6)/√(0.025 + 1e-6)·0.5, θ₁ = 1 − Δ₁.
/// - adam, PyTorch: m̂₁ = g₁, ŝ₁ = g₁², θ₁ = 1 − 0.001·0.5/(0.5 + 1e-8) = 0.99900000002.
/// - adam, Keras: α₁ = 0.001·√0.001/0.1, m₁ = 0.05, √s₁ = √0.00025, θ₁ = 1 − α₁·0.05/(√0.00025 + 1e-7).
/// - adamax, PyTorch: u₁ = 0.5 + 1e-8, θ₁ = 1 − 0.002/0.1·0.05/u₁ = 0.99800000004.
/// - adamax, Keras: u₁ = 0.5, θ₁ = 1 − 0.001/0.1·0.05/(0.5 + 1e-7) = 0.9990000002.
/// - nadam: μ_t = 0.9·(1 − ½·0.96^(tψ)); with ψ = 1 (Keras) μ₁ = 0.468, μ₂ = 0.485280;
///   m̂₁ = μ₂·m₁/(1 − μ₁μ₂) + (1 − μ₁)·g₁/(1 − μ₁), ŝ₁ = g₁², θ₁ = 1 − η·m̂₁/(0.5 + ε).
/// - rmsprop with momentum 0.5 exercises the velocity path of both conventions.
@Suite("Optimizers: first three steps")
struct FirstStepsTests {
    struct FirstSteps: CustomTestStringConvertible, Sendable {
        var kind: OptimizerKind
        var convention: Convention
        var overrides: [String: Double]
        var expected: [[Double]]
        init(_ kind: OptimizerKind, _ convention: Convention, _ overrides: [String: Double], _ expected: [[Double]]) {
            self.kind = kind; self.convention = convention; self.overrides = overrides; self.expected = expected
        }
        var testDescription: String { "\(kind.rawValue) \(convention.rawValue) \(overrides)" }
    }

    static let start: [Double] = [1.0, -0.5]
    static let gradients: [[Double]] = [[0.5, -1.0], [-0.25, 2.0], [1.0, 0.1]]

    static let cases: [FirstSteps] = [
        FirstSteps(.sgd, .keras, [:], [[0.995, -0.49], [0.9974999999999999, -0.51], [0.9874999999999999, -0.511]]),
        FirstSteps(.sgd, .pytorch, [:], [[0.9995, -0.499], [0.99975, -0.501], [0.99875, -0.5011]]),
        FirstSteps(.momentum, .keras, [:], [[0.995, -0.49], [0.993, -0.501], [0.9812, -0.5119]]),
        FirstSteps(.momentum, .pytorch, [:], [[0.9995, -0.499], [0.9993000000000001, -0.5001], [0.9981200000000001, -0.50119]]),
        FirstSteps(.nesterov, .keras, [:], [[0.9905, -0.481], [0.9912000000000001, -0.5109], [0.9705800000000001, -0.52171]]),
        FirstSteps(.nesterov, .pytorch, [:], [[0.99905, -0.4981], [0.99912, -0.50109], [0.997058, -0.502171]]),
        FirstSteps(.adagrad, .keras, [:], [[0.9991548458660078, -0.4990465374540936], [0.9995440952909068, -0.49993215233095123], [0.9987026889968678, -0.49997638972603875]]),
        FirstSteps(.adagrad, .pytorch, [:], [[0.990000000002, -0.490000000001], [0.9944721359561995, -0.4989442719105992], [0.9857434203475217, -0.499391038962188]]),
        FirstSteps(.rmsprop, .keras, [:], [[0.9968377286643679, -0.49683772392096925], [0.9983121456617157, -0.49969486648656697], [0.9954935674804782, -0.49984528067895084]]),
        FirstSteps(.rmsprop, .pytorch, [:], [[0.900000019999996, -0.4000000099999991], [0.9449013374421751, -0.4895323021991522], [0.8574273783928595, -0.4940269223469148]]),
        FirstSteps(.rmsprop, .keras, ["momentum": 0.5], [[0.9968377286643679, -0.49683772392096925], [0.9967310099938996, -0.4981137284470516], [0.9938590724774281, -0.49890214490247664]]),
        FirstSteps(.rmsprop, .pytorch, ["momentum": 0.5], [[0.900000019999996, -0.400000009999999], [0.8949013474421731, -0.4395323071991517], [0.804878052113946, -0.4637930759464906]]),
        FirstSteps(.adadelta, .keras, [:], [[0.9999985857920944, -0.49999858578785183], [0.999999498658155, -0.5000003836528896], [0.9999975794126243, -0.5000005066767869]]),
        FirstSteps(.adadelta, .pytorch, [:], [[0.9968377855834876, -0.4968377381511013], [0.9989228726112789, -0.5008783341048181], [0.9946161569990815, -0.5011610417858111]]),
        FirstSteps(.adam, .keras, [:], [[0.9990000063245154, -0.49900000316226767], [0.9987336707920792, -0.4993661061715039], [0.9980755610087696, -0.49967737909394455]]),
        FirstSteps(.adam, .pytorch, [:], [[0.99900000002, -0.49900000001], [0.9987336629870784, -0.4993661035347208], [0.9980755513967708, -0.49967737689478287]]),
        FirstSteps(.adamax, .keras, [:], [[0.9990000001999999, -0.4990000001], [0.9987892631893471, -0.49928947376973687], [0.998353838878646, -0.4994907820790509]]),
        FirstSteps(.adamax, .pytorch, [:], [[0.99800000004, -0.49800000002], [0.9975785259427449, -0.4985789473855263], [0.9967076772429663, -0.49898156402229227]]),
        FirstSteps(.nadam, .keras, [:], [[0.9989372124092487, -0.49893721230297], [0.9993298075702018, -0.49981887798656827], [0.9983819261564566, -0.49990880563153534]]),
        FirstSteps(.nadam, .pytorch, [:], [[0.9978870964855473, -0.49788709646441826], [0.9987093159232228, -0.49970021143831256], [0.9967131117214758, -0.49987307032115164]]),
    ]

    static func run<Scalar: OptimizerScalar>(_ spec: OptimizerSpec, as _: Scalar.Type) throws -> [[Scalar]] {
        let instance: OptimizerInstance<Scalar> = try spec.make().makeInstance(parameterCount: 2)
        var theta = start.map { Scalar($0) }
        var trajectory: [[Scalar]] = []
        for g in gradients {
            instance.step(&theta, gradient: g.map { Scalar($0) })
            trajectory.append(theta)
        }
        return trajectory
    }

    @Test("Double matches the hand derivation to 1e-12", arguments: cases)
    func doublePrecision(_ c: FirstSteps) throws {
        let spec = OptimizerSpec(kind: c.kind, convention: c.convention, overrides: c.overrides)
        let steps = try Self.run(spec, as: Double.self)
        for (t, (got, want)) in zip(steps, c.expected).enumerated() {
            for i in 0..<2 {
                #expect(abs(got[i] - want[i]) <= 1e-12, "step \(t + 1), θ[\(i)]: got \(got[i]), want \(want[i])")
            }
        }
    }

    @Test("Float follows the same rule to single precision", arguments: cases)
    func singlePrecision(_ c: FirstSteps) throws {
        let spec = OptimizerSpec(kind: c.kind, convention: c.convention, overrides: c.overrides)
        let steps = try Self.run(spec, as: Float.self)
        for (t, (got, want)) in zip(steps, c.expected).enumerated() {
            for i in 0..<2 {
                #expect(abs(Double(got[i]) - want[i]) <= 2e-6, "step \(t + 1), θ[\(i)]: got \(got[i]), want \(want[i])")
            }
        }
    }

    /// Positions after three steps printed by Keras 3 itself (JAX backend, float64
    /// variables) for the same start and gradients. Keras keeps hyperparameters as
    /// float32 (0.01 becomes 0.0099999998), so agreement is to about 1e-9, not 1e-12.
    static let kerasPrinted: [(OptimizerKind, [String: Double], [Double])] = [
        (.sgd, [:], [0.9875000002793968, -0.5109999997541308]),
        (.momentum, [:], [0.9812000004202127, -0.5118999997340142]),
        (.nesterov, [:], [0.9705800006575882, -0.5217099995147437]),
        (.adagrad, [:], [0.9987026889352487, -0.49997638972491726]),
        (.rmsprop, [:], [0.9954935672664343, -0.4998452806716021]),
        (.rmsprop, ["momentum": 0.5], [0.9938590721857499, -0.49890214485033135]),
        (.adadelta, [:], [0.9999975794125094, -0.5000005066768108]),
        (.adam, [:], [0.9980755609173636, -0.49967737907862086]),
        (.adamax, [:], [0.9983538388004577, -0.4994907820548643]),
        (.nadam, [:], [0.9983819260796022, -0.49990880562720386]),
    ]

    @Test("Keras convention agrees with Keras 3's own output")
    func kerasOutput() throws {
        for (kind, overrides, want) in Self.kerasPrinted {
            let got = try Self.run(OptimizerSpec(kind: kind, convention: .keras, overrides: overrides), as: Double.self)[2]
            for i in 0..<2 {
                #expect(abs(got[i] - want[i]) <= 1e-8, "\(kind.rawValue) θ[\(i)]: got \(got[i]), Keras \(want[i])")
            }
        }
    }

    /// The course's form `v ← ξ·v + α·∇W; W ← W − v`, written out here, is Momentum
    /// with μ = ξ and η = α in the Keras convention.
    @Test("The course's momentum form equals Keras momentum", arguments: [(0.5, 0.1), (0.9, 0.01), (0.99, 0.3)])
    func courseForm(xi: Double, alpha: Double) throws {
        var w = Self.start, v = [0.0, 0.0]
        let spec = OptimizerSpec(kind: .momentum, convention: .keras, overrides: ["lr": alpha, "momentum": xi])
        let got = try Self.run(spec, as: Double.self)
        for (t, g) in Self.gradients.enumerated() {
            for i in 0..<2 {
                v[i] = xi * v[i] + alpha * g[i]
                w[i] -= v[i]
                #expect(abs(got[t][i] - w[i]) <= 1e-15)
            }
        }
    }
}
