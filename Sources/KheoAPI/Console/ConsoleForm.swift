import Foundation

/// What a console form sent: `application/x-www-form-urlencoded` fields, or for a file
/// upload `multipart/form-data` fields and files. A body the browser could not have
/// sent (bad percent-encoding, invalid UTF-8, a part without a name) is refused with a
/// `ConsoleError.badRequest` that says what was wrong; nothing is changed.
struct ConsoleForm: Sendable {
    struct File: Sendable {
        let fieldName: String
        let fileName: String
        let contentType: String
        let bytes: [UInt8]
    }

    private(set) var fields: [String: [String]] = [:]
    private(set) var files: [File] = []

    init(fields: [String: [String]] = [:], files: [File] = []) {
        self.fields = fields
        self.files = files
    }

    /// The first value of `name`, trimmed; nil when absent or empty.
    subscript(_ name: String) -> String? {
        guard let value = fields[name]?.first?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else { return nil }
        return value
    }

    /// Every value of `name` (checkboxes, multi-selects).
    func all(_ name: String) -> [String] { fields[name] ?? [] }

    /// `name` as a positive id, or a refusal naming the field.
    func id(_ name: String, label: String) throws(ConsoleError) -> Int64 {
        guard let text = self[name] else { throw .badRequest("\(label): chưa điền (\(name) is required)") }
        guard let value = Int64(text), value >= 1 else { throw .badRequest("\(label): \"\(text.prefix(40))\" không phải là số hợp lệ") }
        return value
    }

    func required(_ name: String, label: String) throws(ConsoleError) -> String {
        guard let value = self[name] else { throw .badRequest("\(label): chưa điền (\(name) is required)") }
        return value
    }

    /// Parses a body by its `Content-Type`.
    static func parse(contentType: String?, body: [UInt8]) throws(ConsoleError) -> ConsoleForm {
        guard !body.isEmpty else { return ConsoleForm() }
        let type = (contentType ?? "").split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        switch type {
        case "application/x-www-form-urlencoded":
            return ConsoleForm(fields: try urlEncoded(body))
        case "multipart/form-data":
            guard let boundary = parameter("boundary", in: contentType ?? "") else { throw .badRequest("multipart/form-data without a boundary") }
            return try multipart(body, boundary: boundary)
        default:
            throw .unsupportedMediaType
        }
    }

    /// `a=1&b=x+y` (also query strings).
    static func urlEncoded(_ body: [UInt8]) throws(ConsoleError) -> [String: [String]] {
        guard let text = String(validating: body, as: UTF8.self) else { throw .badRequest("the form is not valid UTF-8") }
        return try urlEncoded(text)
    }

    static func urlEncoded(_ text: String) throws(ConsoleError) -> [String: [String]] {
        var fields: [String: [String]] = [:]
        for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = decode(parts[0]), let value = decode(parts.count > 1 ? parts[1] : "") else {
                throw .badRequest("a form field is not valid percent-encoded UTF-8")
            }
            fields[name, default: []].append(value)
        }
        return fields
    }

    private static func decode(_ text: Substring) -> String? {
        text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }

    private static func parameter(_ name: String, in header: String) -> String? {
        for part in header.split(separator: ";").dropFirst() {
            let pieces = part.split(separator: "=", maxSplits: 1)
            guard pieces.count == 2, pieces[0].trimmingCharacters(in: .whitespaces).lowercased() == name else { continue }
            return pieces[1].trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        }
        return nil
    }

    /// RFC 7578: parts separated by `--boundary`, each with headers, a blank line, then
    /// its bytes.
    static func multipart(_ body: [UInt8], boundary: String) throws(ConsoleError) -> ConsoleForm {
        let delimiter = Array("--\(boundary)".utf8)
        var form = ConsoleForm()
        var starts: [Int] = []
        var index = 0
        while let found = firstIndex(of: delimiter, in: body, from: index) {
            starts.append(found)
            index = found + delimiter.count
        }
        guard starts.count >= 2 else { throw .badRequest("the multipart body has no parts") }
        for (start, end) in zip(starts, starts.dropFirst()) {
            var partStart = start + delimiter.count
            // Skip the CRLF after the delimiter.
            if partStart + 1 < body.count, body[partStart] == 13, body[partStart + 1] == 10 { partStart += 2 }
            // The part's bytes end with CRLF before the next delimiter.
            var partEnd = end
            if partEnd >= 2, body[partEnd - 2] == 13, body[partEnd - 1] == 10 { partEnd -= 2 }
            guard partStart <= partEnd else { continue }
            let part = Array(body[partStart..<partEnd])
            guard let split = firstIndex(of: [13, 10, 13, 10], in: part, from: 0) else { throw .badRequest("a multipart part has no headers") }
            guard let head = String(validating: part[..<split], as: UTF8.self) else { throw .badRequest("a part's headers are not UTF-8") }
            let content = Array(part[(split + 4)...])
            var disposition = ""
            var type = "application/octet-stream"
            for line in head.split(separator: "\r\n") {
                let pieces = line.split(separator: ":", maxSplits: 1)
                guard pieces.count == 2 else { continue }
                switch pieces[0].lowercased() {
                case "content-disposition": disposition = String(pieces[1])
                case "content-type": type = pieces[1].trimmingCharacters(in: .whitespaces).lowercased()
                default: break
                }
            }
            guard let name = parameter("name", in: disposition) else { throw .badRequest("a multipart part has no name") }
            if let fileName = parameter("filename", in: disposition) {
                guard !fileName.isEmpty || !content.isEmpty else { continue }
                form.files.append(File(fieldName: name, fileName: fileName, contentType: type, bytes: content))
            } else {
                guard let value = String(validating: content, as: UTF8.self) else { throw .badRequest("the field \(name.prefix(40)) is not valid UTF-8") }
                form.fields[name, default: []].append(value)
            }
        }
        return form
    }

    private static func firstIndex(of needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard !needle.isEmpty, haystack.count >= needle.count, start <= haystack.count - needle.count else { return nil }
        let first = needle[0]
        var index = start
        while index <= haystack.count - needle.count {
            if haystack[index] == first, haystack[index..<(index + needle.count)].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }
}
