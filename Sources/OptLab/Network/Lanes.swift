/// Element-wise loops over Float buffers, sixteen lanes at a time (one AVX-512 register,
/// or several narrower ones), for loops the compiler does not vectorize by itself. Each
/// lane computes exactly what the scalar expression would, so results do not change.
enum Lanes {
    typealias Vector = SIMD16<Float>

    /// x[i] ← f(x[i]) for i < count.
    @inline(__always)
    static func update(_ x: UnsafeMutablePointer<Float>, count: Int, _ f: (Vector) -> Vector) {
        var i = 0
        while i + Vector.scalarCount <= count {
            store(f(load(x + i)), at: x + i)
            i += Vector.scalarCount
        }
        guard i < count else { return }
        let tail = count - i
        var v = Vector()
        for k in 0..<tail { v[k] = x[i + k] }
        v = f(v)
        for k in 0..<tail { x[i + k] = v[k] }
    }

    /// x[i] ← f(x[i], y[i]) for i < count.
    @inline(__always)
    static func update(_ x: UnsafeMutablePointer<Float>, with y: UnsafePointer<Float>, count: Int,
                       _ f: (Vector, Vector) -> Vector) {
        var i = 0
        while i + Vector.scalarCount <= count {
            store(f(load(x + i), load(y + i)), at: x + i)
            i += Vector.scalarCount
        }
        guard i < count else { return }
        let tail = count - i
        var v = Vector(), w = Vector()
        for k in 0..<tail { v[k] = x[i + k]; w[k] = y[i + k] }
        v = f(v, w)
        for k in 0..<tail { x[i + k] = v[k] }
    }

    @inline(__always)
    static func load(_ p: UnsafePointer<Float>) -> Vector { UnsafeRawPointer(p).loadUnaligned(as: Vector.self) }

    @inline(__always)
    static func load(_ p: UnsafeMutablePointer<Float>) -> Vector { UnsafeRawPointer(p).loadUnaligned(as: Vector.self) }

    @inline(__always)
    static func store(_ v: Vector, at p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: Vector.self)
    }
}
