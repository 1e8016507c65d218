internal import CLibPQ

/// Statement parameters laid out for libpq: one contiguous buffer of NUL-terminated
/// text values, with a pointer (or NULL) and a declared type per parameter.
struct ParameterBindings {
    private var buffer: [CChar] = []
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
            offsets.append(buffer.count)
            for byte in text.utf8 {
                guard byte != 0 else {
                    throw PostgresError(
                        code: .encoding,
                        message: "parameter $\(position + 1) contains a NUL byte, which PostgreSQL text cannot hold",
                        hint: "strip NUL characters, or send the value as bytes (bytea)"
                    )
                }
                buffer.append(CChar(bitPattern: byte))
            }
            buffer.append(0)
        }
    }

    var count: Int32 { Int32(offsets.count) }

    /// Calls `body` with libpq's `paramValues` array, valid only during the call.
    func withValues<R>(_ body: (UnsafePointer<UnsafePointer<CChar>?>?) -> R) -> R {
        buffer.withUnsafeBufferPointer { storage in
            let pointers: [UnsafePointer<CChar>?] = offsets.map { offset in
                offset.map { storage.baseAddress! + $0 }
            }
            return pointers.withUnsafeBufferPointer { body($0.baseAddress) }
        }
    }
}
