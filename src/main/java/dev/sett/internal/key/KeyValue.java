package dev.sett.internal.key;

/** An internal key with its value: one version of one user key. */
public record KeyValue(byte[] key, ValueStruct value) {

  public static KeyValue of(byte[] userKey, long version, ValueStruct value) {
    return new KeyValue(InternalKey.of(userKey, version), value.withVersion(version));
  }

  @Override
  public String toString() {
    return InternalKey.toString(key) + "=" + value;
  }
}
