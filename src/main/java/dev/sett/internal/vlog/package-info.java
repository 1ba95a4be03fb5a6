/**
 * Layer 3: the value log that holds large values apart from the keys: its file and record format,
 * value pointers, appending, scanning and recovering files.
 */
package dev.sett.internal.vlog;
