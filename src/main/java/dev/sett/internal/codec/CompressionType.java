package dev.sett.internal.codec;

/**
 * Block compression algorithms, by the id stored on disk. Never renumber: the ids are in SSTable
 * blocks and in the MANIFEST.
 */
public enum CompressionType {
  NONE(0),
  LZ4(1),
  ZSTD(2);

  private final int id;

  CompressionType(int id) {
    this.id = id;
  }

  public int id() {
    return id;
  }

  /** The type stored as {@code id}, or null when the id is unknown (a corrupt or newer file). */
  public static CompressionType ofId(int id) {
    for (CompressionType type : values()) {
      if (type.id == id) {
        return type;
      }
    }
    return null;
  }
}
