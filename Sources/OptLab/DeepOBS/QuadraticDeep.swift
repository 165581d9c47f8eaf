import Foundation

/// DeepOBS's `quadratic_deep` test problem (Schneider, Balles & Hennig, 2019), rebuilt from
/// its definition: θ ∈ ℝ¹⁰⁰ starting at all ones, per-example loss ½(θ − x)ᵀQ(θ − x), a
/// batch's loss the mean over its examples. Q = Rᵀ·diag(λ)·R with 90 eigenvalues uniform in
/// (0, 1) and 10 in (30, 60), and R a random rotation by the subgroup algorithm of Diaconis &
/// Shahshahani, all drawn from one NumPy `RandomState(42)` stream in that order; 1,000
/// training points from `RandomState(42).normal(0, 0.6)` and 1,000 test points from
/// `RandomState(43)`, both rounded to float32.
public struct QuadraticDeep: Sendable {
    public static let dimension = 100
    public static let trainingSize = 1000

    /// The Hessian, row-major.
    public let hessian: [Double]
    public let eigenvalues: [Double]
    /// Training and test points, row-major (`trainingSize` × `dimension`), float32 values.
    public let training: [Double]
    public let test: [Double]

    /// Mean and spread term of the training points and of the 896 test points: the mean loss
    /// over a set is ½(θ − x̄)ᵀQ(θ − x̄) + c, with c = ½·mean (xᵢ − x̄)ᵀQ(xᵢ − x̄).
    public let trainingMean: [Double], trainingSpread: Double
    public let testMean: [Double], testSpread: Double

    /// The problem as DeepOBS defines it.
    public static let shared = QuadraticDeep()

    public init() {
        let n = Self.dimension
        var rng = MersenneTwister(seed: 42)
        eigenvalues = (0..<90).map { _ in rng.uniform(0, 1) } + (0..<10).map { _ in rng.uniform(30, 60) }
        let r = Self.randomRotation(n, &rng)
        // Q = Rᵀ·diag(λ)·R.
        var q = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in i..<n {
                var sum = 0.0
                for k in 0..<n { sum += r[k * n + i] * eigenvalues[k] * r[k * n + j] }
                q[i * n + j] = sum
                q[j * n + i] = sum
            }
        }
        hessian = q
        training = Self.points(seed: 42)
        test = Self.points(seed: 43)
        (trainingMean, trainingSpread) = Self.moments(q, training, count: Self.trainingSize)
        (testMean, testSpread) = Self.moments(q, test, count: Self.testCount)
    }

    static func moments(_ q: [Double], _ data: [Double], count: Int) -> ([Double], Double) {
        let n = dimension
        var mean = [Double](repeating: 0, count: n)
        for p in 0..<count { for j in 0..<n { mean[j] += data[p * n + j] } }
        mean = mean.map { $0 / Double(count) }
        var spread = 0.0
        var d = [Double](repeating: 0, count: n)
        for p in 0..<count {
            for j in 0..<n { d[j] = data[p * n + j] - mean[j] }
            for i in 0..<n {
                var row = 0.0
                for j in 0..<n { row += q[i * n + j] * d[j] }
                spread += d[i] * row
            }
        }
        return (mean, 0.5 * spread / Double(count))
    }

    /// ½(θ − m)ᵀQ(θ − m) + c.
    func quadratic(_ theta: [Double], _ mean: [Double], _ spread: Double) -> Double {
        let d = zip(theta, mean).map { $0 - $1 }
        let qd = apply(d)
        return 0.5 * zip(d, qd).reduce(0) { $0 + $1.0 * $1.1 } + spread
    }

    /// The mean loss over all training points.
    public func trainingLoss(_ theta: [Double]) -> Double { quadratic(theta, trainingMean, trainingSpread) }

    /// The test loss as DeepOBS evaluates it, over its 896 test points.
    public func testLoss(_ theta: [Double]) -> Double { quadratic(theta, testMean, testSpread) }

    /// `RandomState(seed).normal(0, 0.6, (1000, 100))`, rounded to float32.
    static func points(seed: UInt32) -> [Double] {
        var rng = MersenneTwister(seed: seed)
        return (0..<(trainingSize * dimension)).map { _ in Double(Float(rng.normal(0, 0.6))) }
    }

    /// A rotation drawn uniformly from SO(n) by the subgroup algorithm: a random 2-D
    /// rotation, then for each larger dimension d + 1 a Householder reflection that takes
    /// the first axis to a random point on the sphere, applied to diag(1, R); the sign of the
    /// result is flipped at the end (as the reference does). Row-major.
    static func randomRotation(_ n: Int, _ rng: inout MersenneTwister) -> [Double] {
        let t = 2 * Double.pi * rng.randomSample()
        var r = [cos(t), sin(t), -sin(t), cos(t)]
        for d in 2..<n {
            let size = d + 1
            var v = (0..<size).map { _ in rng.gauss() }
            let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            v = v.map { $0 / norm }
            // x = (e₁ − v)/‖e₁ − v‖.
            var x = v.map { -$0 }
            x[0] += 1
            let xNorm = x.reduce(0) { $0 + $1 * $1 }.squareRoot()
            x = x.map { $0 / xNorm }
            // D = diag(1, R); R ← D − 2·x·(xᵀD).
            var m = [Double](repeating: 0, count: size * size)
            m[0] = 1
            for i in 0..<d { for j in 0..<d { m[(i + 1) * size + j + 1] = r[i * d + j] } }
            var xtm = [Double](repeating: 0, count: size)
            for i in 0..<size where x[i] != 0 { for j in 0..<size { xtm[j] += x[i] * m[i * size + j] } }
            for i in 0..<size { for j in 0..<size { m[i * size + j] -= 2 * x[i] * xtm[j] } }
            r = m
        }
        return r.map { -$0 }
    }

    /// Q·v.
    public func apply(_ v: [Double]) -> [Double] {
        let n = Self.dimension
        return (0..<n).map { i in
            var sum = 0.0
            for j in 0..<n { sum += hessian[i * n + j] * v[j] }
            return sum
        }
    }

    /// The mean per-example loss over `count` points of `data` (from the first), at θ.
    public func loss(_ theta: [Double], data: [Double], count: Int) -> Double {
        let n = Self.dimension
        var total = 0.0
        var diff = [Double](repeating: 0, count: n)
        for p in 0..<count {
            for j in 0..<n { diff[j] = theta[j] - data[p * n + j] }
            let qd = apply(diff)
            var quad = 0.0
            for j in 0..<n { quad += diff[j] * qd[j] }
            total += 0.5 * quad
        }
        return total / Double(count)
    }

    /// The test loss as DeepOBS evaluates it: the first 896 test points (7 batches of 128).
    public static let testCount = 896
}
