/// A fixed-size, zero-initialised buffer of Floats with stable storage, for BLAS calls
/// and fused loops. The only place the network allocates raw memory.
public final class FloatBuffer: @unchecked Sendable {
    public let count: Int
    public let base: UnsafeMutablePointer<Float>

    public init(count: Int) {
        precondition(count >= 0)
        self.count = count
        base = .allocate(capacity: max(count, 1))
        base.initialize(repeating: 0, count: max(count, 1))
    }

    deinit { base.deallocate() }

    public var buffer: UnsafeMutableBufferPointer<Float> { UnsafeMutableBufferPointer(start: base, count: count) }

    public subscript(i: Int) -> Float {
        get { base[i] }
        set { base[i] = newValue }
    }

    public var array: [Float] { Array(buffer) }

    public func copy(from source: FloatBuffer) {
        precondition(source.count == count)
        base.update(from: source.base, count: count)
    }
}
