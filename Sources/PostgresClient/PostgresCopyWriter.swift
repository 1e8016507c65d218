internal import CLibPQ

/// Streams rows into a `COPY … FROM STDIN` in PostgreSQL's text format.
///
/// Rows are escaped (backslash, tab, newline, carriage return; NULL as `\N`) and
/// buffered, and sent to the server in chunks, so memory stays flat however many rows
/// are written.
public struct PostgresCopyWriter: ~Copyable {
    private let handle: ConnectionHandle
    private var buffer: [UInt8] = []
    public private(set) var rowCount = 0

    /// Bytes gathered before they are handed to libpq.
    static let chunkSize = 256 * 1024

    init(handle: ConnectionHandle) {
        self.handle = handle
        buffer.reserveCapacity(Self.chunkSize + 4096)
    }

    /// Appends one row; its values must match the COPY statement's column list in order.
    public mutating func append(_ row: [any PostgresEncodable]) throws(PostgresError) {
        for (index, value) in row.enumerated() {
            if index > 0 { buffer.append(UInt8(ascii: "\t")) }
            guard let text = try value.postgresText() else {
                buffer.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "N")])
                continue
            }
            for byte in text.utf8 {
                switch byte {
                case UInt8(ascii: "\\"): buffer.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
                case UInt8(ascii: "\t"): buffer.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
                case UInt8(ascii: "\n"): buffer.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
                case UInt8(ascii: "\r"): buffer.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
                case 0:
                    throw PostgresError(
                        code: .encoding,
                        message: "row \(rowCount + 1), field \(index + 1) contains a NUL byte, which PostgreSQL text cannot hold"
                    )
                default: buffer.append(byte)
                }
            }
        }
        buffer.append(UInt8(ascii: "\n"))
        rowCount += 1
        if buffer.count >= Self.chunkSize { try flush() }
    }

    /// Appends one row given inline.
    public mutating func append(_ values: any PostgresEncodable...) throws(PostgresError) {
        try append(values)
    }

    mutating func flush() throws(PostgresError) {
        guard !buffer.isEmpty else { return }
        let sent = buffer.withUnsafeBufferPointer { bytes in
            bytes.withMemoryRebound(to: CChar.self) { PQputCopyData(handle.raw, $0.baseAddress, Int32($0.count)) }
        }
        guard sent == 1 else { throw handle.connectionError(statement: "copy") }
        buffer.removeAll(keepingCapacity: true)
    }
}
