package dev.skiff.registry;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ManifestParserTest {
    private static final String D1 = Digests.of("1".getBytes());
    private static final String D2 = Digests.of("2".getBytes());

    private static byte[] b(String s) {
        return s.getBytes();
    }

    @Test
    void dockerManifestParsed() throws RegistryException {
        String m = """
                {"schemaVersion":2,"mediaType":"%s","config":{"mediaType":"%s","digest":"%s","size":7},
                 "layers":[{"mediaType":"%s","digest":"%s","size":9}]}""".formatted(ImageManifest.DOCKER_V2,
                ImageManifest.DOCKER_CONFIG, D1, ImageManifest.DOCKER_LAYER_GZIP, D2);
        var p = assertInstanceOf(ManifestParser.Image.class,
                ManifestParser.parse(ImageManifest.DOCKER_V2 + "; charset=utf-8", b(m), "x"));
        assertEquals(new Descriptor(ImageManifest.DOCKER_LAYER_GZIP, D2, 9), p.manifest().layers().getFirst());
    }

    @Test
    void badDescriptorsAreInvalid() {
        String sha512 = "{\"schemaVersion\":2,\"config\":{\"digest\":\"sha512:" + "a".repeat(128) + "\",\"size\":1}}";
        RegistryException e = assertThrows(RegistryException.class,
                () -> ManifestParser.parse(ImageManifest.OCI_MANIFEST, b(sha512), "x"));
        assertEquals(RegistryException.Kind.INVALID, e.kind());
        String negative = "{\"schemaVersion\":2,\"config\":{\"digest\":\"" + D1 + "\",\"size\":-1}}";
        assertThrows(RegistryException.class, () -> ManifestParser.parse(ImageManifest.OCI_MANIFEST, b(negative), "x"));
        String noConfig = "{\"schemaVersion\":2,\"layers\":[]}";
        assertThrows(RegistryException.class, () -> ManifestParser.parse(ImageManifest.OCI_MANIFEST, b(noConfig), "x"));
        assertThrows(RegistryException.class, () -> ManifestParser.parse(ImageManifest.OCI_MANIFEST, b("[1]"), "x"));
    }

    @Test
    void unknownTypesAreUnsupported() {
        String m = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.example+json\"}";
        assertEquals(RegistryException.Kind.UNSUPPORTED, assertThrows(RegistryException.class,
                () -> ManifestParser.parse("application/vnd.example+json", b(m), "x")).kind());
    }

    private static ManifestParser.Entry entry(String type, String os, String arch, String variant,
                                              Map<String, String> annotations) {
        return new ManifestParser.Entry(new Descriptor(type, D1, 1),
                os == null ? null : new Platform(os, arch, variant), annotations);
    }

    @Test
    void indexSelectionSkipsAttestationsAndUnknownTypes() throws RegistryException {
        var attestation = entry(ImageManifest.OCI_MANIFEST, "unknown", "unknown", null, Map.of());
        var marked = entry(ImageManifest.OCI_MANIFEST, "linux", "amd64", null,
                Map.of("vnd.docker.reference.type", "attestation-manifest"));
        var artifact = entry("application/vnd.example.sbom", "linux", "amd64", null, Map.of());
        var amd = entry(ImageManifest.DOCKER_V2, "linux", "amd64", null, Map.of());
        var arm = entry(ImageManifest.OCI_MANIFEST, "linux", "arm64", null, Map.of());
        var armv7 = entry(ImageManifest.OCI_MANIFEST, "linux", "arm", "v7", Map.of());
        var nested = entry(ImageManifest.OCI_INDEX, null, null, null, Map.of());
        var noPlatform = entry(ImageManifest.OCI_MANIFEST, null, null, null, Map.of());
        List<ManifestParser.Entry> all = List.of(attestation, marked, artifact, noPlatform, amd, arm, armv7, nested);
        assertEquals(List.of(amd, nested), IndexSelector.candidates(all, Platform.parse("linux/amd64")));
        assertEquals(List.of(arm, nested), IndexSelector.candidates(all, Platform.parse("linux/arm64/v8")));
        assertEquals(List.of(armv7, nested), IndexSelector.candidates(all, Platform.parse("linux/arm")));
        assertEquals(List.of(nested), IndexSelector.candidates(all, Platform.parse("linux/s390x")));
    }

    @Test
    void indexEntriesParsed() throws RegistryException {
        String idx = """
                {"schemaVersion":2,"manifests":[{"mediaType":"%s","digest":"%s","size":3,
                 "platform":{"os":"linux","architecture":"arm","variant":"v6"},"annotations":{"a":"b"}}]}"""
                .formatted(ImageManifest.OCI_MANIFEST, D1);
        var p = assertInstanceOf(ManifestParser.Index.class, ManifestParser.parse("", b(idx), "x"));
        assertEquals(new Platform("linux", "arm", "v6"), p.entries().getFirst().platform());
        assertEquals(Map.of("a", "b"), p.entries().getFirst().annotations());
    }
}
