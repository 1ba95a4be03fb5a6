package dev.sett.internal.db;

import dev.sett.Item;
import dev.sett.internal.key.InternalKey;
import dev.sett.internal.key.Meta;
import dev.sett.internal.key.ValueStruct;

/** An immutable {@link Item}; the arrays it hands out are copies. */
final class ItemImpl implements Item {
  private final byte[] key;
  private final ValueStruct value;
  private final boolean deletedOrExpired;

  ItemImpl(byte[] key, ValueStruct value, long nowSeconds) {
    this.key = key;
    this.value = value;
    this.deletedOrExpired = value.isDeletedOrExpired(nowSeconds);
  }

  @Override
  public byte[] key() {
    return key.clone();
  }

  @Override
  public byte[] value() {
    return value.value().clone();
  }

  @Override
  public long version() {
    return value.version();
  }

  @Override
  public long expiresAt() {
    return value.expiresAt();
  }

  @Override
  public byte userMeta() {
    return value.userMeta();
  }

  @Override
  public boolean isDeletedOrExpired() {
    return deletedOrExpired;
  }

  @Override
  public boolean discardEarlierVersions() {
    return (value.meta() & Meta.DISCARD_EARLIER_VERSIONS) != 0;
  }

  @Override
  public long estimatedSize() {
    return key.length + (long) value.value().length;
  }

  @Override
  public int valueSize() {
    return value.value().length;
  }

  @Override
  public String toString() {
    return "Item[key=" + InternalKey.toString(InternalKey.of(key, value.version()))
        + ", value=" + value.value().length + " bytes"
        + (value.expiresAt() != 0 ? ", expiresAt=" + value.expiresAt() : "")
        + (deletedOrExpired ? ", deleted or expired" : "") + "]";
  }
}
