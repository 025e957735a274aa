/** Small programs the guest starts as separate processes for end-to-end tests. */
package dev.skiff.guest.tools;
