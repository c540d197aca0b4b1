/// Errors of the command-line layer itself (input handling, terminals).
enum CLIError: Error, CustomStringConvertible {
    case inputTooLarge(limit: Int)
    case io(String)
    case noTerminal
    case usage(String)
    case mismatch(String)

    var description: String {
        switch self {
        case .inputTooLarge(let l): "input is larger than \(l) bytes; refused"
        case .io(let m): m
        case .noTerminal: "no terminal to prompt on; pipe the secret into standard input or use a file option"
        case .usage(let m): m
        case .mismatch(let m): m
        }
    }
}
