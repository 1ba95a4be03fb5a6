package dev.sett;

/**
 * A write went to a namespace that {@link DB#banNamespace(long)} banned: a transaction's
 * {@code set}, {@code setEntry} or {@code delete}, {@link DB#put}, a write batch, a merge operand,
 * a stream writer's batch or a {@link DB#load} record whose key lies in the namespace (see
 * {@link Options.Builder#namespaceOffset}). Nothing of the rejected write is stored.
 */
public class BannedNamespaceException extends SettException {
  private static final long serialVersionUID = 1L;

  private final long namespace;

  /**
   * A write into banned namespace {@code namespace}.
   *
   * @param namespace the namespace, an unsigned 64-bit number
   */
  public BannedNamespaceException(long namespace) {
    super("namespace " + Long.toUnsignedString(namespace) + " is banned: its keys cannot be written");
    this.namespace = namespace;
  }

  /** {@return the banned namespace the write went to, an unsigned 64-bit number} */
  public long namespace() {
    return namespace;
  }
}
