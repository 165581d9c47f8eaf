import Foundation
import OptLab
import OptLabCommands

// OpenBLAS picks its kernels when it loads, before this line runs. When it fell back to
// generic kernels on a processor with AVX2 or AVX-512, start again with the right ones
// (3-5x faster matrix products). OPENBLAS_CORETYPE set by the user is always respected;
// OPTLAB_KEEP_BLAS_CORE=1 disables the restart.
let environment = ProcessInfo.processInfo.environment
if environment["OPENBLAS_CORETYPE"] == nil, environment["OPTLAB_KEEP_BLAS_CORE"] == nil,
   let core = BLASThreads.betterCoreType() {
    setenv("OPENBLAS_CORETYPE", core, 1)
    let arguments = CommandLine.unsafeArgv
    execv("/proc/self/exe", arguments)
    // execv returns only on failure: carry on with the kernels already loaded.
}

// Line-buffered output, so progress lines reach a log file or pipe as they happen.
ProcessSetup.lineBufferStandardOutput()

OptLabCommand.mainEntry()
