import FuzzSupport
import KHOArtifacts

/// The event-stream reader behind `kholedger record`: the input is a JSON
/// Lines stream, checked as `record --check --keep-going` checks it. Every
/// line is read, parsed as JSON, validated, folded into its caller when
/// nested and completed by derivation; nothing is recorded.
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzEventStream(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    InputFile.write(fuzzInput(data, size))
    _ = try? EventStreamRecorder(ledgerPath: nil, keepGoing: true).record(path: InputFile.path)
    return 0
}

runFuzzer(fuzzEventStream)
