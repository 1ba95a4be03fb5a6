/**
 * Layer 4: the timestamp oracle: read and commit timestamps, conflict detection for serializable
 * snapshot isolation, and the watermarks that say which versions are visible and which are done.
 */
package dev.sett.internal.txn;
