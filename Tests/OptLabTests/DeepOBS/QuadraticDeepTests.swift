import Foundation
import Testing
import OptLab

/// DeepOBS's quadratic_deep rebuilt without NumPy. The expected draws were printed by NumPy
/// 2.4 (`RandomState(42).random_sample(3)`, `.normal(size=3)`, the eigenvalues, the float32
/// test points); the losses are DeepOBS's published checks.
@Suite("DeepOBS: the Mersenne Twister and quadratic_deep")
struct QuadraticDeepTests {
    @Test("MT19937 seeded like RandomState(42) gives NumPy's raw outputs, uniforms and legacy normals")
    func mersenneTwister() {
        var raw = MersenneTwister(seed: 42)
        // The first outputs of init_genrand(42), as NumPy's randint(0, 2**32) returns them.
        #expect(raw.next32() == 1_608_637_542 && raw.next32() == 3_421_126_067)
        var uniform = MersenneTwister(seed: 42)
        let samples = (0..<3).map { _ in uniform.randomSample() }
        #expect(samples[0] == 0.3745401188473625)
        #expect(abs(samples[1] - 0.95071431) < 5e-9 && abs(samples[2] - 0.73199394) < 5e-9)
        var normal = MersenneTwister(seed: 42)
        let normals = (0..<3).map { _ in normal.gauss() }
        for (value, expected) in zip(normals, [0.49671415, -0.1382643, 0.64768854]) { #expect(abs(value - expected) < 5e-9) }
    }

    @Test("eigenvalues and data as NumPy draws them")
    func draws() {
        let problem = QuadraticDeep.shared
        #expect(problem.eigenvalues[0] == 0.3745401188473625)
        #expect(problem.eigenvalues[89] == 0.4722149251619493)
        #expect(problem.eigenvalues[90] == 33.58782737814905)
        #expect(problem.eigenvalues[99] == 33.23674280979913)
        #expect(Float(problem.test[0]) == 0.15443996 && Float(problem.test[99_999]) == 0.5671685)
    }

    @Test("the Hessian is symmetric with the drawn spectrum: trace and Frobenius norm match the eigenvalues")
    func hessian() {
        let problem = QuadraticDeep.shared
        let n = QuadraticDeep.dimension
        var trace = 0.0, frobenius = 0.0, asymmetry = 0.0
        for i in 0..<n {
            trace += problem.hessian[i * n + i]
            for j in 0..<n {
                frobenius += problem.hessian[i * n + j] * problem.hessian[i * n + j]
                asymmetry = max(asymmetry, abs(problem.hessian[i * n + j] - problem.hessian[j * n + i]))
            }
        }
        #expect(asymmetry == 0)
        #expect(abs(trace - problem.eigenvalues.reduce(0, +)) < 1e-9)
        #expect(abs(frobenius - problem.eigenvalues.reduce(0) { $0 + $1 * $1 }) < 1e-7)
    }

    @Test("DeepOBS's checks: test loss 353.44676 at θ = 1, 87.046 at the training mean")
    func publishedLosses() {
        let problem = QuadraticDeep.shared
        let n = QuadraticDeep.dimension
        let ones = [Double](repeating: 1, count: n)
        let initial = problem.loss(ones, data: problem.test, count: QuadraticDeep.testCount)
        // Float32 has 24 bits: 353.44676 is known to about 3e-5 relative.
        #expect(abs(initial - 353.44676) < 353.44676 * 3e-5)
        var mean = [Double](repeating: 0, count: n)
        for p in 0..<QuadraticDeep.trainingSize { for j in 0..<n { mean[j] += problem.training[p * n + j] / Double(QuadraticDeep.trainingSize) } }
        let atMean = problem.loss(mean, data: problem.test, count: QuadraticDeep.testCount)
        #expect(abs(atMean - 87.046) < 5e-4)
    }
}
