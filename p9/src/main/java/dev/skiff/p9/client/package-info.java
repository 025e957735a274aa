/**
 * A 9P2000.L client ({@link dev.skiff.p9.client.P9Client}) over any byte stream, sharing the
 * codec of {@code dev.skiff.p9.wire} with the server. Used by the conformance tests and tools.
 */
package dev.skiff.p9.client;
