import CBLAS
import CMath
import CSparse
import Foundation

/// The shape of a multilayer perceptron.
public struct NetworkArchitecture: Sendable, Hashable {
    /// Widths from input to output, e.g. [784, 300, 100, 10].
    public var layerSizes: [Int]
    public var activation: Activation
    public var output: OutputLoss
    /// The scaling of the squared error for sigmoid and linear outputs.
    public var squaredLoss: SquaredLoss
    /// Inverted-dropout rate after each hidden layer (empty: none).
    public var dropout: [Double]

    public init(layerSizes: [Int], activation: Activation, output: OutputLoss = .softmax, squaredLoss: SquaredLoss = .mse,
                dropout: [Double] = []) {
        self.layerSizes = layerSizes
        self.activation = activation
        self.output = output
        self.squaredLoss = squaredLoss
        self.dropout = dropout
    }

    public var hiddenLayerCount: Int { layerSizes.count - 2 }

    /// Checks sizes and rates; an ``InputError`` says which value is wrong.
    public func validate() throws {
        guard layerSizes.count >= 2, layerSizes.allSatisfy({ $0 > 0 }) else {
            throw InputError("layer sizes must be positive, got \(layerSizes)")
        }
        guard dropout.isEmpty || dropout.count == hiddenLayerCount else {
            throw InputError("--dropout needs one rate, or one per hidden layer (\(hiddenLayerCount)); got \(dropout.count)")
        }
        for rate in dropout where !(rate >= 0 && rate < 1) {
            throw InputError("dropout rate \(rate) is invalid; expected a number in [0, 1)")
        }
    }

    /// Number of weights and biases.
    public var parameterCount: Int {
        zip(layerSizes, layerSizes.dropFirst()).reduce(0) { $0 + $1.0 * $1.1 + $1.1 }
    }
}

/// A multilayer perceptron whose weights and biases live in one contiguous buffer.
///
/// Layer l holds W_l (fanIn × fanOut, row-major) followed by b_l; `layers` gives each
/// one's offsets, and the gradient buffer has the same layout. Batches are row-major
/// (one example per row), and every matrix product is one `cblas_sgemm` call:
///
/// ```
/// forward:   Z_l = A_{l−1}·W_l + b_l,   A_l = φ(Z_l) (softmax or σ on the last layer)
/// backward:  ∂W_l = A_{l−1}ᵀ·Δ_l,  ∂b_l = Σ_rows Δ_l,  Δ_{l−1} = (Δ_l·W_lᵀ) ⊙ φ'(Z_{l−1})
/// ```
public final class MLP {
    public struct Layer: Sendable {
        public let fanIn: Int
        public let fanOut: Int
        public let weightOffset: Int
        public var biasOffset: Int { weightOffset + fanIn * fanOut }
    }

    public let architecture: NetworkArchitecture
    public let layers: [Layer]
    public let parameters: FloatBuffer
    public let gradient: FloatBuffer
    /// Most rows one forward pass can take.
    public let maxRows: Int
    /// Nanoseconds the calling thread spent in `cblas_sgemm` since creation (with a team,
    /// the other threads run their share of each product at the same time).
    public private(set) var matrixNanoseconds: UInt64 = 0

    let activations: [FloatBuffer]       // φ(Z_l) per layer, unmasked
    private let droppedActivations: [FloatBuffer?]  // φ(Z_l)·mask for hidden layers with dropout
    private let masks: [FloatBuffer?]
    private let deltaA: FloatBuffer
    private let deltaB: FloatBuffer

    /// The threads that share this network's passes (``ThreadTeam``). It may be replaced
    /// between passes: the numbers do not depend on its size.
    public var team: ThreadTeam

    public init(architecture: NetworkArchitecture, maxRows: Int, team: ThreadTeam = .serial) {
        precondition(maxRows > 0)
        self.architecture = architecture
        self.maxRows = maxRows
        self.team = team
        var layers: [Layer] = []
        var offset = 0
        for (fanIn, fanOut) in zip(architecture.layerSizes, architecture.layerSizes.dropFirst()) {
            layers.append(Layer(fanIn: fanIn, fanOut: fanOut, weightOffset: offset))
            offset += fanIn * fanOut + fanOut
        }
        self.layers = layers
        parameters = FloatBuffer(count: offset)
        gradient = FloatBuffer(count: offset)
        activations = layers.map { FloatBuffer(count: maxRows * $0.fanOut) }
        let rates = architecture.dropout
        masks = layers.indices.map { l in
            l < rates.count && rates[l] > 0 ? FloatBuffer(count: maxRows * layers[l].fanOut) : nil
        }
        droppedActivations = masks.enumerated().map { l, mask in
            mask == nil ? nil : FloatBuffer(count: maxRows * layers[l].fanOut)
        }
        let widest = architecture.layerSizes.max()!
        deltaA = FloatBuffer(count: maxRows * widest)
        deltaB = FloatBuffer(count: maxRows * widest)
        deltaRowsFinite = FloatBuffer(count: maxRows)
    }

    /// Glorot-uniform weights (limit √(6/(fanIn + fanOut))), or He-uniform
    /// (limit √(6/fanIn)) on hidden layers with a ReLU-family activation; zero biases.
    public func initialize(using generator: inout SplitMix64) {
        for (l, layer) in layers.enumerated() {
            let hidden = l < layers.count - 1
            let he = hidden && architecture.activation.usesHeInitialization
            let limit = he ? (6.0 / Double(layer.fanIn)).squareRoot()
                           : (6.0 / Double(layer.fanIn + layer.fanOut)).squareRoot()
            for i in 0..<(layer.fanIn * layer.fanOut) {
                parameters[layer.weightOffset + i] = Float((2 * generator.nextDouble() - 1) * limit)
            }
            for j in 0..<layer.fanOut { parameters[layer.biasOffset + j] = 0 }
        }
    }

    /// The network's outputs for the last forward pass (rows × classes).
    public var output: UnsafePointer<Float> { UnsafePointer(activations[layers.count - 1].base) }

    /// Forward pass over `rows` examples. With `dropout` (training), hidden units are
    /// dropped with the architecture's rates, drawing masks from the generator. With
    /// `labels`, returns the mean data loss and the number of correct predictions.
    /// `inputProfile`, when the caller profiled these rows of `input` (``InputProfile``),
    /// spares the pass its own checks of them.
    @discardableResult
    public func forward(
        _ input: UnsafePointer<Float>, rows: Int, labels: UnsafePointer<UInt8>? = nil,
        dropout generator: UnsafeMutablePointer<SplitMix64>? = nil, inputProfile: InputProfile? = nil
    ) -> (loss: Double, correct: Int) {
        precondition(rows > 0 && rows <= maxRows, "batch of \(rows) rows; network sized for \(maxRows)")
        givenInputProfile = inputProfile.flatMap { $0.rows == rows && $0.width == layers[0].fanIn ? $0 : nil }
        var x = input
        for (l, layer) in layers.enumerated() {
            let z = activations[l].base
            let (fanIn, fanOut) = (layer.fanIn, layer.fanOut)
            let hidden = l < layers.count - 1
            // Dropout masks are drawn in order before the rows are shared out, so they do
            // not depend on the team's size.
            var dropped: (mask: UnsafeMutablePointer<Float>, output: UnsafeMutablePointer<Float>)?
            if hidden, let mask = masks[l], let output = droppedActivations[l], let generator {
                let rate = architecture.dropout[l]
                let keep = Float(1 / (1 - rate))
                for i in 0..<(rows * fanOut) { mask[i] = generator.pointee.nextDouble() < rate ? 0 : keep }
                dropped = (mask.base, output.base)
            }
            let bias = parameters.base + layer.biasOffset
            let weights = parameters.base + layer.weightOffset
            let source = x
            // The input layer skips the input's zeros where that gives OpenBLAS's bits.
            let handOver = l == 0 ? inputLayerHandOver(rows: rows) : nil
            let ends = l == 0 ? sparseBlockEnds(.nn, x: source, rows: rows, other: weights, otherCount: fanIn * fanOut,
                                                checkOther: handOver == nil) : nil
            if l == 0 { pipelinedSplit = nil }
            if let ends, let handOver {
                forwardInputLayer(source, rows: rows, ends: ends, handOver: handOver, hidden: hidden, dropped: dropped)
                if !hidden { break }
                x = UnsafePointer(dropped?.output ?? z)
                continue
            }
            // Each thread takes a block of rows: Z ← 1·b, Z ← X·W + Z, A = φ(Z), A·mask.
            let product: RowProduct? = ends == nil ? RowProduct(kind: .nn, columns: fanOut, inner: fanIn, accumulates: true) : nil
            forEachRowBlock(rows, rowWork: fanIn * fanOut, product: product) { block in
                let first = block.lowerBound, count = block.count
                for r in block { (z + r * fanOut).update(from: bias, count: fanOut) }
                timed(first) {
                    if let ends {
                        optlab_sparse_product_nn(Int32(count), Int32(fanOut), Int32(fanIn), source + first * fanIn, Int32(fanIn),
                                                 weights, Int32(fanOut), z + first * fanOut, Int32(fanOut),
                                                 ends, Int32(ends.count))
                        return
                    }
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(count), Int32(fanOut), Int32(fanIn),
                                1, source + first * fanIn, Int32(fanIn), weights, Int32(fanOut),
                                1, z + first * fanOut, Int32(fanOut))
                }
                guard hidden else { return }
                let elements = first * fanOut..<(first + count) * fanOut
                architecture.activation.apply(z + elements.lowerBound, count: elements.count)
                if let dropped {
                    for i in elements { dropped.output[i] = z[i] * dropped.mask[i] }
                }
            }
            if !hidden { break }
            x = UnsafePointer(dropped?.output ?? z)
        }
        return applyOutput(rows: rows, labels: labels)
    }

    /// Turns the last layer's Z into outputs in place; loss and accuracy when labelled.
    private func applyOutput(rows: Int, labels: UnsafePointer<UInt8>?) -> (loss: Double, correct: Int) {
        let classes = layers[layers.count - 1].fanOut
        let z = activations[layers.count - 1].base
        var loss = 0.0
        var correct = 0
        for r in 0..<rows {
            let row = z + r * classes
            var best = 0
            switch architecture.output {
            case .softmax:
                var maximum = row[0]
                for k in 1..<classes where row[k] > maximum { maximum = row[k] }
                let label = labels.map { Int($0[r]) } ?? 0
                let labelLogit = row[label]
                var sum: Float = 0
                optlab_exp_shifted(row, classes, maximum)  // row[k] ← e^(row[k] − max)
                for k in 0..<classes { sum += row[k] }
                for k in 0..<classes { row[k] /= sum }
                // −log p_y = log Σe^(z−max) − (z_y − max), exact even when p_y underflows.
                loss += Double(Foundation.log(sum) - (labelLogit - maximum))
            case .sigmoid, .linear:
                if architecture.output == .sigmoid {
                    optlab_sigmoid(row, classes)
                }
                if let labels {
                    let scale = architecture.squaredLoss.scale(outputs: classes)
                    for k in 0..<classes {
                        let error = Double(row[k]) - (k == Int(labels[r]) ? 1 : 0)
                        loss += scale * error * error
                    }
                }
            }
            for k in 1..<classes where row[k] > row[best] { best = k }
            if let labels, best == Int(labels[r]) { correct += 1 }
        }
        return (labels == nil ? .nan : loss / Double(rows), correct)
    }

    /// Backward pass after `forward` on the same rows: writes the gradient of the mean
    /// data loss plus `l1·Σ|w| + l2·Σw²` (weights only) into `gradient`.
    ///
    /// With `update`, the optimizer step is fused in: each layer's parameters are handed to
    /// `update` (a range of parameter indices at a time, from whichever thread computed
    /// their gradient, right after it did, while it is in that core's cache) once nothing
    /// else in the pass needs their old values. Every range is handed over exactly once.
    public func backward(_ input: UnsafePointer<Float>, rows: Int, labels: UnsafePointer<UInt8>, l1: Float = 0, l2: Float = 0,
                         update: ((Range<Int>) -> Void)? = nil) {
        let last = layers.count - 1
        let classes = layers[last].fanOut
        var delta = deltaA.base, spare = deltaB.base
        // Δ_L: softmax + cross-entropy gives (P − Y)/rows; a squared error c·Σ(A − Y)² gives
        // 2c(A − Y)/rows, times σ' for a sigmoid output (c = 1/K for MSE, ½ for quadratic).
        let out = activations[last].base
        let twiceScale = Float(2 * architecture.squaredLoss.scale(outputs: classes))
        for r in 0..<rows {
            for k in 0..<classes {
                let i = r * classes + k
                let target: Float = k == Int(labels[r]) ? 1 : 0
                switch architecture.output {
                case .softmax: delta[i] = (out[i] - target) / Float(rows)
                case .linear: delta[i] = twiceScale * (out[i] - target) / Float(rows)
                case .sigmoid: delta[i] = twiceScale * (out[i] - target) / Float(rows) * out[i] * (1 - out[i])
                }
            }
        }
        let penalized = l1 != 0 || l2 != 0
        var inputDeltaIsFinite: Bool?
        for l in stride(from: last, through: 0, by: -1) {
            let layer = layers[l]
            let (fanIn, fanOut) = (layer.fanIn, layer.fanOut)
            let previous: UnsafePointer<Float> = l == 0 ? input
                : UnsafePointer(droppedActivations[l - 1]?.base ?? activations[l - 1].base)
            let weights = parameters.base + layer.weightOffset
            let currentDelta = UnsafePointer(delta)
            if l > 0 {
                // Δ_{l−1} = (Δ·Wᵀ) ⊙ mask ⊙ φ', each thread taking a block of rows. First,
                // while W_l still holds this step's weights (the update below changes them).
                let mask = masks[l - 1]?.base
                let outputs = activations[l - 1].base
                let next = spare
                // For the input layer's zero-skipping weight gradient, each thread also
                // checks that its rows of Δ₁ are finite while they are in its cache.
                let checksDelta = l == 1 && skipsInputZeros
                if checksDelta {
                    for r in 0..<rows { deltaRowsFinite[r] = 1 }
                }
                let product = RowProduct(kind: .nt, columns: fanIn, inner: fanOut)
                forEachRowBlock(rows, rowWork: fanIn * fanOut, product: product) { block in
                    let first = block.lowerBound
                    timed(first) {
                        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(block.count), Int32(fanIn), Int32(fanOut),
                                    1, currentDelta + first * fanOut, Int32(fanOut), weights, Int32(fanOut),
                                    0, next + first * fanIn, Int32(fanIn))
                    }
                    let elements = first * fanIn..<block.upperBound * fanIn
                    if let mask {
                        for i in elements { next[i] *= mask[i] }
                    }
                    architecture.activation.multiplyByDerivative(next + elements.lowerBound, outputs: outputs + elements.lowerBound,
                                                                 count: elements.count)
                    if checksDelta, optlab_all_finite(next + elements.lowerBound, elements.count) == 0 {
                        deltaRowsFinite[first] = 0
                    }
                }
                if checksDelta {
                    inputDeltaIsFinite = (0..<rows).allSatisfy { deltaRowsFinite[$0] == 1 }
                }
            }
            // ∂W = A_{l−1}ᵀ·Δ (+ the penalty's gradient) and ∂b = Σ_rows Δ, each thread
            // taking a block of ∂W's rows (inputs) and a block of ∂b's entries, then
            // updating those parameters.
            let weightGradient = gradient.base + layer.weightOffset
            let biasGradient = gradient.base + layer.biasOffset
            let ends = l == 0 ? sparseBlockEnds(.tn, x: previous, rows: rows, other: currentDelta, otherCount: rows * fanOut,
                                                    otherIsFinite: inputDeltaIsFinite) : nil
            // After a split forward product, each thread takes the input rows it used there.
            // (Only with the zero-skipping product, whose bits do not depend on the blocks;
            // OpenBLAS's would, below its small-product size.)
            let inputSplit = l == 0 && team.size == 2 && ends != nil ? pipelinedSplit : nil
            let product: RowProduct? = ends == nil ? RowProduct(kind: .tn, columns: fanOut, inner: rows) : nil
            split(count: fanIn, granularity: 16, unitWork: fanOut * rows, product: product) { part, parts, chunk in
                let block = (parts == 2 ? inputSplit : nil).map { part == 0 ? 0..<$0 : $0..<fanIn } ?? chunk
                if !block.isEmpty {
                    timed(block.lowerBound) {
                        if let ends {
                            optlab_sparse_product_tn(Int32(block.count), Int32(fanOut), Int32(rows), previous + block.lowerBound,
                                                     Int32(fanIn), currentDelta, Int32(fanOut),
                                                     weightGradient + block.lowerBound * fanOut, Int32(fanOut),
                                                     ends, Int32(ends.count))
                            return
                        }
                        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(block.count), Int32(fanOut), Int32(rows),
                                    1, previous + block.lowerBound, Int32(fanIn), currentDelta, Int32(fanOut),
                                    0, weightGradient + block.lowerBound * fanOut, Int32(fanOut))
                    }
                    let elements = block.lowerBound * fanOut..<block.upperBound * fanOut
                    if penalized {
                        for i in elements {
                            let sign: Float = weights[i] > 0 ? 1 : (weights[i] < 0 ? -1 : 0)
                            weightGradient[i] += l1 * sign + 2 * l2 * weights[i]
                        }
                    }
                    if let update {
                        timedUpdate(part) { update(layer.weightOffset + elements.lowerBound..<layer.weightOffset + elements.upperBound) }
                    }
                }
                let columns = ThreadTeam.chunk(part, of: parts, count: fanOut, granularity: 16)
                for j in columns { biasGradient[j] = 0 }
                for r in 0..<rows {
                    let row = currentDelta + r * fanOut
                    for j in columns { biasGradient[j] += row[j] }
                }
                if let update, !columns.isEmpty {
                    timedUpdate(part) { update(layer.biasOffset + columns.lowerBound..<layer.biasOffset + columns.upperBound) }
                }
            }
            swap(&delta, &spare)
        }
    }

    // MARK: The input layer's zero-skipping products (MLP+InputLayer.swift)

    /// Whether the input layer's products may skip the input's zeros (``SparseProducts``;
    /// the numbers are the same either way).
    public var skipsInputZeros = SparseProducts.allowed
    /// How many products (forward or weight gradient) skipped the input's zeros so far.
    public internal(set) var zeroSkippingProducts = 0
    /// How many of the input layer's forward products were split by W's rows.
    public internal(set) var splitInputProducts = 0

    var handOver: InputLayerHandOver?
    /// Where the input rows are split between the two threads (chosen at the first split
    /// product and kept, so that each row stays with one thread), and the split of the
    /// last forward pass if it was split (nil otherwise), for the backward pass.
    var inputSplit: Int?
    var pipelinedSplit: Int?

    /// The last input checked by ``sparseBlockEnds``: whether it was finite and sparse.
    var lastInput: (x: UnsafePointer<Float>, rows: Int, sparse: Bool)?
    /// The profile of the current forward pass's input given by its caller, if any
    /// (`forward(_:rows:labels:dropout:inputProfile:)`).
    var givenInputProfile: InputProfile?
    /// Per row of the batch, 0 at the first row of a block of Δ₁ (the input layer's delta)
    /// that is not finite, else 1: set to 1 before the pass that computes Δ₁, cleared by the
    /// thread that computed the block, read before the input layer's weight gradient.
    private let deltaRowsFinite: FloatBuffer

    /// Adds each layer's ‖∂W‖₂ (weights only) from the last `backward` to `sums`.
    /// A plain vectorized loop, not `cblas_sdot`: OpenBLAS would wake its threads for every
    /// call, which slowed whole epochs by a fifth (BENCHMARKS.md).
    public func addWeightGradientNorms(to sums: inout [Double]) {
        for (l, layer) in layers.enumerated() {
            let count = layer.fanIn * layer.fanOut
            let g = gradient.base + layer.weightOffset
            var total = 0.0
            var start = 0
            // Float partial sums over blocks of 4,096, accumulated in Double.
            while start < count {
                let end = min(start + 4096, count)
                var lanes = Lanes.Vector()
                var i = start
                while i + Lanes.Vector.scalarCount <= end {
                    let v = Lanes.load(g + i)
                    lanes += v * v
                    i += Lanes.Vector.scalarCount
                }
                var block = Double(lanes.sum())
                while i < end { block += Double(g[i] * g[i]); i += 1 }
                total += block
                start = end
            }
            sums[l] += total.squareRoot()
        }
    }

    /// The regularization term `l1·Σ|w| + l2·Σw²` over all weights (not biases).
    public func penalty(l1: Double, l2: Double) -> Double {
        guard l1 != 0 || l2 != 0 else { return 0 }
        var absolute = 0.0, squared = 0.0
        for layer in layers {
            let w = parameters.base + layer.weightOffset
            for i in 0..<(layer.fanIn * layer.fanOut) {
                absolute += Double(abs(w[i]))
                squared += Double(w[i]) * Double(w[i])
            }
        }
        return l1 * absolute + l2 * squared
    }

    /// Nanoseconds the calling thread spent in fused optimizer updates (``backward``'s
    /// `update`) since creation.
    public private(set) var updateNanoseconds: UInt64 = 0

    /// Runs an update, timing it on the calling thread (part 0).
    @inline(__always)
    private func timedUpdate(_ part: Int, _ body: () -> Void) {
        if part == 0 { updateNanoseconds += MLP.nanoseconds(body) } else { body() }
    }

    /// Runs a product, timing it when it is the calling thread's block (the one that
    /// starts at row 0).
    @inline(__always)
    func timed(_ firstRow: Int, _ body: () -> Void) {
        if firstRow == 0 { matrixNanoseconds += MLP.nanoseconds(body) } else { body() }
    }

    @inline(__always)
    private static func nanoseconds(_ body: () -> Void) -> UInt64 {
        let start = DispatchTime.now().uptimeNanoseconds
        body()
        return DispatchTime.now().uptimeNanoseconds - start
    }
}

/// OpenBLAS's threads and kernels, for the harness and benchmarks.
public enum BLASThreads {
    /// OpenBLAS's thread-pool calls are not safe to make from two threads at once: two
    /// concurrent `blas_thread_shutdown_` calls deadlock (one holds the pool's lock while
    /// joining a worker the other has left waiting). Two suites run in one process (the
    /// tests do) would make them concurrently; this lock makes them take turns.
    private static let poolLock = NSLock()
    /// Whether the pool was ended and nothing has asked for more than one thread since.
    /// Setting the count again restarts the pool, and ending a pool whose workers have
    /// just started can hang: a worker not yet waiting misses the call to exit, and the
    /// shutdown joins it forever (seen with two suites in one process on a busy machine).
    /// So the count is set only when it changes, and the pool ended only once.
    nonisolated(unsafe) private static var poolStopped = false

    public static var count: Int { Int(openblas_get_num_threads()) }
    public static func set(_ count: Int) {
        poolLock.lock()
        defer { poolLock.unlock() }
        guard openblas_get_num_threads() != Int32(count) else { return }
        openblas_set_num_threads(Int32(count))
        if count > 1 { poolStopped = false }
    }

    /// Ends OpenBLAS's idle worker threads. They are started when the library loads and
    /// spin (calling `sched_yield`) for about 0.1 s before they sleep, which takes that much
    /// of a core from runs started side by side in the same moment (measured on
    /// `surfaces.yaml`: 0.09 s of CPU). OpenBLAS starts its pool again by itself on the
    /// next call that wants more than one thread. Without that entry point (another BLAS),
    /// nothing happens.
    public static func stopIdleWorkers() {
        guard let entry = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "blas_thread_shutdown_") else { return }
        typealias Shutdown = @convention(c) () -> Int32
        poolLock.lock()
        defer { poolLock.unlock() }
        guard !poolStopped else { return }
        _ = unsafeBitCast(entry, to: Shutdown.self)()
        poolStopped = true
    }

    /// The kernel family OpenBLAS chose (`Haswell`, `SkylakeX`, `Prescott`, ...).
    public static var coreName: String { openblas_get_corename().map { String(cString: $0) } ?? "unknown" }

    /// The kernel family to request instead of OpenBLAS's choice, or nil to keep it:
    /// - on a processor with AVX-512 (F, BW, VL, DQ, CD) left with other kernels, its
    ///   AVX-512 ones: `Cooperlake` when the processor has AVX-512 BF16, as OpenBLAS
    ///   chooses on AMD Zen 4 and 5, else `SkylakeX`. Debian 12's OpenBLAS (0.3.21) falls
    ///   back to its generic SSE3 kernels (`Prescott`) on recent Xeons. The AVX-512
    ///   kernels are faster there (1.7× the Haswell kernels' epoch on Zen 5), give the
    ///   products the bits they have on the processors OpenBLAS recognises, and keep them
    ///   when a product is split by rows between threads (``RowSplits``).
    /// - `Haswell` when OpenBLAS fell back to `Prescott` on a processor with AVX2 and FMA.
    /// The choice is made when the library loads, so it takes effect through
    /// `OPENBLAS_CORETYPE` in a new process image.
    public static func betterCoreType(current: String = coreName, cpuFlags: Set<String>? = nil) -> String? {
        let flags = cpuFlags ?? cpuinfoFlags()
        let avx512 = ["avx512f", "avx512bw", "avx512vl", "avx512dq", "avx512cd"].allSatisfy(flags.contains)
        if avx512, !["SkylakeX", "Cooperlake", "SapphireRapids"].contains(current) {
            return flags.contains("avx512_bf16") ? "Cooperlake" : "SkylakeX"
        }
        if current == "Prescott", flags.contains("avx2"), flags.contains("fma") { return "Haswell" }
        return nil
    }

    static func cpuinfoFlags() -> Set<String> {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return [] }
        for line in text.split(separator: "\n") where line.hasPrefix("flags") {
            return Set(line.split(separator: ":").last?.split(separator: " ").map(String.init) ?? [])
        }
        return []
    }
}
