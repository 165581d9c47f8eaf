import Foundation

/// The 32-bit Mersenne Twister MT19937 (Matsumoto & Nishimura, 1998), seeded from one
/// integer as NumPy's legacy `RandomState(seed)` does, with NumPy's legacy draws on top:
/// `random_sample` (53 random bits from two outputs), `uniform`, and the polar Box–Muller
/// `gauss` that keeps its second value for the next call. With these, data that a published
/// benchmark generated with NumPy is reproduced bit for bit, without NumPy.
public struct MersenneTwister: Sendable {
    private var state = [UInt32](repeating: 0, count: 624)
    private var index = 624
    /// The second value of the last polar draw, returned by the next ``gauss()``.
    private var savedGauss: Double?

    /// `init_genrand`: the state from one 32-bit seed.
    public init(seed: UInt32) {
        state[0] = seed
        for i in 1..<624 {
            state[i] = 1_812_433_253 &* (state[i - 1] ^ (state[i - 1] >> 30)) &+ UInt32(i)
        }
    }

    /// The next 32-bit output.
    public mutating func next32() -> UInt32 {
        if index >= 624 { twist() }
        var y = state[index]
        index += 1
        y ^= y >> 11
        y ^= (y << 7) & 0x9D2C_5680
        y ^= (y << 15) & 0xEFC6_0000
        y ^= y >> 18
        return y
    }

    private mutating func twist() {
        for i in 0..<624 {
            let y = (state[i] & 0x8000_0000) | (state[(i + 1) % 624] & 0x7FFF_FFFF)
            state[i] = state[(i + 397) % 624] ^ (y >> 1) ^ (y & 1 == 0 ? 0 : 0x9908_B0DF)
        }
        index = 0
    }

    /// Uniform in [0, 1) with 53 random bits: 27 bits of one output and 26 of the next.
    public mutating func randomSample() -> Double {
        let a = Double(next32() >> 5), b = Double(next32() >> 6)
        return (a * 67_108_864.0 + b) / 9_007_199_254_740_992.0
    }

    /// `uniform(low, high)`: low + (high − low)·U.
    public mutating func uniform(_ low: Double, _ high: Double) -> Double {
        low + (high - low) * randomSample()
    }

    /// A standard normal draw by the polar method: two uniforms in (−1, 1) accepted inside
    /// the unit circle give two normals; the second is kept for the next call.
    public mutating func gauss() -> Double {
        if let saved = savedGauss {
            savedGauss = nil
            return saved
        }
        var x1 = 0.0, x2 = 0.0, r2 = 0.0
        repeat {
            x1 = 2 * randomSample() - 1
            x2 = 2 * randomSample() - 1
            r2 = x1 * x1 + x2 * x2
        } while r2 >= 1 || r2 == 0
        let f = (-2 * log(r2) / r2).squareRoot()
        savedGauss = f * x1
        return f * x2
    }

    /// `normal(loc, scale)`: loc + scale·gauss().
    public mutating func normal(_ loc: Double, _ scale: Double) -> Double {
        loc + scale * gauss()
    }
}
