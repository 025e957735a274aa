package dev.skiff.cli.docker;

/** {@link BindTransportTests} over 9P, the fallback where a VM's RAM is not shared memory. */
class DockerNinePIT extends BindTransportTests {
    @Override
    String transport() {
        return "9p";
    }
}
