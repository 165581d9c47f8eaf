import CBLAS
import CSparse
import Foundation

/// The first layer's two big products, `X·W₁` and `Xᵀ·Δ₁`, computed without the input's
/// zero entries, with the very bits OpenBLAS gives them.
///
/// Image inputs are mostly zeros (half of a Fashion-MNIST image, four fifths of an MNIST
/// digit), and the first layer holds nearly all of a network's multiply-adds. OpenBLAS's
/// blocked single-precision kernel gives each output element one chain of fused
/// multiply-adds per block of the inner dimension; a zero term leaves such a chain
/// unchanged when the operands are finite (see `optlab_sparse.h`). So the same chains
/// without the zero terms give the same numbers, in fewer operations.
///
/// Trust is earned per machine: at first use, every candidate inner blocking is compared
/// bit for bit with `cblas_sgemm` on random sparse products, and the zero-skipping
/// products are used only if one candidate reproduces it exactly (with each inner size
/// compared again the first time it is met). They are also used only where OpenBLAS would
/// use that kernel: one OpenBLAS thread, products above ``MLP/smallProductLimit``, every
/// operand finite (0·∞ is NaN, which skipping would lose), and inputs at least an eighth
/// zeros (elsewhere OpenBLAS is as fast). Otherwise the product is `cblas_sgemm`'s.
public enum SparseProducts {
    /// The inner-dimension blocks of OpenBLAS's level-3 driver: blocks of `depth` while
    /// at least two remain, then the rest in two near-halves rounded up to `unroll`.
    public struct Blocking: Sendable, Hashable {
        public let depth: Int
        public let unroll: Int

        public init(depth: Int, unroll: Int) {
            self.depth = depth
            self.unroll = unroll
        }

        /// The end of each block of `0..<inner`.
        public func ends(_ inner: Int) -> [Int32] {
            var ends: [Int32] = []
            var start = 0
            while start < inner {
                var length = inner - start
                if length >= 2 * depth {
                    length = depth
                } else if length > depth {
                    length = (length / 2 + unroll - 1) / unroll * unroll
                }
                start += length
                ends.append(Int32(start))
            }
            return ends
        }
    }

    /// Whether networks may use the zero-skipping products (set `OPTLAB_DENSE_PRODUCTS=1`
    /// to have every product computed by OpenBLAS, for comparisons).
    nonisolated(unsafe) public static var allowed = ProcessInfo.processInfo.environment["OPTLAB_DENSE_PRODUCTS"] == nil

    private static let lock = NSLock()
    nonisolated(unsafe) private static var searched = false
    nonisolated(unsafe) private static var found: Blocking?
    nonisolated(unsafe) private static var checkedInner: [Kind: [Int: Bool]] = [:]

    enum Kind: Hashable { case nn, tn }

    /// The blocking that reproduces OpenBLAS on this machine, or nil (no AVX-512, or no
    /// candidate matched). Looked for once, with one OpenBLAS thread.
    public static var blocking: Blocking? {
        lock.lock()
        defer { lock.unlock() }
        return lockedBlocking()
    }

    private static func lockedBlocking() -> Blocking? {
        if searched { return found }
        guard optlab_sparse_available() != 0 else {
            searched = true
            return nil
        }
        // OpenBLAS's threaded driver blocks the inner dimension a little differently:
        // look only when it runs on one thread (and look again later otherwise).
        guard BLASThreads.count == 1 else { return nil }
        found = search()
        searched = true
        return found
    }

    /// The blocking to use for a product of this kind and inner size, if it is verified.
    static func usable(_ kind: Kind, inner: Int) -> Blocking? {
        guard allowed, BLASThreads.count == 1 else { return nil }
        lock.lock()
        defer { lock.unlock() }
        guard let blocking = lockedBlocking() else { return nil }
        if let known = checkedInner[kind]?[inner] { return known ? blocking : nil }
        let agrees = matches(kind, blocking, shape: shape(kind, inner: inner))
        checkedInner[kind, default: [:]][inner] = agrees
        return agrees ? blocking : nil
    }

    /// Whether a product with left operand `x` (count entries) is worth skipping zeros in
    /// and safe to: every entry finite and at least an eighth of them zero.
    static func sparseEnough(_ x: UnsafePointer<Float>, count: Int) -> Bool {
        let zeros = optlab_zeros_if_finite(x, count)
        return zeros >= 0 && zeros * 8 >= count
    }

    /// Whether every one of `count` entries is finite.
    static func finite(_ values: UnsafePointer<Float>, count: Int) -> Bool {
        optlab_all_finite(values, count) != 0
    }

    // MARK: Finding the blocking

    /// (rows, cols, inner) of a comparison product: above the small-product limit, with
    /// the inner size given.
    private static func shape(_ kind: Kind, inner: Int) -> (Int, Int, Int) {
        let rows = 16
        let cols = max(8, MLP.smallProductLimit / (rows * inner) + 1)
        return (rows, cols, inner)
    }

    private static func search() -> Blocking? {
        // Inner sizes that several candidates block differently.
        let shapes: [(Kind, (Int, Int, Int))] = [
            (.nn, (24, 70, 1_500)), (.nn, (16, 100, 784)), (.nn, (16, 60, 1_100)),
            (.tn, (40, 70, 1_100)), (.tn, (36, 90, 700)), (.tn, (16, 1_000, 128)),
        ]
        let references = shapes.map { reference($0.0, shape: $0.1) }
        for depth in [320, 384, 256, 448, 512, 192, 640, 768, 160, 128, 96, 64] {
            for unroll in [16, 8, 4, 32, 24, 48, 64, 2, 1] {
                let candidate = Blocking(depth: depth, unroll: unroll)
                let all = zip(shapes, references).allSatisfy { shape, reference in
                    sparse(shape.0, candidate, shape: shape.1, inputs: reference.inputs) == reference.output
                }
                if all { return candidate }
            }
        }
        return nil
    }

    private static func matches(_ kind: Kind, _ blocking: Blocking, shape: (Int, Int, Int)) -> Bool {
        let reference = reference(kind, shape: shape)
        return sparse(kind, blocking, shape: shape, inputs: reference.inputs) == reference.output
    }

    private struct Inputs {
        var x: [Float]
        var other: [Float]
        var start: [Float]
    }

    /// Random operands (x half zeros) and OpenBLAS's product, as bit patterns.
    private static func reference(_ kind: Kind, shape: (Int, Int, Int)) -> (inputs: Inputs, output: [UInt32]) {
        let (rows, cols, inner) = shape
        var generator = SplitMix64(seed: UInt64(rows * 1_000_003 + cols * 1_009 + inner))
        func value() -> Float { Float(generator.nextDouble() * 2 - 1) }
        let x = (0..<(rows * inner)).map { _ in generator.nextDouble() < 0.5 ? 0 : value() }
        let other = (0..<(inner * cols)).map { _ in value() }
        let start = (0..<(rows * cols)).map { _ in value() }
        var out = start
        switch kind {
        case .nn:
            // Z (rows × cols) += X (rows × inner) · W (inner × cols)
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(rows), Int32(cols), Int32(inner),
                        1, x, Int32(inner), other, Int32(cols), 1, &out, Int32(cols))
        case .tn:
            // G (rows × cols) = Xᵀ, X being inner × rows, · D (inner × cols)
            cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(rows), Int32(cols), Int32(inner),
                        1, x, Int32(rows), other, Int32(cols), 0, &out, Int32(cols))
        }
        return (Inputs(x: x, other: other, start: start), out.map(\.bitPattern))
    }

    private static func sparse(_ kind: Kind, _ blocking: Blocking, shape: (Int, Int, Int), inputs: Inputs) -> [UInt32] {
        let (rows, cols, inner) = shape
        let ends = blocking.ends(inner)
        var out = inputs.start
        switch kind {
        case .nn:
            optlab_sparse_product_nn(Int32(rows), Int32(cols), Int32(inner), inputs.x, Int32(inner), inputs.other, Int32(cols),
                                     &out, Int32(cols), ends, Int32(ends.count))
        case .tn:
            optlab_sparse_product_tn(Int32(rows), Int32(cols), Int32(inner), inputs.x, Int32(rows), inputs.other, Int32(cols),
                                     &out, Int32(cols), ends, Int32(ends.count))
        }
        return out.map(\.bitPattern)
    }
}

/// What the two threads of the input layer's split forward product share: each one's row
/// order, the partial sums of the inner block that straddles the split, and the count of
/// row batches handed over.
final class InputLayerHandOver: @unchecked Sendable {
    /// Examples handed over at a time (four groups of the kernel).
    static let rowsPerHandOver = 16

    /// The batches of rows handed over, as (first, count): 16 at a time, the last 16 four
    /// at a time (one group of the kernel), so that the second thread's work after the
    /// first thread's last rows, which the first thread waits for, is four rows' worth.
    static func batches(rows: Int) -> [(first: Int, count: Int)] {
        let tail = min(rows, rowsPerHandOver)
        var batches = stride(from: 0, to: rows - tail, by: rowsPerHandOver).map { ($0, min(rowsPerHandOver, rows - tail - $0)) }
        batches += stride(from: rows - tail, to: rows, by: 4).map { ($0, min(4, rows - $0)) }
        return batches
    }

    let order: [UnsafeMutablePointer<Int32>]
    let partial: FloatBuffer
    /// The second thread's whole blocks (``MLP/forwardInputLayer``), grown on demand.
    private var wholeBlockSums = FloatBuffer(count: 0)

    func sums(count: Int) -> UnsafeMutablePointer<Float> {
        if wholeBlockSums.count < count { wholeBlockSums = FloatBuffer(count: count) }
        return wholeBlockSums.base
    }
    /// On a cache line of its own.
    let progress: UnsafeMutablePointer<Int32>
    private let progressLine: UnsafeMutableRawPointer

    init(rows: Int, columns: Int) {
        order = (0..<2).map { _ in UnsafeMutablePointer<Int32>.allocate(capacity: rows) }
        partial = FloatBuffer(count: rows * columns)
        progressLine = UnsafeMutableRawPointer.allocate(byteCount: 128, alignment: 128)
        progress = progressLine.bindMemory(to: Int32.self, capacity: 32)
        progress.pointee = 0
    }

    deinit {
        order.forEach { $0.deallocate() }
        progressLine.deallocate()
    }
}

/// What copying a batch learnt about its rows for the input layer's zero-skipping
/// products: each row's nonzero entries and span (``optlab_sparse_row_profile``), and
/// whether the batch is finite with at least an eighth of zeros
/// (``SparseProducts/sparseEnough(_:count:)``). Written by the threads that copy the
/// rows, while the rows are in their caches; read by ``MLP/forward``, which then neither
/// scans the batch again nor has each thread order its rows.
public final class InputProfile {
    let nonzeros: UnsafeMutablePointer<Int32>
    let spans: UnsafeMutablePointer<Int32>
    /// Per row, its zeros, or −1 if it holds a value that is not finite.
    let zeros: UnsafeMutablePointer<Int>
    let capacity: Int
    /// The rows profiled last, and the width of each.
    public internal(set) var rows = 0
    public internal(set) var width = 0

    public init(maxRows: Int) {
        capacity = maxRows
        nonzeros = .allocate(capacity: maxRows)
        spans = .allocate(capacity: maxRows)
        zeros = .allocate(capacity: maxRows)
    }

    deinit {
        nonzeros.deallocate()
        spans.deallocate()
        zeros.deallocate()
    }

    /// Profiles row `r` (`width` floats at `row`).
    func profile(row r: Int, _ row: UnsafePointer<Float>, width: Int) {
        zeros[r] = optlab_sparse_row_profile(row, Int32(width), nonzeros + r, spans + r)
    }

    /// Whether the profiled rows are finite and at least an eighth zeros.
    public var sparse: Bool {
        var total = 0
        for r in 0..<rows {
            if zeros[r] < 0 { return false }
            total += zeros[r]
        }
        return total * 8 >= rows * width
    }
}
