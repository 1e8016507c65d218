import DanVan
import HTTPTypes

/// Why a console request was refused, shown to the official as a page in Vietnamese
/// (with the English detail for the operator reading the log). A record outside the
/// caller's subtree is `.notFound`, exactly as one that does not exist.
enum ConsoleError: Error, Sendable, Equatable {
    case badRequest(String)
    case notFound
    case forbidden(String)
    /// No valid session: go to the sign-in page.
    case signInRequired
    /// A form without the session's CSRF token, or with another.
    case csrf
    case unsupportedMediaType
    /// The domain refused the change; the message says why, to show beside the form.
    case refused(String)

    var status: HTTPResponse.Status {
        switch self {
        case .badRequest, .refused: .badRequest
        case .notFound: .notFound
        case .forbidden, .csrf: .forbidden
        case .signInRequired: .unauthorized
        case .unsupportedMediaType: .unsupportedMediaType
        }
    }

    var title: String {
        switch self {
        case .badRequest: "Yêu cầu không hợp lệ"
        case .notFound: "Không tìm thấy"
        case .forbidden: "Không có quyền"
        case .signInRequired: "Cần đăng nhập"
        case .csrf: "Biểu mẫu đã hết hạn"
        case .unsupportedMediaType: "Định dạng không được hỗ trợ"
        case .refused: "Không thực hiện được"
        }
    }

    var detail: String {
        switch self {
        case .badRequest(let why), .refused(let why): why
        case .notFound: "Không có bản ghi này trong phạm vi đơn vị của bạn."
        case .forbidden(let why): why
        case .signInRequired: "Phiên làm việc đã hết hạn hoặc mã truy cập đã bị thu hồi. Vui lòng đăng nhập lại."
        case .csrf: "Biểu mẫu thiếu mã xác thực hoặc mã không đúng; không có gì thay đổi. Tải lại trang và gửi lại."
        case .unsupportedMediaType: "Gửi biểu mẫu dưới dạng application/x-www-form-urlencoded hoặc multipart/form-data."
        }
    }

    /// An `AuthorityError` as the console shows it: not found reads as not found.
    static func from(_ refusal: AuthorityError) -> ConsoleError {
        switch refusal {
        case .notFound: .notFound
        case .roleTooLow(let needed, _): .forbidden("Thao tác này cần quyền \(ConsoleText.role(needed)).")
        case .notYours(let rule): .forbidden(rule)
        }
    }
}
