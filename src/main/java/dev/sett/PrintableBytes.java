package dev.sett;

/** Byte arrays as debug text, for the {@code toString} of the API's value types. */
final class PrintableBytes {
  /** Bytes shown before the text is cut short. */
  private static final int MAX_SHOWN = 64;

  private PrintableBytes() {}

  /**
   * Printable ASCII as itself, every other byte (and the backslash) as {@code \xNN}; past 64
   * bytes, the rest is summarized by its length.
   */
  static String of(byte[] bytes) {
    if (bytes == null) {
      return "null";
    }
    int shown = Math.min(bytes.length, MAX_SHOWN);
    StringBuilder text = new StringBuilder(shown + 16);
    for (int i = 0; i < shown; i++) {
      int b = bytes[i] & 0xFF;
      if (b >= 0x20 && b < 0x7F && b != '\\') {
        text.append((char) b);
      } else {
        text.append(String.format("\\x%02x", b));
      }
    }
    if (shown < bytes.length) {
      text.append("...(").append(bytes.length).append(" bytes)");
    }
    return text.toString();
  }
}
