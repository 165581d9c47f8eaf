import Foundation

/// How a network's passes share their products out between the team's threads, so that
/// a run's numbers do not depend on how many threads share them.
extension MLP {
    /// Multiply-adds at or below which OpenBLAS (0.3.21, AVX-512 kernels) computes a product
    /// with its small-matrix kernels, which round differently from its blocked kernels.
    /// The AVX-512 blocked kernels give each output element the same value whatever the
    /// number of rows in the call (measured for the three kinds of product used here, every
    /// shape of the suites; other kernels are checked as they are used, ``RowSplits``); so a
    /// product is split between threads only when the whole and every block are above this
    /// size, and a run's numbers do not depend on its team's size. `ThreadTeamTests` checks
    /// that on training runs, bit for bit.
    public static let smallProductLimit = 1_000_000

    /// An OpenBLAS product that a split shares out by its output rows (``RowSplits``).
    struct RowProduct {
        let kind: RowSplits.Kind
        let columns: Int
        let inner: Int
        var accumulates = false
    }

    /// Calls `body` with blocks of `0..<rows`, one per thread when the product's blocks
    /// (`rowWork` multiply-adds per row) are all above ``smallProductLimit`` and, for
    /// OpenBLAS's `product`, give its bits.
    func forEachRowBlock(_ rows: Int, rowWork: Int, product: RowProduct?, _ body: (Range<Int>) -> Void) {
        split(count: rows, granularity: 8, unitWork: rowWork, product: product) { _, _, block in
            if !block.isEmpty { body(block) }
        }
    }

    /// How ``split(count:granularity:unitWork:product:_:)`` shares `0..<count` out: in
    /// ``parts(count:granularity:unitWork:threads:)`` chunks for the team, of `granularity`
    /// units or a multiple of it. For OpenBLAS's `product`, the first multiple (of 1, 2, 3,
    /// 4, 6, 8) whose chunks give the bits of one call (``RowSplits``: OpenBLAS's Haswell
    /// kernels keep them for chunks of 24 rows, not of 8), or one part if none does.
    private func rowSplit(count: Int, granularity: Int, unitWork: Int, product: RowProduct?) -> (parts: Int, granularity: Int) {
        let parts = MLP.parts(count: count, granularity: granularity, unitWork: unitWork, threads: team.size)
        guard parts > 1, let product else { return (parts, granularity) }
        for multiple in [1, 2, 3, 4, 6, 8] {
            let coarser = granularity * multiple
            let parts = MLP.parts(count: count, granularity: coarser, unitWork: unitWork, threads: team.size)
            guard parts > 1 else { break }
            if RowSplits.keepBits(product.kind, rows: count, columns: product.columns, inner: product.inner, parts: parts,
                                  granularity: coarser, accumulates: product.accumulates) {
                return (parts, coarser)
            }
        }
        return (1, granularity)
    }

    /// Calls `body(part, parts, chunk)` on `parts` threads of the team, `0..<count` being
    /// split into `parts` chunks (``ThreadTeam/chunk(_:of:count:granularity:)``) of
    /// `unitWork` multiply-adds per unit, as ``rowSplit(count:granularity:unitWork:product:)``
    /// chooses: every chunk above ``smallProductLimit`` (else one part, on the caller), and
    /// for OpenBLAS's `product`, chunks that keep its bits.
    func split(count: Int, granularity: Int, unitWork: Int, product: RowProduct?,
               _ body: (Int, Int, Range<Int>) -> Void) {
        let (parts, granularity) = rowSplit(count: count, granularity: granularity, unitWork: unitWork, product: product)
        if parts > 1 {
            team.run { part in
                if part < parts { body(part, parts, ThreadTeam.chunk(part, of: parts, count: count, granularity: granularity)) }
            }
        } else {
            body(0, 1, 0..<count)
        }
    }

    /// The most parts, up to `threads`, into which `count` units of `unitWork` multiply-adds
    /// can be chunked with every non-empty chunk above ``smallProductLimit``; 1 if none.
    public static func parts(count: Int, granularity: Int, unitWork: Int, threads: Int) -> Int {
        guard count * unitWork > smallProductLimit else { return 1 }
        var parts = threads
        while parts > 1 {
            var everyChunkLarge = true
            for part in 0..<parts {
                let chunk = ThreadTeam.chunk(part, of: parts, count: count, granularity: granularity).count
                if chunk > 0 && chunk * unitWork <= smallProductLimit { everyChunkLarge = false }
            }
            if everyChunkLarge { return parts }
            parts -= 1
        }
        return 1
    }
}
