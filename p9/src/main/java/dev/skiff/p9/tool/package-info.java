/**
 * Command-line tools of the 9P module, registered by the cli module: {@link
 * dev.skiff.p9.tool.ServeCommand} as {@code skiff 9p serve} and {@link
 * dev.skiff.p9.tool.BenchCommand} (the micro-benchmark of the server alone, {@link
 * dev.skiff.p9.tool.Bench}) as {@code skiff 9p bench}.
 */
package dev.skiff.p9.tool;
