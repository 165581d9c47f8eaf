import Foundation
import Testing
import OptLab

@Suite("Data: fetching")
struct FetchTests {
    static func temporaryDirectory() -> String {
        let path = TestData.scratchRoot + "/optlab-fetch-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test("MD5 test vectors of RFC 1321")
    func md5() {
        #expect(MD5.hex([]) == "d41d8cd98f00b204e9800998ecf8427e")
        #expect(MD5.hex(Array("abc".utf8)) == "900150983cd24fb0d6963f7d28e17f72")
        #expect(MD5.hex(Array("12345678901234567890123456789012345678901234567890123456789012345678901234567890".utf8))
                == "57edf4a22be3c955ac49da2e2107b67a")
    }

    /// The real MNIST test files served from a file URL verify against the published
    /// checksums of their content.
    @Test("fetch from a file mirror verifies and installs the files", .enabled(if: TestData.hasMNIST, TestData.mnistMissing))
    func fileMirror() throws {
        let mirror = URL(fileURLWithPath: try #require(TestData.mnistDirectory)).standardizedFileURL.absoluteString
        let target = Self.temporaryDirectory()
        let files = DatasetFetcher.files(of: .mnist).filter { $0.name.hasPrefix("t10k") }
        try DatasetFetcher.fetch(files, mirrors: [mirror], into: target)
        let data = try DatasetName.mnist.load(.test, dataDirectory: target)
        #expect(data.count == 10_000)
        #expect(try FileManager.default.contentsOfDirectory(atPath: target).sorted()
                == ["t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"])
    }

    @Test("a file with the wrong checksum is refused and nothing is left behind")
    func corrupt() throws {
        let mirror = Self.temporaryDirectory()
        FileManager.default.createFile(atPath: mirror + "/t10k-labels-idx1-ubyte.gz", contents: Data([1, 2, 3]))
        let target = Self.temporaryDirectory()
        let file = DatasetFetcher.files(of: .mnist).first { $0.name == "t10k-labels-idx1-ubyte.gz" }!
        let error = #expect(throws: RuntimeFailure.self) {
            try DatasetFetcher.fetch([file], mirrors: ["file://" + mirror], into: target)
        }
        #expect(error?.message.contains("checksum mismatch") == true)
        #expect(try FileManager.default.contentsOfDirectory(atPath: target).isEmpty)
    }

    @Test("an unreachable mirror fails with a clear message")
    func offline() {
        let file = DatasetFetcher.files(of: .mnist)[0]
        let error = #expect(throws: RuntimeFailure.self) {
            try DatasetFetcher.fetch([file], mirrors: ["http://127.0.0.1:9/"], into: Self.temporaryDirectory())
        }
        #expect(error?.message.contains("could not fetch train-images-idx3-ubyte.gz") == true)
        #expect(error?.message.contains("copy the four files") == true)
    }
}
