/**
 * The {@code sett} command line ({@code info}, {@code bench}, ...), built on the public API with
 * picocli and shipped as the runnable {@code sett-cli.jar}. Nothing in the library depends on it.
 */
package dev.sett.tool;
