import CBLAS
import Testing
import OptLab

/// OpenBLAS's kernels differ per processor (and OptLab may select them, see
/// `BLASThreads.betterCoreType`): check one product of the network's largest shape
/// against a plain triple loop in Double.
@Suite("Network: BLAS")
struct BLASTests {
    @Test("sgemm 128×784 · 784×300 matches a naive product")
    func product() {
        let (m, k, n) = (128, 784, 300)
        var generator = SplitMix64(seed: 5)
        let a = (0..<(m * k)).map { _ in Float(generator.nextDouble()) }
        let b = (0..<(k * n)).map { _ in Float(generator.nextDouble() - 0.5) }
        var c = [Float](repeating: 0, count: m * n)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(n), Int32(k), 1, a, Int32(k), b, Int32(n), 0, &c, Int32(n))
        var worst = 0.0
        for i in stride(from: 0, to: m, by: 7) {
            for j in stride(from: 0, to: n, by: 5) {
                var sum = 0.0
                for p in 0..<k { sum += Double(a[i * k + p]) * Double(b[p * n + j]) }
                worst = max(worst, abs(sum - Double(c[i * n + j])))
            }
        }
        #expect(worst < 1e-3, "largest difference \(worst) (kernels: \(BLASThreads.coreName))")
    }

    @Test("the kernels optlab asks OpenBLAS for, by processor and by OpenBLAS's own choice")
    func kernelChoice() {
        let avx512: Set = ["avx2", "fma", "avx512f", "avx512bw", "avx512vl", "avx512dq", "avx512cd"]
        // An AVX-512 processor left with lesser kernels (OPENBLAS_CORETYPE aside, which optlab
        // respects): the AVX-512 ones, Cooperlake with BF16 as OpenBLAS chooses on Zen 4 and 5.
        #expect(BLASThreads.betterCoreType(current: "Haswell", cpuFlags: avx512.union(["avx512_bf16"])) == "Cooperlake")
        #expect(BLASThreads.betterCoreType(current: "Zen", cpuFlags: avx512) == "SkylakeX")
        #expect(BLASThreads.betterCoreType(current: "Prescott", cpuFlags: avx512) == "SkylakeX")
        // AVX-512 kernels already: kept.
        for current in ["SkylakeX", "Cooperlake", "SapphireRapids"] {
            #expect(BLASThreads.betterCoreType(current: current, cpuFlags: avx512.union(["avx512_bf16"])) == nil)
        }
        // AVX-512 without BW, VL, DQ and CD (Knights Landing): not taken for it.
        #expect(BLASThreads.betterCoreType(current: "Haswell", cpuFlags: ["avx2", "fma", "avx512f", "avx512cd"]) == nil)
        // AVX2 only: Haswell when OpenBLAS fell back to generic kernels, else its choice.
        #expect(BLASThreads.betterCoreType(current: "Prescott", cpuFlags: ["avx2", "fma"]) == "Haswell")
        #expect(BLASThreads.betterCoreType(current: "Zen", cpuFlags: ["avx2", "fma"]) == nil)
        #expect(BLASThreads.betterCoreType(current: "Prescott", cpuFlags: ["sse3"]) == nil)
    }
}
