/**
 * Layer 0: the only code that touches files. A {@link dev.sett.internal.fs.FileSystem} seam (NIO for
 * real stores, in memory for tests and fault injection), memory-mapped read-only files with
 * reference-counted unmapping (and {@link dev.sett.internal.fs.ReadPins}, hazard slots that let
 * short reads skip the count), the directory lock, and the exceptions for corrupt or unknown files.
 */
package dev.sett.internal.fs;
