import CMath
import Foundation
import Testing
import OptLab

/// e^x sixteen lanes at a time (`optlab_exp_array`, and the sigmoid, ELU and softmax loops
/// built on it) must give the C library's `expf` values, so that switching to it changed
/// no number. Compared on every 251st float from −104 to 89 (the whole range of finite,
/// nonzero results), on the special arguments, and on arrays whose length is not a
/// multiple of sixteen.
@Suite("Network: vector e^x gives the C library's values")
struct ExpTests {
    /// The GNU C library whose `expf` was compared with `optlab_exp_array` on all 2³² floats
    /// (BENCHMARKS.md); with another, the values are checked against e^x in double precision.
    static let libraryVersion: String = {
        var buffer = [CChar](repeating: 0, count: 64)
        let length = confstr(Int32(_CS_GNU_LIBC_VERSION), &buffer, buffer.count)
        return length > 0 ? String(cString: buffer) : ""
    }()
    static var sameLibrary: Bool { libraryVersion == "glibc 2.36" }

    /// Floats from −104 to 89 by every `stride`-th bit pattern, both signs, and the special
    /// arguments.
    static func arguments(stride: UInt32) -> [Float] {
        var values: [Float] = [0, -0, .infinity, -.infinity, .nan, .leastNonzeroMagnitude, -.leastNonzeroMagnitude,
                               .leastNormalMagnitude, .greatestFiniteMagnitude, -.greatestFiniteMagnitude,
                               88, -88, 88.72283, 88.72284, -103.27893, -103.9721, -104, 1, -1, 0.5]
        for limit in [Float(89).bitPattern, (-Float(104)).bitPattern] {
            let sign = limit & 0x8000_0000
            var bits: UInt32 = 0
            while bits <= limit & 0x7fff_ffff {
                values.append(Float(bitPattern: sign | bits))
                bits += stride
            }
        }
        return values
    }

    /// Units in the last place between `value` and e^x in double precision, rounded to float.
    static func ulps(_ value: Float, from x: Float) -> Float {
        let exact = Foundation.exp(Double(x))
        let rounded = Float(exact)
        if value == rounded || (value.isNaN && x.isNaN) { return 0 }
        return abs(Float(Double(value) - exact)) / rounded.ulp
    }

    static func same(_ a: Float, _ b: Float) -> Bool { a.bitPattern == b.bitPattern || (a.isNaN && b.isNaN) }

    @Test("e^x: the library's bits on every 251st float, within an ulp of e^x in any case")
    func exponential() {
        let x = Self.arguments(stride: 251)
        var y = [Float](repeating: 0, count: x.count)
        optlab_exp_array(x, &y, x.count)
        var differing = 0, worst: Float = 0
        for (input, value) in zip(x, y) {
            if Self.sameLibrary, !Self.same(value, Foundation.exp(input)) { differing += 1 }
            if !Self.same(value, optlab_expf(input)) { differing += 1 }
            worst = max(worst, Self.ulps(value, from: input))
        }
        #expect(x.count > 8_000_000)
        #expect(differing == 0)
        #expect(worst < 1, "largest error \(worst) ulp")
        // Values worked by hand: e^0 = 1, e^1 and e^-1 rounded to float.
        #expect(optlab_expf(0) == 1 && optlab_expf(1) == Float(M_E) && optlab_expf(-1) == Float(1 / M_E))
    }

    @Test("sigmoid, ELU and the softmax's shifted e^x: the scalar expressions' values, lane by lane",
          arguments: [1, 15, 16, 17, 1_003])
    func loops(count: Int) {
        var generator = SplitMix64(seed: UInt64(count))
        let special: [Float] = [0, -0, .nan, .infinity, -.infinity, 90, -90, -104, 1e-40, -1e-40]
        let z: [Float] = (0..<count).map { i in
            i % 7 == 3 ? special[i % special.count] : Float(generator.nextDouble() * 40 - 20)
        }
        let exp: (Float) -> Float = Self.sameLibrary ? { Foundation.exp($0) } : { optlab_expf($0) }

        var sigmoid = z
        optlab_sigmoid(&sigmoid, count)
        #expect(zip(z, sigmoid).allSatisfy { Self.same($1, 1 / (1 + exp(-$0))) })

        var elu = z
        optlab_elu(&elu, count, 1.5)
        #expect(zip(z, elu).allSatisfy { Self.same($1, $0 <= 0 ? 1.5 * (exp($0) - 1) : $0) })

        var shifted = z
        optlab_exp_shifted(&shifted, count, 3.25)
        #expect(zip(z, shifted).allSatisfy { Self.same($1, exp($0 - 3.25)) })
    }
}
