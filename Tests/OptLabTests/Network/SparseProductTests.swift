import CBLAS
import CSparse
import Foundation
import Testing
import OptLab

/// The products that skip the input's zeros must give OpenBLAS's numbers bit for bit. They
/// run only where the library verified that on this machine (AVX-512 and OpenBLAS's
/// blocked kernels); elsewhere these tests have nothing to compare and are skipped.
@Suite("Network: products that skip the input's zeros give OpenBLAS's bits")
struct SparseProductTests {
    /// Whether this machine runs them (looked for with one OpenBLAS thread, as runs use).
    static let available: Bool = {
        BLASThreads.set(1)
        return SparseProducts.blocking != nil
    }()
    static let unavailable: Comment = "this processor or BLAS does not run the zero-skipping products (no AVX-512, or another kernel)"

    /// The shipped MNIST digits (real images: zeros in the borders and between strokes),
    /// scaled to [0, 1] as batches are.
    static let digits: [Float] = {
        let images = (try? DatasetName.mnist.load(.test, dataDirectory: TestData.mnistFixtureDirectory).images) ?? []
        return images.map { Float($0) / 255 }
    }()

    @Test("the inner blocks of OpenBLAS's level-3 driver, worked by hand")
    func blockEnds() {
        let blocking = SparseProducts.Blocking(depth: 320, unroll: 16)
        // 784: one block of 320 leaves 464 (< 640), split in near-halves rounded up to 16:
        // 232 → 240, then the remaining 224.
        #expect(blocking.ends(784) == [320, 560, 784])
        // 1,000: 320, 320 (680 left), then 360 → 180 → 192, then 168.
        #expect(blocking.ends(1_000) == [320, 640, 832, 1_000])
        #expect(blocking.ends(128) == [128])
        #expect(blocking.ends(640) == [320, 640])
        // 321: more than one block but less than two: 321 / 2 = 160, already a multiple of 16.
        #expect(blocking.ends(321) == [160, 321])
    }

    /// X·W added to Z, and Xᵀ·D: rows not a multiple of the group of 4, columns not a
    /// multiple of 16, inner sizes of one to four blocks, X from real digits.
    @Test("X·W + Z and Xᵀ·D equal cblas_sgemm bit for bit", .enabled(if: available, unavailable),
          arguments: [(64, 300, 784), (128, 300, 784), (37, 77, 784), (130, 301, 784), (9, 1_000, 784), (200, 100, 1_000)])
    func products(rows: Int, cols: Int, inner: Int) throws {
        let blocking = try #require(SparseProducts.blocking)
        BLASThreads.set(1)
        let digits = Self.digits
        try #require(digits.count >= 784 * 400)
        var generator = SplitMix64(seed: UInt64(rows * 7 + cols))
        func value() -> Float { Float(generator.nextDouble() * 2 - 1) }
        // X: rows of digits (inner entries each, from consecutive pixels of the set).
        let x = (0..<(rows * inner)).map { digits[$0 % digits.count] }
        #expect(x.filter { $0 == 0 }.count * 2 > x.count, "mostly zeros, as digits are")
        let w = (0..<(inner * cols)).map { _ in value() }
        let z0 = (0..<(rows * cols)).map { _ in value() }
        var expected = z0, actual = z0
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(rows), Int32(cols), Int32(inner),
                    1, x, Int32(inner), w, Int32(cols), 1, &expected, Int32(cols))
        let ends = blocking.ends(inner)
        optlab_sparse_product_nn(Int32(rows), Int32(cols), Int32(inner), x, Int32(inner), w, Int32(cols),
                                 &actual, Int32(cols), ends, Int32(ends.count))
        let differing = zip(expected, actual).filter { $0.bitPattern != $1.bitPattern }.count
        #expect(differing == 0, "X·W + Z: \(differing) of \(expected.count) differ")

        // Xᵀ·D: X is (samples × inputs) = (inner × rows) here, G is rows × cols.
        let d = (0..<(inner * cols)).map { _ in generator.nextDouble() < 0.5 ? 0 : value() }
        var g1 = [Float](repeating: .nan, count: rows * cols), g2 = g1
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(rows), Int32(cols), Int32(inner),
                    1, x, Int32(rows), d, Int32(cols), 0, &g1, Int32(cols))
        optlab_sparse_product_tn(Int32(rows), Int32(cols), Int32(inner), x, Int32(rows), d, Int32(cols),
                                 &g2, Int32(cols), ends, Int32(ends.count))
        let differingT = zip(g1, g2).filter { $0.bitPattern != $1.bitPattern }.count
        #expect(differingT == 0, "Xᵀ·D: \(differingT) of \(g1.count) differ")
    }

    /// The shape of the split products below: 100 digits through a 784-300 layer.
    static let splitShape = (rows: 100, cols: 300, inner: 784)

    /// 100 real digits from `firstDigit` on, random W and Z, and OpenBLAS's X·W + Z (one
    /// OpenBLAS thread).
    static func splitProduct(firstDigit: Int, seed: UInt64) -> (x: [Float], w: [Float], z0: [Float], expected: [Float]) {
        BLASThreads.set(1)
        let (rows, cols, inner) = splitShape
        let x = Array(digits[(784 * firstDigit)..<(784 * firstDigit + rows * inner)])
        var generator = SplitMix64(seed: seed)
        let w = (0..<(inner * cols)).map { _ in Float(generator.nextDouble() * 2 - 1) }
        let z0 = (0..<(rows * cols)).map { _ in Float(generator.nextDouble() * 2 - 1) }
        var expected = z0
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(rows), Int32(cols), Int32(inner),
                    1, x, Int32(inner), w, Int32(cols), 1, &expected, Int32(cols))
        return (x, w, z0, expected)
    }

    /// The product in two parts over W's rows [0, s) and [s, 784), the second resuming the
    /// first's partial sums, each part itself in two batches of rows: OpenBLAS's bits for
    /// every s, inside a block or on a block's edge, and for no split at all.
    @Test("X·W + Z computed in parts over the inner dimension equals cblas_sgemm bit for bit",
          .enabled(if: available, unavailable), arguments: [0, 16, 320, 400, 432, 560, 784])
    func parts(split: Int) throws {
        let blocking = try #require(SparseProducts.blocking)
        let (rows, cols, inner) = Self.splitShape
        let (x, w, z0, expected) = Self.splitProduct(firstDigit: 500, seed: UInt64(split))
        var actual = z0
        let ends = blocking.ends(inner)
        var order = [Int32](repeating: -1, count: rows)
        optlab_sparse_order(Int32(rows), Int32(inner), x, Int32(inner), &order)
        #expect(Set(order) == Set(0..<Int32(rows)), "a permutation of the rows")
        var partial = [Float](repeating: .nan, count: rows * cols)
        let half = 48
        for (from, to) in [(0, split), (split, inner)] {
            for (first, count) in [(0, half), (half, rows - half)] {
                order.withUnsafeBufferPointer { order in
                    optlab_sparse_product_nn_part(Int32(count), order.baseAddress! + first, Int32(cols), Int32(inner), x, Int32(inner),
                                                  w, Int32(cols), &actual, Int32(cols), ends, Int32(ends.count),
                                                  Int32(from), Int32(to), &partial, Int32(cols), 0)
                }
            }
        }
        let differing = zip(expected, actual).filter { $0.bitPattern != $1.bitPattern }.count
        #expect(differing == 0, "split at \(split): \(differing) of \(expected.count) differ")
    }

    /// The second part as the second thread computes it: the blocks wholly after s first,
    /// for every row, before any of the first part exists; then, batch by batch after the
    /// first part, the rest of the block s cuts and those blocks added in order. OpenBLAS's
    /// bits for every s, including block edges (no block cut) and the ends (no whole block).
    @Test("X·W + Z with the second part's whole blocks computed ahead equals cblas_sgemm bit for bit",
          .enabled(if: available, unavailable), arguments: [0, 16, 320, 400, 432, 560, 784])
    func wholeBlocksAhead(split: Int) throws {
        let blocking = try #require(SparseProducts.blocking)
        let (rows, cols, inner) = Self.splitShape
        let (x, w, z0, expected) = Self.splitProduct(firstDigit: 700, seed: UInt64(split + 1))
        var actual = z0
        let ends = blocking.ends(inner).map(Int.init)
        // The splits above are OpenBLAS's Cooperlake blocks' edges and insides
        // ([320, 560, 784]); other kernels block otherwise (SkylakeX: [400, 784]), where
        // they still must give OpenBLAS's bits.
        #expect(ends.count >= 2 && ends.last == inner)
        let cutEnd = ends.first { $0 >= split }!
        let firstWhole = ends.firstIndex { $0 > cutEnd } ?? ends.count
        let wholeBlocks = ends.count - firstWhole
        let ends32 = ends.map(Int32.init)
        var order = [Int32](repeating: -1, count: rows)
        optlab_sparse_order(Int32(rows), Int32(inner), x, Int32(inner), &order)
        var partial = [Float](repeating: .nan, count: rows * cols)
        var sums = [Float](repeating: .nan, count: max(1, wholeBlocks * rows * cols))
        optlab_sparse_block_sums(Int32(rows), order, Int32(cols), Int32(inner), x, Int32(inner), w, Int32(cols),
                                 ends32, Int32(ends.count), Int32(firstWhole), &sums, Int32(cols), Int32(rows), 0)
        for (first, count) in [(0, 48), (48, rows - 48)] {
            order.withUnsafeBufferPointer { order in
                let rowsHere = order.baseAddress! + first
                optlab_sparse_product_nn_part(Int32(count), rowsHere, Int32(cols), Int32(inner), x, Int32(inner),
                                              w, Int32(cols), &actual, Int32(cols), ends32, Int32(ends.count),
                                              0, Int32(split), &partial, Int32(cols), 0)
                if cutEnd > split {
                    optlab_sparse_product_nn_part(Int32(count), rowsHere, Int32(cols), Int32(inner), x, Int32(inner),
                                                  w, Int32(cols), &actual, Int32(cols), ends32, Int32(ends.count),
                                                  Int32(split), Int32(cutEnd), &partial, Int32(cols), 0)
                }
                optlab_add_block_sums(Int32(count), rowsHere, Int32(cols), &actual, Int32(cols), sums, Int32(cols),
                                      Int32(rows), Int32(wholeBlocks))
            }
        }
        let differing = zip(expected, actual).filter { $0.bitPattern != $1.bitPattern }.count
        #expect(differing == 0, "split at \(split) (\(wholeBlocks) whole blocks ahead): \(differing) of \(expected.count) differ")
        // Without the blocks ahead, the sum differs wherever those blocks have a nonzero term.
        if wholeBlocks > 0 {
            var missing = z0
            optlab_sparse_product_nn_part(Int32(rows), order, Int32(cols), Int32(inner), x, Int32(inner),
                                          w, Int32(cols), &missing, Int32(cols), ends32, Int32(ends.count),
                                          0, Int32(cutEnd), &partial, Int32(cols), 0)
            #expect(zip(expected, missing).filter { $0.bitPattern != $1.bitPattern }.count > rows * cols / 2)
        }
    }

    /// The comparison that earns the trust is sharp: blocks of 256 instead of OpenBLAS's
    /// give other bits on most elements.
    @Test("with other inner blocks the same chains round differently", .enabled(if: available, unavailable))
    func wrongBlocking() {
        let (rows, cols, inner) = (32, 100, 784)
        let x = Array(Self.digits[0..<(rows * inner)])
        var generator = SplitMix64(seed: 2)
        let w = (0..<(inner * cols)).map { _ in Float(generator.nextDouble() * 2 - 1) }
        var expected = [Float](repeating: 0, count: rows * cols), actual = expected
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(rows), Int32(cols), Int32(inner),
                    1, x, Int32(inner), w, Int32(cols), 1, &expected, Int32(cols))
        let ends = SparseProducts.Blocking(depth: 256, unroll: 16).ends(inner)
        #expect(ends == [256, 512, 656, 784])  // 272 left after two blocks: 136 → 144, then 128
        optlab_sparse_product_nn(Int32(rows), Int32(cols), Int32(inner), x, Int32(inner), w, Int32(cols),
                                 &actual, Int32(cols), ends, Int32(ends.count))
        let differing = zip(expected, actual).filter { $0.bitPattern != $1.bitPattern }.count
        #expect(differing > expected.count / 2, "\(differing) of \(expected.count) differ")
    }

    @Test("the zero and finiteness checks count exactly and catch ±∞ and NaN anywhere")
    func checks() {
        for count in [1, 15, 16, 17, 31, 32, 33, 100, 1_000] {
            var values = (0..<count).map { Float($0 % 3) * 0.5 }
            let zeros = values.filter { $0 == 0 }.count
            #expect(optlab_zeros_if_finite(values, count) == zeros, "\(count)")
            #expect(optlab_all_finite(values, count) == 1)
            for bad in [Float.infinity, -.infinity, .nan] {
                for position in Set([0, count / 2, count - 1]) {
                    let kept = values[position]
                    values[position] = bad
                    #expect(optlab_zeros_if_finite(values, count) == -1, "\(bad) at \(position) of \(count)")
                    #expect(optlab_all_finite(values, count) == 0, "\(bad) at \(position) of \(count)")
                    values[position] = kept
                }
            }
        }
    }

    /// Two networks, one skipping the input's zeros and one not, trained side by side on
    /// real digits with dropout and a penalty, on one thread and on two: every parameter
    /// equal after every step, and the first one really took the zero-skipping path.
    /// Two threads split the forward product by W's rows and hand partial sums over in
    /// batches of 16 examples (100 rows: the last batch has 4); three split it by examples.
    /// With every nonzero input in the first 24 columns (`corner`), the two threads'
    /// split falls at 16: a part far below OpenBLAS's small-product size, where only the
    /// whole product's size decides which chains the numbers follow.
    @Test("training steps give the same parameters with and without skipping zeros", .enabled(if: available, unavailable),
          arguments: [(1, 128, false), (2, 128, false), (2, 100, false), (3, 100, false), (2, 128, true)])
    func training(threads: Int, rows: Int, corner: Bool) throws {
        let architecture = NetworkArchitecture(layerSizes: [784, 300, 100, 10], activation: .relu, dropout: [0.1, 0.1])
        var digits = Self.digits
        try #require(digits.count >= rows * 784 * 6)
        if corner {
            for i in 0..<(digits.count / 784) {
                for k in 0..<784 { digits[i * 784 + k] = k < 24 ? Self.digits[i * 784 + 400 + k] : 0 }
            }
        }
        BLASThreads.set(1)
        let team = threads == 1 ? ThreadTeam.serial : ThreadTeam(threads: threads)
        let skipping = MLP(architecture: architecture, maxRows: rows, team: team)
        let dense = MLP(architecture: architecture, maxRows: rows, team: team)
        skipping.skipsInputZeros = true
        dense.skipsInputZeros = false
        var init1 = SplitMix64(seed: 4), init2 = SplitMix64(seed: 4)
        skipping.initialize(using: &init1)
        dense.initialize(using: &init2)
        let spec = OptimizerSpec(kind: .adam)
        let a: OptimizerInstance<Float> = try spec.makeInstance(parameterCount: skipping.parameters.count)
        let b: OptimizerInstance<Float> = try spec.makeInstance(parameterCount: dense.parameters.count)
        var drop1 = SplitMix64(seed: 8), drop2 = SplitMix64(seed: 8)
        let labels = (0..<rows).map { UInt8($0 % 10) }
        for step in 0..<6 {
            let x = Array(digits[(step * rows * 784)..<((step + 1) * rows * 784)])
            x.withUnsafeBufferPointer { x in
                labels.withUnsafeBufferPointer { y in
                    func step(_ network: MLP, _ optimizer: OptimizerInstance<Float>, _ dropout: inout SplitMix64) {
                        network.forward(x.baseAddress!, rows: rows, labels: y.baseAddress!, dropout: &dropout)
                        let update = optimizer.beginStep()
                        let (p, g) = (network.parameters.buffer, UnsafeBufferPointer(network.gradient.buffer))
                        network.backward(x.baseAddress!, rows: rows, labels: y.baseAddress!, l1: 1e-6, l2: 1e-5) { update(p, g, $0) }
                    }
                    step(skipping, a, &drop1)
                    step(dense, b, &drop2)
                }
            }
            let differing = zip(skipping.parameters.array, dense.parameters.array).filter { $0.bitPattern != $1.bitPattern }.count
            #expect(differing == 0, "step \(step), \(threads) thread(s): \(differing) parameters differ")
        }
        #expect(skipping.zeroSkippingProducts == 12, "a forward and a weight-gradient product per step")
        #expect(skipping.splitInputProducts == (threads == 2 ? 6 : 0))
        #expect(dense.zeroSkippingProducts == 0 && dense.splitInputProducts == 0)
    }

    /// 0·∞ is NaN: with an infinite weight in the row of a pixel that is 0 in every image,
    /// OpenBLAS fills that unit's column with NaN; skipping zeros would not. So a
    /// non-finite operand sends the product to OpenBLAS, and the outputs agree.
    @Test("a non-finite weight falls back to OpenBLAS, NaN and all", .enabled(if: available, unavailable))
    func nonFinite() throws {
        let architecture = NetworkArchitecture(layerSizes: [784, 300, 10], activation: .relu)
        let rows = 64
        let x = Array(Self.digits[0..<(rows * 784)])
        // The first pixel is blank in every digit.
        #expect((0..<rows).allSatisfy { x[$0 * 784] == 0 })
        #expect(x.filter { $0 == 0 }.count * 2 > x.count)
        BLASThreads.set(1)
        var outputs: [[Float]] = []
        var used: [Int] = []
        for skips in [true, false] {
            let network = MLP(architecture: architecture, maxRows: rows)
            network.skipsInputZeros = skips
            var generator = SplitMix64(seed: 1)
            network.initialize(using: &generator)
            network.parameters[network.layers[0].weightOffset + 5] = .infinity  // pixel 0, unit 5
            x.withUnsafeBufferPointer { network.forward($0.baseAddress!, rows: rows) }
            outputs.append(Array(UnsafeBufferPointer(start: network.output, count: rows * 10)))
            used.append(network.zeroSkippingProducts)
        }
        #expect(used == [0, 0])
        #expect(outputs[0].allSatisfy { $0.isNaN }, "unit 5 is NaN for every image, and so is every output")
        #expect(zip(outputs[0], outputs[1]).allSatisfy { $0.bitPattern == $1.bitPattern })
    }

    /// On a team of two the forward product is split by W's rows and each thread checks
    /// its own rows: one with a non-finite weight takes every input of its range (the
    /// blocked kernel's chains, NaN included), the other still skips zeros. An infinite
    /// weight on a blank pixel in either thread's range, or a NaN, gives OpenBLAS's bits.
    @Test("a non-finite weight in either thread's rows of a split product gives OpenBLAS's bits",
          .enabled(if: available, unavailable), arguments: [(0, Float.infinity), (783, -Float.infinity), (0, Float.nan)])
    func nonFiniteSplit(pixel: Int, value: Float) throws {
        let architecture = NetworkArchitecture(layerSizes: [784, 300, 10], activation: .relu)
        let rows = 64
        let x = Array(Self.digits[0..<(rows * 784)])
        #expect((0..<rows).allSatisfy { x[$0 * 784 + pixel] == 0 }, "pixel \(pixel) is blank in every digit")
        BLASThreads.set(1)
        var outputs: [[Float]] = []
        var split: [Int] = []
        for (skips, threads) in [(true, 2), (false, 1)] {
            let network = MLP(architecture: architecture, maxRows: rows, team: ThreadTeam(threads: threads))
            network.skipsInputZeros = skips
            var generator = SplitMix64(seed: 1)
            network.initialize(using: &generator)
            network.parameters[network.layers[0].weightOffset + pixel * 300 + 5] = value
            x.withUnsafeBufferPointer { network.forward($0.baseAddress!, rows: rows) }
            outputs.append(Array(UnsafeBufferPointer(start: network.output, count: rows * 10)))
            split.append(network.splitInputProducts)
        }
        #expect(split == [1, 0])
        #expect(outputs[1].allSatisfy { $0.isNaN }, "unit 5 is NaN for every image, and so is every output")
        let differing = zip(outputs[0], outputs[1]).filter { $0.bitPattern != $1.bitPattern }.count
        #expect(differing == 0, "\(differing) of \(outputs[0].count) outputs differ")
    }

    /// A row's profile, worked by hand: its nonzero entries (NaN among them), the span
    /// from its first nonzero column to its last, and its zeros or −1 when not finite;
    /// 37 entries, so the vector path's last 16 lanes are partly outside the row.
    @Test("a row's profile: nonzero entries, span and zeros, by hand")
    func rowProfile() {
        func profile(_ row: [Float]) -> (zeros: Int, nonzeros: Int32, span: Int32) {
            var nonzeros: Int32 = -7, span: Int32 = -7
            let zeros = optlab_sparse_row_profile(row, Int32(row.count), &nonzeros, &span)
            return (zeros, nonzeros, span)
        }
        var row = [Float](repeating: 0, count: 37)
        #expect(profile(row) == (37, 0, 0))
        row[3] = 0.5; row[20] = -2; row[33] = 1e-30
        #expect(profile(row) == (34, 3, 31))  // columns 3 to 33
        row[36] = .infinity
        #expect(profile(row) == (-1, 4, 34))
        row[36] = 0; row[0] = .nan
        #expect(profile(row) == (-1, 4, 34))  // columns 0 to 33
        row[0] = -0.0
        #expect(profile(row) == (34, 3, 31))
        var one = [Float](repeating: 0, count: 37)
        one[17] = 1
        #expect(profile(one) == (36, 1, 1))
    }

    /// The order from profiles taken while copying is the order each thread would find.
    @Test("rows ordered from their profiles as from the rows",
          .enabled(if: available, unavailable))
    func orderFromProfiles() {
        let (rows, inner) = (128, 784)
        let x = Array(Self.digits[(5 * inner)..<((5 + rows) * inner)])
        var nonzeros = [Int32](repeating: 0, count: rows), spans = nonzeros
        var sorted = [Int32](repeating: -1, count: rows), fromProfiles = sorted
        x.withUnsafeBufferPointer { x in
            for r in 0..<rows {
                _ = optlab_sparse_row_profile(x.baseAddress! + r * inner, Int32(inner), &nonzeros[r], &spans[r])
            }
            optlab_sparse_order(Int32(rows), Int32(inner), x.baseAddress!, Int32(inner), &sorted)
            optlab_sparse_order_profiled(Int32(rows), Int32(inner), nonzeros, spans, &fromProfiles)
        }
        #expect(sorted == fromProfiles)
        #expect(Set(sorted) == Set(0..<Int32(rows)))
        // Rows with fewer nonzero entries come first within the same span.
        for i in 1..<rows {
            let (a, b) = (Int(sorted[i - 1]), Int(sorted[i]))
            #expect(spans[a] < spans[b] || (spans[a] == spans[b] && nonzeros[a] <= nonzeros[b]))
        }
    }
}
