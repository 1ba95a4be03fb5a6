package dev.sett.testing;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/** Bytes the tests write and read: UTF-8 text and hex dumps. */
public final class Bytes {
  private Bytes() {}

  /** The UTF-8 bytes of {@code text}. */
  public static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  /** {@code bytes} read as UTF-8, or null for null. */
  public static String string(byte[] bytes) {
    return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
  }

  /** The bytes of a hex dump; whitespace between digits is ignored. */
  public static byte[] unhex(String hex) {
    return HexFormat.of().parseHex(hex.replaceAll("\\s+", ""));
  }

  /** Lower-case hex of {@code bytes}. */
  public static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(bytes);
  }
}
