package dev.sett.internal.sstable;

import dev.sett.internal.fs.FileSystem;
import dev.sett.internal.fs.WritableFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds the regions of a table file from its own footer and index, and puts (damaged) bytes back,
 * for tests that poke at bytes.
 */
final class TableFiles {
  private TableFiles() {
  }

  /** A byte range of the file, named for messages. */
  record Region(String name, long start, long end) {
    boolean contains(long offset) {
      return offset >= start && offset < end;
    }
  }

  static List<Region> regions(byte[] file) {
    ByteBuffer buffer = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
    int footer = file.length - TableFooter.SIZE;
    long index = buffer.getLong(footer);
    long bloom = buffer.getLong(footer + 12);
    long properties = buffer.getLong(footer + 24);
    List<Region> regions = new ArrayList<>();
    regions.add(new Region("header", 0, TableFormat.HEADER_SIZE));
    regions.addAll(blockRegions(file));
    regions.add(new Region("index", index, bloom));
    regions.add(new Region("bloom", bloom, properties));
    regions.add(new Region("properties", properties, footer));
    regions.add(new Region("footer", footer, file.length));
    return regions;
  }

  static List<Region> blockRegions(byte[] file) {
    ByteBuffer buffer = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
    int footer = file.length - TableFooter.SIZE;
    int index = (int) buffer.getLong(footer);
    int blockCount = buffer.getInt(index);
    List<Region> blocks = new ArrayList<>();
    for (int i = 0; i < blockCount; i++) {
      int entry = index + buffer.getInt(index + 4 + 4 * i);
      long offset = buffer.getLong(entry);
      blocks.add(new Region("block " + i, offset, offset + buffer.getInt(entry + 8)));
    }
    return blocks;
  }

  /** Makes {@code path} hold exactly {@code bytes}, whether or not it existed. */
  static void replace(FileSystem fs, Path path, byte[] bytes) throws IOException {
    fs.delete(path);
    try (WritableFile file = fs.createFile(path)) {
      file.write(bytes);
    }
  }

  /** The compression type byte of each stored block. */
  static List<Integer> blockTypes(byte[] file) {
    List<Integer> types = new ArrayList<>();
    for (Region block : blockRegions(file)) {
      types.add(file[(int) block.end() - 5] & 0xFF);
    }
    return types;
  }
}
