package dev.sett.internal.iter;

import dev.sett.internal.key.KeyValueIterator;
import dev.sett.internal.key.Namespaces;
import dev.sett.internal.key.ValueStruct;

/**
 * Hides the keys of banned namespaces from the iterator below it: after every move it steps over
 * the entries whose user key lies in a banned namespace, in whichever direction the source moves.
 * The banned set is read on every step, so a ban hides its keys from iterators already open too.
 *
 * <p>Thread-safety: as the source (one thread).
 */
public final class BannedKeysIterator implements KeyValueIterator {
  private final KeyValueIterator source;
  private final Namespaces namespaces;

  private BannedKeysIterator(KeyValueIterator source, Namespaces namespaces) {
    this.source = source;
    this.namespaces = namespaces;
  }

  /** {@code source} without banned keys; {@code source} itself when namespaces are off. */
  public static KeyValueIterator of(KeyValueIterator source, Namespaces namespaces) {
    return namespaces.enabled() ? new BannedKeysIterator(source, namespaces) : source;
  }

  @Override
  public void rewind() {
    source.rewind();
    skipBanned();
  }

  @Override
  public void seek(byte[] internalKey) {
    source.seek(internalKey);
    skipBanned();
  }

  @Override
  public void next() {
    source.next();
    skipBanned();
  }

  @Override
  public boolean valid() {
    return source.valid();
  }

  @Override
  public byte[] key() {
    return source.key();
  }

  @Override
  public ValueStruct value() {
    return source.value();
  }

  @Override
  public void close() {
    source.close();
  }

  private void skipBanned() {
    while (source.valid() && namespaces.isBannedInternalKey(source.key())) {
      source.next();
    }
  }
}
