/**
 * Command-line tools of the 9P module: {@link dev.skiff.p9.tool.ServeCommand}, registered by
 * the cli module as {@code skiff 9p serve}.
 */
package dev.skiff.p9.tool;
