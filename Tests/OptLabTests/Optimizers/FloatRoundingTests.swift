import Foundation
import Testing
import OptLab

/// The library may be compiled for wide vectors and fused multiply-add (`Package.swift`,
/// AVX2 and FMA); a run's numbers must not change with that. Here the single-precision
/// steps that networks train with are replayed element by element, every operation
/// rounded once to single precision on its own (computed in double precision, which
/// rounds +, −, ×, ÷ and √ of single-precision operands exactly before that one rounding),
/// in the order the rules are written, for the optimizers whose loops the vector build
/// changes most (square roots and divisions) and for the course's Momentum. A fused
/// multiply-add, or any other reordering, in the compiled loops would round differently
/// somewhere in these 4,099 × 30 steps.
@Suite("Optimizers: single-precision steps round each operation once")
struct FloatRoundingTests {
    /// One single-precision rounding of a value computed exactly in double precision.
    static func r(_ x: Double) -> Float { Float(x) }
    static func d(_ x: Float) -> Double { Double(x) }

    static let count = 4_099  // not a multiple of any vector width
    static let steps = 30

    /// Gradients of a few magnitudes (some tiny, so that ε matters), a fixed stream.
    static func gradients() -> [[Float]] {
        var generator = SplitMix64(seed: 29)
        return (0..<steps).map { _ in
            (0..<count).map { _ in
                let scale = [1.0, 1e-3, 1e-6][Int(generator.next() % 3)]
                return Float((generator.nextDouble() * 2 - 1) * scale)
            }
        }
    }

    static func start() -> [Float] {
        var generator = SplitMix64(seed: 31)
        return (0..<count).map { _ in Float(generator.nextDouble() - 0.5) }
    }

    /// Takes the compiled steps, as training does, and expects them to equal `replay` bit
    /// for bit.
    static func expectCompiled(_ kind: OptimizerKind, _ convention: Convention, toEqual replay: [Float]) throws {
        let optimizer: OptimizerInstance<Float> = try OptimizerSpec(kind: kind, convention: convention).make()
            .makeInstance(parameterCount: count)
        var theta = start()
        for g in gradients() {
            g.withUnsafeBufferPointer { g in theta.withUnsafeMutableBufferPointer { optimizer.step($0, gradient: g) } }
        }
        let differing = zip(theta, replay).filter { $0.bitPattern != $1.bitPattern }.count
        #expect(differing == 0, "\(kind.rawValue) \(convention.rawValue): \(differing) of \(count) parameters differ")
    }

    @Test("Adam: m ← β₁m + (1−β₁)g, s ← β₂s + (1−β₂)g·g, θ ← θ − α_t·m/(√s + ε̂), each operation rounded once",
          arguments: Convention.allCases)
    func adam(convention: Convention) throws {
        let (eta, b1, b2) = (1e-3, 0.9, 0.999)
        let eps = convention == .keras ? 1e-7 : 1e-8
        let (beta1, beta2) = (Float(b1), Float(b2))
        let (oneMinusBeta1, oneMinusBeta2) = (Self.r(1 - Self.d(beta1)), Self.r(1 - Self.d(beta2)))
        var theta = Self.start()
        var m = [Float](repeating: 0, count: Self.count), s = m
        for (step, g) in Self.gradients().enumerated() {
            let t = Double(step + 1)
            // The per-step scalars in double precision (Kingma & Ba's α_t; PyTorch's ε̂ = ε·√(1−β₂ᵗ)).
            let correction2 = (1 - pow(b2, t)).squareRoot()
            let alpha = Float(eta * correction2 / (1 - pow(b1, t)))
            let epsilonHat = Float(convention == .keras ? eps : eps * correction2)
            for i in 0..<Self.count {
                m[i] = Self.r(Self.d(Self.r(Self.d(beta1) * Self.d(m[i]))) + Self.d(Self.r(Self.d(oneMinusBeta1) * Self.d(g[i]))))
                let g2 = Self.r(Self.d(Self.r(Self.d(oneMinusBeta2) * Self.d(g[i]))) * Self.d(g[i]))
                s[i] = Self.r(Self.d(Self.r(Self.d(beta2) * Self.d(s[i]))) + Self.d(g2))
                let denominator = Self.r(Self.d(Self.r(Self.d(s[i]).squareRoot())) + Self.d(epsilonHat))
                let change = Self.r(Self.d(Self.r(Self.d(alpha) * Self.d(m[i]))) / Self.d(denominator))
                theta[i] = Self.r(Self.d(theta[i]) - Self.d(change))
            }
        }
        try Self.expectCompiled(.adam, convention, toEqual: theta)
        #expect(theta != Self.start())
    }

    @Test("RMSprop: s ← ρs + (1−ρ)g·g, d = g/(√(s + ε_in) + ε_out), v ← μv + a·d, θ ← θ + c·v, each operation rounded once",
          arguments: Convention.allCases)
    func rmsprop(convention: Convention) throws {
        // Defaults: Keras ρ 0.9, η 1e-3, ε 1e-7 inside the root; PyTorch ρ 0.99, η 1e-2, ε 1e-8 outside; μ 0.
        let keras = convention == .keras
        let rho = Float(keras ? 0.9 : 0.99), mu = Float(0), eta = Float(keras ? 1e-3 : 1e-2)
        let epsilon = Float(keras ? 1e-7 : 1e-8)
        let (inside, outside): (Float, Float) = keras ? (epsilon, 0) : (0, epsilon)
        let (a, c): (Float, Float) = keras ? (-eta, 1) : (1, -eta)
        let oneMinusRho = Self.r(1 - Self.d(rho))
        var theta = Self.start()
        var s = [Float](repeating: 0, count: Self.count), v = s
        for g in Self.gradients() {
            for i in 0..<Self.count {
                let g2 = Self.r(Self.d(Self.r(Self.d(oneMinusRho) * Self.d(g[i]))) * Self.d(g[i]))
                s[i] = Self.r(Self.d(Self.r(Self.d(rho) * Self.d(s[i]))) + Self.d(g2))
                let root = Self.r(Self.d(Self.r(Self.d(s[i]) + Self.d(inside))).squareRoot())
                let step = Self.r(Self.d(g[i]) / Self.d(Self.r(Self.d(root) + Self.d(outside))))
                v[i] = Self.r(Self.d(Self.r(Self.d(mu) * Self.d(v[i]))) + Self.d(Self.r(Self.d(a) * Self.d(step))))
                theta[i] = Self.r(Self.d(theta[i]) + Self.d(Self.r(Self.d(c) * Self.d(v[i]))))
            }
        }
        try Self.expectCompiled(.rmsprop, convention, toEqual: theta)
    }

    @Test("AdaGrad: s ← s + g·g, θ ← θ − η·g/(√(s + ε_in) + ε_out), each operation rounded once",
          arguments: Convention.allCases)
    func adagrad(convention: Convention) throws {
        // Defaults: Keras η 1e-3, s₀ 0.1, ε 1e-7 inside the root; PyTorch η 1e-2, s₀ 0, ε 1e-10 outside.
        let keras = convention == .keras
        let eta = Float(keras ? 1e-3 : 1e-2), epsilon = Float(keras ? 1e-7 : 1e-10)
        let (inside, outside): (Float, Float) = keras ? (epsilon, 0) : (0, epsilon)
        var theta = Self.start()
        var s = [Float](repeating: Float(keras ? 0.1 : 0), count: Self.count)
        for g in Self.gradients() {
            for i in 0..<Self.count {
                s[i] = Self.r(Self.d(s[i]) + Self.d(Self.r(Self.d(g[i]) * Self.d(g[i]))))
                let root = Self.r(Self.d(Self.r(Self.d(s[i]) + Self.d(inside))).squareRoot())
                let change = Self.r(Self.d(Self.r(Self.d(eta) * Self.d(g[i]))) / Self.d(Self.r(Self.d(root) + Self.d(outside))))
                theta[i] = Self.r(Self.d(theta[i]) - Self.d(change))
            }
        }
        try Self.expectCompiled(.adagrad, convention, toEqual: theta)
    }

    @Test("Momentum: v ← μv + a·g, θ ← θ + c·v (Keras a = −η, c = 1; PyTorch a = 1, c = −η), each operation rounded once",
          arguments: Convention.allCases)
    func momentum(convention: Convention) throws {
        let mu = Float(0.9)
        let eta = Float(convention == .keras ? 0.01 : 1e-3)
        let (a, c): (Float, Float) = convention == .keras ? (-eta, 1) : (1, -eta)
        var theta = Self.start()
        var v = [Float](repeating: 0, count: Self.count)
        for g in Self.gradients() {
            for i in 0..<Self.count {
                v[i] = Self.r(Self.d(Self.r(Self.d(mu) * Self.d(v[i]))) + Self.d(Self.r(Self.d(a) * Self.d(g[i]))))
                theta[i] = Self.r(Self.d(theta[i]) + Self.d(Self.r(Self.d(c) * Self.d(v[i]))))
            }
        }
        try Self.expectCompiled(.momentum, convention, toEqual: theta)
    }
}
