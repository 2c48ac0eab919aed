import Foundation

/// Writes a line to standard output at once (unbuffered), so keys and hints show up even through a pipe.
enum Console {
    static func line(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }
}
