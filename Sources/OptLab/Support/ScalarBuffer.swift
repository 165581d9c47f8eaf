/// A fixed-size buffer of floating-point values with stable storage, for BLAS calls,
/// fused loops and optimizer state that several threads update in disjoint ranges. The
/// only place the network and the optimizers allocate raw memory.
public final class ScalarBuffer<Element: BinaryFloatingPoint>: @unchecked Sendable {
    public let count: Int
    public let base: UnsafeMutablePointer<Element>

    /// `count` elements, each `value` (zero by default).
    public init(count: Int, value: Element = 0) {
        precondition(count >= 0)
        self.count = count
        base = .allocate(capacity: max(count, 1))
        base.initialize(repeating: value, count: max(count, 1))
    }

    deinit { base.deallocate() }

    public var buffer: UnsafeMutableBufferPointer<Element> { UnsafeMutableBufferPointer(start: base, count: count) }

    public subscript(i: Int) -> Element {
        get { base[i] }
        set { base[i] = newValue }
    }

    public var array: [Element] { Array(buffer) }

    public func copy(from source: ScalarBuffer) {
        precondition(source.count == count)
        base.update(from: source.base, count: count)
    }
}

/// The network's buffers: weights, gradients, activations, batches.
public typealias FloatBuffer = ScalarBuffer<Float>
