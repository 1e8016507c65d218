internal import CLibPQ

/// Statement parameters laid out for libpq: one contiguous buffer of NUL-terminated
/// text values, with a pointer (or NULL) and a declared type per parameter.
struct ParameterBindings {
    private var buffer: [UInt8] = []
    private var offsets: [Int?] = []
    private(set) var types: [Oid] = []

    init(_ parameters: [any PostgresEncodable]) throws(PostgresError) {
        offsets.reserveCapacity(parameters.count)
        types.reserveCapacity(parameters.count)
        for (position, parameter) in parameters.enumerated() {
            types.append(type(of: parameter).postgresType.oid)
            guard let text = try parameter.postgresText() else {
                offsets.append(nil)
                continue
            }
            guard !text.utf8.contains(0) else {
                throw PostgresError(
                    code: .encoding,
                    message: "parameter $\(position + 1) contains a NUL byte, which PostgreSQL text cannot hold",
                    hint: "strip NUL characters, or send the value as bytes (bytea)"
                )
            }
            offsets.append(buffer.count)
            buffer.append(contentsOf: text.utf8)
            buffer.append(0)
        }
    }

    var count: Int32 { Int32(offsets.count) }

    /// Calls `body` with libpq's `paramValues` array, valid only during the call.
    func withValues<R>(_ body: (UnsafePointer<UnsafePointer<CChar>?>?) -> R) -> R {
        buffer.withUnsafeBufferPointer { bytes in
            // Only a non-NULL parameter is read, and then the buffer is not empty.
            let pointers: [UnsafePointer<CChar>?] = offsets.map { offset in
                offset.map { UnsafeRawPointer(bytes.baseAddress! + $0).assumingMemoryBound(to: CChar.self) }
            }
            return pointers.withUnsafeBufferPointer { body($0.baseAddress) }
        }
    }
}
