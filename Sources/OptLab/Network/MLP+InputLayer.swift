import CSparse
import Foundation

/// The input layer's products that skip the input's zeros (``SparseProducts``), and its
/// forward product split by the weights' rows between two threads.
extension MLP {
    /// The inner blocks for a zero-skipping product (``SparseProducts``) whose sparse
    /// operand is `x` (`rows` rows of the input layer's width), or nil when OpenBLAS
    /// should compute it: not verified here, an operand not finite, or too few zeros.
    /// Without `checkOther`, the caller sees to the other operand's finiteness (the split
    /// forward product: each thread checks its own rows of W); with `otherIsFinite`, the
    /// caller has checked it (Δ₁, checked by the threads that computed it).
    func sparseBlockEnds(_ kind: SparseProducts.Kind, x: UnsafePointer<Float>, rows: Int,
                         other: UnsafePointer<Float>, otherCount: Int, checkOther: Bool = true,
                         otherIsFinite: Bool? = nil) -> [Int32]? {
        let (fanIn, fanOut) = (layers[0].fanIn, layers[0].fanOut)
        let inner = kind == .nn ? fanIn : rows
        // OpenBLAS uses the blocked kernel (whose chains these reproduce, whatever part of
        // the product each call takes) only above its small-product size.
        guard skipsInputZeros, rows * fanIn * fanOut > MLP.smallProductLimit,
              let blocking = SparseProducts.usable(kind, inner: inner) else { return nil }
        // The input's verdict is taken in the forward pass (or given to it: counted while the
        // batch was copied, ``givenInputProfile``) and reused by the backward pass that
        // follows it on the same rows.
        let sparseInput: Bool
        if kind == .tn, let last = lastInput, last.x == x, last.rows == rows {
            sparseInput = last.sparse
        } else {
            sparseInput = (kind == .nn ? givenInputProfile?.sparse : nil) ?? SparseProducts.sparseEnough(x, count: rows * fanIn)
            lastInput = (x, rows, sparseInput)
        }
        guard sparseInput, !checkOther || (otherIsFinite ?? SparseProducts.finite(other, count: otherCount)) else { return nil }
        zeroSkippingProducts += 1
        return blocking.ends(inner)
    }


    /// The input layer's forward product split by W's rows (the inputs) between two
    /// threads, each using only the rows whose gradient it computes and whose update it
    /// applies in `backward`, so that the weights never travel between the processors'
    /// caches (they are the biggest thing there; the hand-over is one row of partial sums
    /// per example). The first thread takes inputs [0, s) for 16 examples at a time and
    /// hands each batch of rows over; the second resumes their chains over [s, e) (e: the
    /// end of the inner block that s cuts), adds the blocks after e, which it computed for
    /// every row while waiting for the first rows (they do not depend on the first
    /// thread's), and applies the activation. Same chains, added to Z in the same order:
    /// same bits (`optlab_sparse_product_nn_part`, `optlab_sparse_block_sums`). Its last
    /// batch of rows then costs it only the remainder of one block, not all its inputs.
    /// Each thread first checks that its rows of W are finite (they are in its cache); if
    /// not, it takes every input of its range, zero or not, as the blocked kernel does.
    func forwardInputLayer(_ x: UnsafePointer<Float>, rows: Int, ends: [Int32], handOver: InputLayerHandOver,
                           hidden: Bool, dropped: (mask: UnsafeMutablePointer<Float>, output: UnsafeMutablePointer<Float>)?) {
        let layer = layers[0]
        let (fanIn, fanOut) = (layer.fanIn, layer.fanOut)
        let weights = parameters.base + layer.weightOffset
        let bias = parameters.base + layer.biasOffset
        let z = activations[0].base
        let split = inputSplit ?? chooseInputSplit(x, rows: rows)
        inputSplit = split
        pipelinedSplit = split
        splitInputProducts += 1
        let batches = InputLayerHandOver.batches(rows: rows)
        let steps = batches.count
        let progress = handOver.progress
        // The block that the split cuts ends at `cutEnd` (= split when the split is a block
        // boundary); the second thread's blocks from `cutEnd` on are whole.
        let cutEnd = Int(ends.first { Int($0) >= split } ?? Int32(fanIn))
        let firstWhole = ends.firstIndex { Int($0) > cutEnd } ?? ends.count
        let wholeBlocks = ends.count - firstWhole
        let sums = handOver.sums(count: wholeBlocks * rows * fanOut)
        progress.pointee = 0
        // Both threads take the rows in the same order (it changes no number): from the
        // batch's profile when given, else each sorts them itself.
        let profiled = givenInputProfile.map { profile in
            optlab_sparse_order_profiled(Int32(rows), Int32(fanIn), profile.nonzeros, profile.spans, handOver.order[0])
            return UnsafePointer(handOver.order[0])
        }
        team.run { part in
            guard part < 2 else { return }
            let order = profiled ?? {
                optlab_sparse_order(Int32(rows), Int32(fanIn), x, Int32(fanIn), handOver.order[part])
                return UnsafePointer(handOver.order[part])
            }()
            let range = part == 0 ? 0..<split : split..<fanIn
            let dense: Int32 = optlab_all_finite(weights + range.lowerBound * fanOut, range.count * fanOut) == 0 ? 1 : 0
            if part == 0 {
                timed(0) {
                    for s in 0..<steps {
                        let (first, count) = batches[s]
                        for i in first..<(first + count) { (z + Int(order[i]) * fanOut).update(from: bias, count: fanOut) }
                        optlab_sparse_product_nn_part(Int32(count), order + first, Int32(fanOut), Int32(fanIn), x, Int32(fanIn),
                                                      weights, Int32(fanOut), z, Int32(fanOut), ends, Int32(ends.count),
                                                      0, Int32(split), handOver.partial.base, Int32(fanOut), dense)
                        optlab_progress_publish(progress, Int32(s + 1))
                    }
                }
            } else {
                optlab_sparse_block_sums(Int32(rows), order, Int32(fanOut), Int32(fanIn), x, Int32(fanIn), weights, Int32(fanOut),
                                         ends, Int32(ends.count), Int32(firstWhole), sums, Int32(fanOut), Int32(rows), dense)
                for s in 0..<steps {
                    let (first, count) = batches[s]
                    optlab_progress_wait(progress, Int32(s + 1))
                    if cutEnd > split {
                        optlab_sparse_product_nn_part(Int32(count), order + first, Int32(fanOut), Int32(fanIn), x, Int32(fanIn),
                                                      weights, Int32(fanOut), z, Int32(fanOut), ends, Int32(ends.count),
                                                      Int32(split), Int32(cutEnd), handOver.partial.base, Int32(fanOut), dense)
                    }
                    optlab_add_block_sums(Int32(count), order + first, Int32(fanOut), z, Int32(fanOut), sums, Int32(fanOut),
                                          Int32(rows), Int32(wholeBlocks))
                    guard hidden else { continue }
                    for i in first..<(first + count) {
                        let row = Int(order[i]) * fanOut
                        architecture.activation.apply(z + row, count: fanOut)
                        if let dropped {
                            for j in row..<(row + fanOut) { dropped.output[j] = z[j] * dropped.mask[j] }
                        }
                    }
                }
            }
        }
    }

    /// The hand-over buffers when the input layer's forward product can be split by W's
    /// rows: a team of two that also splits the weight gradient's rows in two.
    func inputLayerHandOver(rows: Int) -> InputLayerHandOver? {
        let (fanIn, fanOut) = (layers[0].fanIn, layers[0].fanOut)
        guard team.size == 2, rows >= 2 * InputLayerHandOver.rowsPerHandOver,
              MLP.parts(count: fanIn, granularity: 16, unitWork: fanOut * rows, threads: 2) == 2 else { return nil }
        if let handOver { return handOver }
        let created = InputLayerHandOver(rows: maxRows, columns: fanOut)
        handOver = created
        return created
    }


    /// The first thread's share of the input layer's nonzero inputs: a little under half.
    /// The second thread's wait for the first rows handed over and its activations are
    /// offset by the first thread's bias rows and by the weight gradient, whose work is
    /// split at the same place, while the first thread (the caller) also has the batch's
    /// serial steps. On Fashion-MNIST at batch 128, 0.47 gave the fastest epochs of 0.40,
    /// 0.44, 0.45, 0.47, 0.50 and 0.55 on an AMD Zen 5 host (BENCHMARKS.md); a half did of
    /// 0.45 to 0.6 on a Zen 4 one.
    static let firstThreadShare = 0.47

    /// The split (a multiple of 16 inside the layer, as the gradient's split is) that
    /// gives the first thread ``firstThreadShare`` of the batch's nonzero inputs.
    private func chooseInputSplit(_ x: UnsafePointer<Float>, rows: Int) -> Int {
        let fanIn = layers[0].fanIn
        let chunks = (fanIn + 15) / 16
        var counts = [Int32](repeating: 0, count: chunks)
        optlab_column_nonzeros(Int32(rows), Int32(fanIn), x, Int32(fanIn), &counts)
        let total = counts.reduce(0) { $0 + Int($1) }
        var sum = 0
        for (chunk, count) in counts.enumerated() {
            sum += Int(count)
            if Double(sum) >= MLP.firstThreadShare * Double(total) {
                return min(max(16, (chunk + 1) * 16), (chunks - 1) * 16)
            }
        }
        return (chunks / 2) * 16
    }
}
