package dev.sett.internal.manifest;

/**
 * What the MANIFEST knows about one live table.
 *
 * @param id the table id; the table's file is {@code %06d.sst}
 * @param level the level the table lives on
 * @param compressionId the {@code CompressionType} id its blocks were written with
 * @param keyId the data key that encrypts the table; 0 = plaintext
 */
public record TableManifest(long id, int level, int compressionId, long keyId) {
}
