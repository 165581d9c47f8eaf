import Foundation
import Testing
import OptLab

/// AdamW, AMSGrad, Lion and RAdam worked by hand on small cases (the framework replays
/// check 200 steps; these pin the parts a replay on a surface cannot: excluded biases,
/// the RAdam branch switch, a zero gradient).
@Suite("Optimizers: AdamW, AMSGrad, Lion and RAdam by hand")
struct NewerOptimizerTests {
    static func instance(_ kind: OptimizerKind, _ convention: Convention = .keras, _ overrides: [String: Double] = [:], count: Int) throws -> OptimizerInstance<Double> {
        try OptimizerSpec(kind: kind, convention: convention, overrides: overrides).make().makeInstance(parameterCount: count)
    }

    @Test("AdamW with a zero gradient only decays, and leaves excluded parameters (biases) alone", arguments: Convention.allCases)
    func adamWDecay(_ convention: Convention) throws {
        // Adam's part is 0/(0 + ε̂) = 0 when g = 0, so θ ← θ·(1 − η·λ) outside the exclusion.
        let optimizer = try Self.instance(.adamw, convention, ["lr": 0.1, "weight_decay": 0.5], count: 4)
        optimizer.decayExcluded = [2..<3]
        var theta: [Double] = [1, 2, 3, 4]
        optimizer.step(&theta, gradient: [0, 0, 0, 0])
        #expect(theta == [0.95, 1.9, 3, 3.8])
        optimizer.step(&theta, gradient: [0, 0, 0, 0])
        #expect(zip(theta, [0.9025, 1.805, 3, 3.61]).allSatisfy { abs($0 - $1) < 1e-15 })
    }

    @Test("AdamW's first step: decay, then Adam's step from the same gradient")
    func adamWFirstStep() throws {
        // Keras: θ₁ = θ₀ − θ₀·λη, then − α₁·m₁/(√s₁ + ε) with α₁ = η·√0.001/0.1, m₁ = 0.1·g, √s₁ = √0.001·|g|.
        let optimizer = try Self.instance(.adamw, .keras, ["lr": 0.01, "weight_decay": 0.1], count: 1)
        var theta: [Double] = [2]
        optimizer.step(&theta, gradient: [0.5])
        let alpha = 0.01 * 0.001.squareRoot() / 0.1
        let expected = (2 - 2 * 0.1 * 0.01) - alpha * 0.05 / (0.001.squareRoot() * 0.5 + 1e-7)
        #expect(abs(theta[0] - expected) < 1e-15)
    }

    @Test("AMSGrad divides by the running maximum of s: a small gradient after a large one moves less")
    func amsgrad() throws {
        // PyTorch, β₁ = 0 (m = g), β₂ = 0.5: s₁ = 0.5·4 = 2, s₂ = 0.5·2 + 0.5·0.01 = 1.005, ŝ₂ = 2.
        // Step 2: θ ← θ − η·g₂/(√ŝ₂/√(1 − 0.25) + ε) (bias correction 1 − β₁² = 1).
        let plain = try Self.instance(.adam, .pytorch, ["lr": 0.1, "beta_1": 0, "beta_2": 0.5], count: 1)
        let maximum = try Self.instance(.adam, .pytorch, ["lr": 0.1, "beta_1": 0, "beta_2": 0.5, "amsgrad": 1], count: 1)
        var a: [Double] = [0], b: [Double] = [0]
        plain.step(&a, gradient: [2]); maximum.step(&b, gradient: [2])
        #expect(a == b)
        let afterFirst = b[0]
        plain.step(&a, gradient: [0.1]); maximum.step(&b, gradient: [0.1])
        let expected = afterFirst - 0.1 * 0.1 / (2.0.squareRoot() / 0.75.squareRoot() + 1e-8)
        #expect(abs(b[0] - expected) < 1e-15)
        #expect(abs(b[0] - afterFirst) < abs(a[0] - afterFirst))
    }

    @Test("Lion moves each coordinate by exactly η, in the sign of β₁·m + (1 − β₁)·g")
    func lion() throws {
        let optimizer = try Self.instance(.lion, .keras, ["lr": 0.01], count: 3)
        var theta: [Double] = [1, 1, 1]
        // m = 0: sign(0.1·g) = sign(g); a zero gradient does not move.
        optimizer.step(&theta, gradient: [3, -1e-9, 0])
        #expect(theta == [0.99, 1.01, 1])
        // m₁ = 0.01·g₁ = (0.03, −1e-11, 0); g₂ = (−0.2, 0, 5): c = 0.9·m₁ + 0.1·g₂ = (0.007, −9e-12, 0.5).
        optimizer.step(&theta, gradient: [-0.2, 0, 5])
        #expect(theta == [0.99 - 0.01, 1.01 + 0.01, 0.99])
    }

    @Test("RAdam: momentum SGD while ρ_t ≤ 5 (five steps at β₂ = 0.999), then the rectified step")
    func radam() throws {
        let optimizer = try Self.instance(.radam, .pytorch, ["lr": 0.1], count: 1)
        var theta: [Double] = [0]
        var m = 0.0, s = 0.0
        var expected = 0.0
        let rhoInfinity = 2 / (1 - 0.999) - 1
        for t in 1...7 {
            let g = Double(t)
            optimizer.step(&theta, gradient: [g])
            m = 0.9 * m + 0.1 * g
            s = 0.999 * s + 0.001 * g * g
            let c1 = 1 - pow(0.9, Double(t)), c2 = 1 - pow(0.999, Double(t))
            let rho = rhoInfinity - 2 * Double(t) * pow(0.999, Double(t)) / c2
            #expect((rho > 5) == (t >= 6))
            if rho > 5 {
                let r = ((rho - 4) * (rho - 2) * rhoInfinity / ((rhoInfinity - 4) * (rhoInfinity - 2) * rho)).squareRoot()
                expected -= 0.1 * (m / c1) * r * c2.squareRoot() / (s.squareRoot() + 1e-8)
            } else {
                expected -= 0.1 * m / c1
            }
            #expect(abs(theta[0] - expected) < 1e-12 * max(1, abs(expected)), "step \(t)")
        }
    }
}
