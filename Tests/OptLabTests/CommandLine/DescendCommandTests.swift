import Foundation
import Testing
import OptLab
import OptLabCommands

@Suite("Command line: list and descend")
struct DescendCommandTests {
    static func temporaryFile(_ name: String) -> String {
        TestData.scratchRoot + "/optlab-\(UUID().uuidString)-\(name)"
    }

    @Test("bad input exits 2 with the valid choices and the nearest match", arguments: [
        (["descend", "--surface", "rosenbrok", "--optimizer", "adam", "--steps", "5"], "did you mean 'rosenbrock'?"),
        (["descend", "--surface", "rosenbrock", "--optimizer", "adamm", "--steps", "5"], "did you mean 'adam'?"),
        (["descend", "--surface", "beale", "--optimizer", "adam", "--steps", "5", "--set", "beta_3=0.1"], "valid: lr, beta_1, beta_2, epsilon"),
        (["descend", "--surface", "beale", "--optimizer", "adam", "--steps", "5", "--lr", "-1"], "lr = -1.0 is invalid"),
        (["descend", "--surface", "beale", "--optimizer", "adam", "--steps", "5", "--convention", "torch"], "valid: keras, pytorch"),
        (["descend", "--surface", "beale", "--optimizer", "adam", "--steps", "5", "--start", "1"], "--start expects two finite numbers"),
        (["descend", "--surface", "beale", "--optimizer", "adam", "--steps", "-5"], "--steps must be from 0 to 1000000"),
        (["descend", "--surface", "beale", "--optimizer", "adam", "--steps", "9223372036854775807"], "--steps must be from 0 to 1000000"),
        (["descend", "--surface", "beale", "--optimizer", "adam", "--steps", "five"], "'five' is invalid for '--steps"),
        (["descend", "--surface", "beale", "--optimizer", "adam"], "Missing expected argument '--steps"),
        (["list", "colours"], "'colours' is invalid"),
    ])
    func badInput(arguments: [String], fragment: String) {
        let (code, message) = OptLabCommand.execute(arguments)
        #expect(code == 2)
        #expect(message?.contains(fragment) == true, "message: \(message ?? "nil")")
    }

    @Test("descend writes step,x,y,loss with row 0 at the start, full precision")
    func descendCSV() throws {
        let path = Self.temporaryFile("trajectory.csv")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let (code, _) = OptLabCommand.execute([
            "descend", "--surface", "quadratic", "--optimizer", "sgd", "--lr", "0.1",
            "--start=-8,3", "--steps", "2", "--csv", path,
        ])
        #expect(code == 0)
        let rows = CSV.parse(try String(contentsOfFile: path, encoding: .utf8))
        // f = ½(x² + 10y²), ∇f = (x, 10y); SGD η = 0.1: x ← 0.9x, y ← 0·y.
        // Row 1: (−7.2, 0), f = 25.92. Row 2: (−6.48, 0), f = ½·41.9904 = 20.9952.
        #expect(rows == [
            ["step", "x", "y", "loss"],
            ["0", "-8.0", "3.0", "77.0"],
            ["1", "-7.2", "0.0", "25.92"],
            ["2", "-6.48", "0.0", "20.995200000000004"],
        ])
    }

    @Test("a diverging descent is a result: exit 0")
    func divergenceExitsZero() {
        let (code, message) = OptLabCommand.execute([
            "descend", "--surface", "rosenbrock", "--optimizer", "sgd", "--steps", "100",
        ])
        #expect(code == 0)
        #expect(message == nil)
    }

    @Test("list surfaces names every surface with its minima")
    func listSurfaces() {
        let text = OptLabCommand.List.surfacesText()
        for surface in Surface.all { #expect(text.contains("\(surface.name): ")) }
        #expect(text.contains("minima: (1.0, 1.0) with f = 0.0"))
        #expect(text.contains("minima: none (unbounded below)"))
    }
}
