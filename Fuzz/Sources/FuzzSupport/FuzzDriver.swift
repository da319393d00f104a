#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A libFuzzer target: called once per input with its bytes.
public typealias FuzzTarget = @convention(c) (_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt

/// libFuzzer's entry point for programs that keep their own `main`.
@_silgen_name("LLVMFuzzerRunDriver")
private func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ target: FuzzTarget
) -> CInt

/// Runs libFuzzer with the process's arguments, feeding every input to
/// `target`, and exits with libFuzzer's status.
///
/// SwiftPM gives every executable its own `main`, so a fuzz target's
/// `main.swift` calls this instead of relying on libFuzzer's `main`. The
/// target must still be exported as `LLVMFuzzerTestOneInput`
/// (`@_cdecl`): libFuzzer's runtime is linked whole and refers to it.
public func runFuzzer(_ target: FuzzTarget) -> Never {
    var argc = CommandLine.argc
    var argv = CommandLine.unsafeArgv
    exit(LLVMFuzzerRunDriver(&argc, &argv, target))
}

/// The bytes of one fuzz input as an array.
public func fuzzInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> [UInt8] {
    guard let data, size > 0 else { return [] }
    return Array(UnsafeBufferPointer(start: data, count: size))
}
