package dev.skiff.registry;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/** sha256 digests in the OCI form "sha256:&lt;64 hex&gt;": the only algorithm Skiff accepts. */
final class Digests {
    private static final Pattern SHA256 = Pattern.compile("sha256:[a-f0-9]{64}");
    /** Any algorithm, as the image spec's grammar allows it: to tell "another algorithm" from "garbage". */
    private static final Pattern ANY = Pattern.compile("[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+");

    private Digests() {
    }

    static boolean isSha256(String digest) {
        return digest != null && SHA256.matcher(digest).matches();
    }

    static boolean looksLikeDigest(String s) {
        return s != null && ANY.matcher(s).matches();
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    static String of(byte[] bytes) {
        return format(sha256().digest(bytes));
    }

    static String format(byte[] sha256) {
        return "sha256:" + HexFormat.of().formatHex(sha256);
    }

    /** Checks a digest from a manifest, a header or a caller: sha256 only, well formed. */
    static String require(String digest, String what) throws RegistryException {
        if (isSha256(digest)) {
            return digest;
        }
        String why = looksLikeDigest(digest) ? "unsupported digest algorithm" : "invalid digest format";
        throw new RegistryException(RegistryException.Kind.INVALID, why + " for " + what + ": \"" + digest + "\"");
    }
}
