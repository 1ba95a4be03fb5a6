package dev.sett.internal.db;

import dev.sett.Item;
import dev.sett.internal.key.InternalKey;
import dev.sett.internal.key.Meta;
import dev.sett.internal.key.ValueStruct;
import dev.sett.internal.vlog.ValuePointer;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * An {@link Item}; the arrays it hands out are copies (see {@link #value()}). A value that lives in the value log is read
 * the first time {@link #value()} asks for it (and kept), so that key-only work never touches the
 * value log; {@link #valueSize()} needs no read, since the pointer determines it.
 *
 * <p>Thread-safety: safe for concurrent use; two threads may both read a value log value once.
 */
final class ItemImpl implements Item {
  private static final VarHandle RESOLVED;

  static {
    try {
      RESOLVED = MethodHandles.lookup().findVarHandle(ItemImpl.class, "resolved",
          ValueStruct.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final byte[] key;
  private final ValueStruct value;
  private final boolean deletedOrExpired;
  private final ValueResolver resolver;
  /**
   * The value, once read through a pointer and until {@link #value()} hands it out; {@code value}
   * itself when inline.
   */
  private volatile ValueStruct resolved;

  ItemImpl(byte[] key, ValueStruct value, long nowSeconds, ValueResolver resolver) {
    this.key = key;
    this.value = value;
    this.deletedOrExpired = value.isDeletedOrExpired(nowSeconds);
    this.resolver = resolver;
    this.resolved = ValueResolver.isPointer(value) ? null : value;
  }

  /** Where the value sits in the value log, if it lives there and was not read yet; else null. */
  ValuePointer unreadPointer() {
    return resolved == null ? ValuePointer.of(value) : null;
  }

  /** The stored meta bits of this version (delete, value pointer, discard, merge): for backups. */
  byte meta() {
    return value.meta();
  }

  /** The key itself, not a copy: for the iterator's own checks. */
  byte[] keyRef() {
    return key;
  }

  /** Reads the value now if it lives in the value log (iterator prefetching). */
  ItemImpl prefetch() {
    resolvedValue();
    return this;
  }

  private ValueStruct resolvedValue() {
    ValueStruct known = resolved;
    if (known == null) {
      known = resolver.resolve(key, value);
      resolved = known;
    }
    return known;
  }

  @Override
  public byte[] key() {
    return key.clone();
  }

  /**
   * A copy of the value. An inline value is cloned (its array is the source's). A value read
   * through its pointer is already an array of its own, made by that read and shared with nobody:
   * the first caller takes it as it is, and a later call reads it again rather than hand out an
   * array the first caller may have changed. A scan that asks each item once so copies each value
   * once, from the file into the array it gets.
   */
  @Override
  public byte[] value() {
    if (!ValueResolver.isPointer(value)) {
      return value.value().clone();
    }
    ValueStruct known = (ValueStruct) RESOLVED.getAndSet(this, (ValueStruct) null);
    return (known != null ? known : resolver.resolve(key, value)).value();
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
    return key.length + (long) valueSize();
  }

  @Override
  public int valueSize() {
    ValueStruct known = resolved;
    return known != null ? known.value().length : resolver.valueLength(key, value);
  }

  @Override
  public String toString() {
    return "Item[key=" + InternalKey.toString(InternalKey.of(key, value.version()))
        + ", value=" + valueSize() + " bytes"
        + (value.expiresAt() != 0 ? ", expiresAt=" + value.expiresAt() : "")
        + (deletedOrExpired ? ", deleted or expired" : "") + "]";
  }
}
