package dev.skiff.cli.docker;

/** {@link BindTransportTests} over virtio-fs, the default: back-ends in the share host. */
class DockerVirtioFsIT extends BindTransportTests {
    @Override
    String transport() {
        return "virtiofs";
    }
}
