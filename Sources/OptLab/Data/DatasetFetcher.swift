import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Downloads a dataset's four IDX files and verifies them before they are kept.
public enum DatasetFetcher {
    /// One file of a dataset with its published checksums: the MD5 of the gzipped file
    /// as distributed and, where known, of its decompressed content (which survives
    /// recompression by a mirror or a package).
    public struct RemoteFile: Sendable {
        public var name: String
        public var gzipMD5: String
        public var contentMD5: String?
        public init(name: String, gzipMD5: String, contentMD5: String? = nil) {
            self.name = name
            self.gzipMD5 = gzipMD5
            self.contentMD5 = contentMD5
        }
    }

    public static func files(of dataset: DatasetName) -> [RemoteFile] {
        switch dataset {
        case .mnist:
            return [
                RemoteFile(name: "train-images-idx3-ubyte.gz", gzipMD5: "f68b3c2dcbeaaa9fbdd348bbdeb94873"),
                RemoteFile(name: "train-labels-idx1-ubyte.gz", gzipMD5: "d53e105ee54ea40749a09fcbcd1e9432"),
                RemoteFile(name: "t10k-images-idx3-ubyte.gz", gzipMD5: "9fb629c4189551a2d022fa330f9573f3",
                           contentMD5: "2646ac647ad5339dbf082846283269ea"),
                RemoteFile(name: "t10k-labels-idx1-ubyte.gz", gzipMD5: "ec29112dd5afa0611ce80d1b7f02629c",
                           contentMD5: "27ae3e4e09519cfbb04c329615203637"),
            ]
        case .fashionMNIST:
            return [
                RemoteFile(name: "train-images-idx3-ubyte.gz", gzipMD5: "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
                           contentMD5: "f4a8712d7a061bf5bd6d2ca38dc4d50a"),
                RemoteFile(name: "train-labels-idx1-ubyte.gz", gzipMD5: "25c81989df183df01b3e8a0aad5dffbe",
                           contentMD5: "9018921c3c673c538a1fc5bad174d6f9"),
                RemoteFile(name: "t10k-images-idx3-ubyte.gz", gzipMD5: "bef4ecab320f06d8554ea6380940ec79",
                           contentMD5: "8181f5470baa50b63fa0f6fddb340f0a"),
                RemoteFile(name: "t10k-labels-idx1-ubyte.gz", gzipMD5: "bb300cfdad3c16e7a12a480ee83cd310",
                           contentMD5: "15d484375f8d13e6eb1aabb0c3f46965"),
            ]
        }
    }

    /// Public mirrors, tried in order.
    public static func mirrors(of dataset: DatasetName) -> [String] {
        switch dataset {
        case .mnist: ["https://ossci-datasets.s3.amazonaws.com/mnist/", "https://storage.googleapis.com/cvdf-datasets/mnist/"]
        case .fashionMNIST: ["http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"]
        }
    }

    /// Fetches every file into `directory`, trying each mirror in turn. A file is
    /// written under a temporary name and renamed only after its checksum matches, so
    /// an interrupted or corrupt download never replaces a good file.
    public static func fetch(_ files: [RemoteFile], mirrors: [String], into directory: String,
                             log: (String) -> Void = { _ in }) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for file in files {
            let target = directory + "/" + file.name
            if FileManager.default.fileExists(atPath: target), (try? verify(file, at: target)) == true {
                log("\(file.name): already present and verified")
                continue
            }
            var failures: [String] = []
            var done = false
            for mirror in mirrors {
                let base = mirror.hasSuffix("/") ? mirror : mirror + "/"
                guard let url = URL(string: base + file.name) else { failures.append("\(mirror): not a URL"); continue }
                do {
                    let data = try download(url)
                    let partial = target + ".part"
                    try data.write(to: URL(fileURLWithPath: partial))
                    guard try verify(file, at: partial) else {
                        try? FileManager.default.removeItem(atPath: partial)
                        failures.append("\(url.absoluteString): checksum mismatch (expected MD5 \(file.gzipMD5))")
                        continue
                    }
                    if FileManager.default.fileExists(atPath: target) { try FileManager.default.removeItem(atPath: target) }
                    try FileManager.default.moveItem(atPath: partial, toPath: target)
                    log("\(file.name): \(data.count) bytes from \(url.absoluteString), MD5 verified")
                    done = true
                    break
                } catch {
                    failures.append("\(url.absoluteString): \(error)")
                }
            }
            if !done {
                throw RuntimeFailure("could not fetch \(file.name):\n  " + failures.joined(separator: "\n  ")
                                     + "\nWithout internet access, copy the four files into \(directory) by hand.")
            }
        }
    }

    /// True when the gzipped bytes or their decompressed content match a checksum.
    static func verify(_ file: RemoteFile, at path: String) throws -> Bool {
        let raw = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        if MD5.hex(raw) == file.gzipMD5 { return true }
        guard let contentMD5 = file.contentMD5, let content = try? IDX.readFile(path) else { return false }
        return MD5.hex(content) == contentMD5
    }

    static func download(_ url: URL) throws -> Data {
        if url.isFileURL { return try Data(contentsOf: url) }
        final class Box: @unchecked Sendable { var result: Result<Data, Error> = .failure(RuntimeFailure("no response")) }
        let box = Box()
        let semaphore = DispatchSemaphore(value: 0)
        var request = URLRequest(url: url)
        request.timeoutInterval = 60
        URLSession.shared.dataTask(with: request) { data, response, error in
            if let error {
                box.result = .failure(RuntimeFailure(error.localizedDescription))
            } else if let http = response as? HTTPURLResponse, http.statusCode != 200 {
                box.result = .failure(RuntimeFailure("HTTP status \(http.statusCode)"))
            } else {
                box.result = .success(data ?? Data())
            }
            semaphore.signal()
        }.resume()
        semaphore.wait()
        return try box.result.get()
    }
}
