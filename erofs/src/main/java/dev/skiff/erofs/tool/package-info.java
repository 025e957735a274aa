/** Command-line front end: {@code skiff layer convert IN.tar OUT.erofs}. */
package dev.skiff.erofs.tool;
