/**
 * End-to-end checks and benchmarks of the utility VM: boot the guest image under the real VM
 * driver and exercise it through the self-test protocol. The same steps back the tests.
 */
package dev.skiff.cli.selftest;
