/**
 * Named and anonymous volumes: each a folder on the host ({@code <data>/volumes/<name>/_data}),
 * mounted into containers exactly as a bind mount is, over 9P. A host folder is the one place that
 * every utility VM can see at once, so a volume used by a container in the shared VM and by one in
 * a dedicated VM is one file system, and volumes outlive every VM.
 */
package dev.skiff.engine.volume;
