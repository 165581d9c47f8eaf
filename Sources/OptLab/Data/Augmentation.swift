import Foundation

/// Random image transformations applied to training batches, each drawn from the run's
/// augmentation generator: a shift of up to `shift` pixels on each axis, a rotation of
/// up to `rotation` degrees either way (about the image centre, bilinear sampling,
/// zero outside), and Gaussian pixel noise of standard deviation `noise` (clamped to
/// [0, 1]).
public struct Augmentation: Sendable, Hashable {
    public var shift: Int
    public var rotation: Double
    public var noise: Double

    public init(shift: Int = 0, rotation: Double = 0, noise: Double = 0) {
        self.shift = shift
        self.rotation = rotation
        self.noise = noise
    }

    public var isIdentity: Bool { shift == 0 && rotation == 0 && noise == 0 }

    /// Parses `shift=2,rotate=10,noise=0.05` (any subset, any order).
    public static func parse(_ text: String) throws -> Augmentation {
        var result = Augmentation()
        for item in text.split(separator: ",") {
            let parts = item.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, let value = Double(parts[1]), value.isFinite, value >= 0 else {
                throw InputError("--augment expects key=value pairs with values ≥ 0 (shift=2,rotate=10,noise=0.05), got '\(item)'")
            }
            switch parts[0] {
            case "shift":
                guard value == value.rounded(), value <= Double(Limits.augmentShift) else {
                    throw InputError("--augment shift must be a whole number of pixels from 0 to \(Limits.augmentShift), got \(parts[1])")
                }
                result.shift = Int(value)
            case "rotate": result.rotation = value
            case "noise": result.noise = value
            default:
                throw InputError(NearestName.unknownMessage(kind: "augmentation", name: parts[0], valid: ["shift", "rotate", "noise"]))
            }
        }
        try result.validate()
        return result
    }

    /// Checks the ranges: shift 0…``Limits/augmentShift`` pixels, rotation
    /// 0…``Limits/augmentRotation`` degrees, noise 0…``Limits/augmentNoise``.
    public func validate() throws {
        guard shift >= 0, shift <= Limits.augmentShift else {
            throw InputError("augmentation shift must be from 0 to \(Limits.augmentShift) pixels, got \(shift)")
        }
        guard rotation >= 0, rotation <= Limits.augmentRotation else {
            throw InputError("augmentation rotate is in degrees, from 0 to \(CSV.number(Limits.augmentRotation)); got \(CSV.number(rotation))")
        }
        guard noise >= 0, noise <= Limits.augmentNoise else {
            throw InputError("augmentation noise must be from 0 to \(CSV.number(Limits.augmentNoise)), got \(CSV.number(noise))")
        }
    }

    /// Transforms one `rows × columns` image in place (values in [0, 1]); `scratch`
    /// has room for one image.
    public func apply(to image: UnsafeMutablePointer<Float>, rows: Int, columns: Int,
                      scratch: UnsafeMutablePointer<Float>, generator: inout SplitMix64) {
        if shift > 0 || rotation > 0 {
            let dx = shift > 0 ? Int(generator.next() % UInt64(2 * shift + 1)) - shift : 0
            let dy = shift > 0 ? Int(generator.next() % UInt64(2 * shift + 1)) - shift : 0
            let angle = rotation > 0 ? (2 * generator.nextDouble() - 1) * rotation * .pi / 180 : 0
            let (c, s) = (cos(angle), sin(angle))
            let cx = Double(columns - 1) / 2, cy = Double(rows - 1) / 2
            scratch.update(from: image, count: rows * columns)
            // Inverse mapping: output pixel (x, y) samples the source at
            // R(−angle)·((x, y) − centre − shift) + centre.
            for y in 0..<rows {
                for x in 0..<columns {
                    let u = Double(x - dx) - cx, v = Double(y - dy) - cy
                    let sx = c * u + s * v + cx, sy = -s * u + c * v + cy
                    image[y * columns + x] = Float(Self.bilinear(scratch, rows: rows, columns: columns, x: sx, y: sy))
                }
            }
        }
        if noise > 0 {
            for i in 0..<(rows * columns) {
                image[i] = min(1, max(0, image[i] + Float(noise * generator.nextGaussian())))
            }
        }
    }

    private static func bilinear(_ image: UnsafePointer<Float>, rows: Int, columns: Int, x: Double, y: Double) -> Double {
        let x0 = Int(floor(x)), y0 = Int(floor(y))
        let fx = x - Double(x0), fy = y - Double(y0)
        func pixel(_ px: Int, _ py: Int) -> Double {
            px >= 0 && px < columns && py >= 0 && py < rows ? Double(image[py * columns + px]) : 0
        }
        return (1 - fy) * ((1 - fx) * pixel(x0, y0) + fx * pixel(x0 + 1, y0))
            + fy * ((1 - fx) * pixel(x0, y0 + 1) + fx * pixel(x0 + 1, y0 + 1))
    }
}
