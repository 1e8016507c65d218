import Foundation

/// Checks the process's arguments as the bytes the shell passed. Swift decodes argv
/// leniently, replacing invalid UTF-8 with U+FFFD, which would store corrupted text
/// without a word; we refuse it instead.
enum RawArguments {
    /// The position (1-based, after the program name) of the first argument that is
    /// not valid UTF-8, if any.
    static func firstInvalidUTF8() -> Int? {
        for index in 1..<Int(CommandLine.argc) {
            guard let pointer = CommandLine.unsafeArgv[index] else { continue }
            let bytes = UnsafeBufferPointer(start: UnsafeRawPointer(pointer).assumingMemoryBound(to: UInt8.self), count: strlen(pointer))
            if String(validating: bytes, as: UTF8.self) == nil { return index }
        }
        return nil
    }
}
