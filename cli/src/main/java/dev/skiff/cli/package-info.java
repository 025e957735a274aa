/** The {@code ./skiff} command line: one picocli command per verb, each delegating to a module. */
package dev.skiff.cli;
