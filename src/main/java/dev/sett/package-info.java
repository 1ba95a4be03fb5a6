/**
 * Sett's public API: {@link dev.sett.DB} and {@link dev.sett.Options} to open a store,
 * {@link dev.sett.Txn}, {@link dev.sett.WriteBatch} and {@link dev.sett.DbIterator} to use it, and
 * the unchecked {@link dev.sett.SettException} family. This is the only package the module
 * exports; its names and semantics are the contract users write against.
 */
package dev.sett;
