package dev.sett.internal.vlog;

/**
 * What a {@link ValueLog} needs to know of the store's options.
 *
 * @param fileSize start a new file before a transaction would take the active one past this many
 *     bytes ({@code valueLogFileSize})
 * @param maxEntries ... or past this many records ({@code valueLogMaxEntries})
 * @param verifyChecksum check each record's CRC-32C on read ({@code verifyValueChecksum}); the
 *     record's framing is checked either way
 * @param readOnly never write: no new file, torn tails left as they are
 */
public record ValueLogOptions(long fileSize, int maxEntries, boolean verifyChecksum,
    boolean readOnly) {

  /** Checks the limits. */
  public ValueLogOptions {
    if (fileSize <= ValueLogFormat.HEADER_LENGTH || fileSize > ValueLogFormat.MAX_FILE_SIZE) {
      throw new IllegalArgumentException("value log file size " + fileSize
          + " is outside (" + ValueLogFormat.HEADER_LENGTH + ", 2 GiB)");
    }
    if (maxEntries < 1) {
      throw new IllegalArgumentException("value log entry limit " + maxEntries + " is below 1");
    }
  }
}
