import CBLAS
import Foundation

/// Whether OpenBLAS's loaded kernels give a product the same bits when its output rows are
/// computed in blocks, one call per block, as when it is computed in one call.
///
/// A network's products are shared between threads by output rows, and a run's numbers must
/// not depend on how many threads share them. OpenBLAS 0.3.21's AVX-512 kernels (SkylakeX,
/// Cooperlake) keep every output element's bits whatever the rows of the call, above their
/// small-product size; its Haswell kernels do not (of a 128 × 784 · 784 × 300 product split
/// 64 + 64, 2,585 of the 38,400 outputs differ in their last bits; blocks of 24 rows keep
/// them). So a split is checked at its first use, per shape and split, on random operands;
/// where it changes a bit, coarser blocks are tried, else the product is computed in one
/// call (``MLP/rowSplit(count:granularity:unitWork:product:)``).
enum RowSplits {
    /// The product `C = op(A)·op(B)` of a call site, by the transposes the network uses.
    enum Kind: Hashable {
        /// `C = A·B` (forward), split by A's rows.
        case nn
        /// `C = A·Bᵀ` (a delta through the weights), split by A's rows.
        case nt
        /// `C = Aᵀ·B` (a weight gradient), split by A's columns.
        case tn
    }

    private struct Key: Hashable {
        let kind: Kind
        let rows, columns, inner, parts, granularity: Int
        let accumulates: Bool
    }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var verdicts: [Key: Bool] = [:]

    /// Whether `rows` output rows (`columns` wide, `inner` deep) computed as the `parts`
    /// chunks of ``ThreadTeam/chunk(_:of:count:granularity:)`` equal the whole product, bit
    /// for bit. With `accumulates`, the product is added to C (β = 1) as the forward pass
    /// adds it to the biases.
    static func keepBits(_ kind: Kind, rows: Int, columns: Int, inner: Int, parts: Int, granularity: Int,
                         accumulates: Bool = false) -> Bool {
        guard parts > 1 else { return true }
        let key = Key(kind: kind, rows: rows, columns: columns, inner: inner, parts: parts, granularity: granularity,
                      accumulates: accumulates)
        lock.lock()
        if let verdict = verdicts[key] {
            lock.unlock()
            return verdict
        }
        lock.unlock()
        let verdict = compare(key)
        lock.lock()
        verdicts[key] = verdict
        lock.unlock()
        return verdict
    }

    private static func compare(_ key: Key) -> Bool {
        let (m, n, k) = (key.rows, key.columns, key.inner)
        var generator = SplitMix64(seed: UInt64(truncatingIfNeeded: m &* 1_000_003 &+ n &* 1_009 &+ k))
        // Values in [−1, 1), one in eight zero (as in ReLU activations and images).
        func operand(_ count: Int) -> [Float] {
            (0..<count).map { _ in
                let u = generator.nextDouble()
                return u < 0.125 ? 0 : Float(2 * generator.nextDouble() - 1)
            }
        }
        let a = operand(m * k), b = operand(k * n)
        let start = key.accumulates ? operand(m * n) : [Float](repeating: 0, count: m * n)
        var whole = start, blocks = start
        let beta: Float = key.accumulates ? 1 : 0
        func product(_ c: inout [Float], rows: Range<Int>) {
            a.withUnsafeBufferPointer { a in
                b.withUnsafeBufferPointer { b in
                    c.withUnsafeMutableBufferPointer { c in
                        let (a, b, c) = (a.baseAddress!, b.baseAddress!, c.baseAddress! + rows.lowerBound * n)
                        let count = Int32(rows.count)
                        switch key.kind {
                        case .nn:
                            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, count, Int32(n), Int32(k),
                                        1, a + rows.lowerBound * k, Int32(k), b, Int32(n), beta, c, Int32(n))
                        case .nt:
                            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, count, Int32(n), Int32(k),
                                        1, a + rows.lowerBound * k, Int32(k), b, Int32(k), beta, c, Int32(n))
                        case .tn:
                            cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, count, Int32(n), Int32(k),
                                        1, a + rows.lowerBound, Int32(m), b, Int32(n), beta, c, Int32(n))
                        }
                    }
                }
            }
        }
        product(&whole, rows: 0..<m)
        for part in 0..<key.parts {
            let chunk = ThreadTeam.chunk(part, of: key.parts, count: m, granularity: key.granularity)
            if !chunk.isEmpty { product(&blocks, rows: chunk) }
        }
        return zip(whole, blocks).allSatisfy { $0.bitPattern == $1.bitPattern }
    }
}
