package dev.skiff.registry;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CredentialsTest {
    private static String url(String json) {
        return Base64.getUrlEncoder().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void emptyAndUndecodableAreAnonymous() {
        assertSame(Credentials.ANONYMOUS, Credentials.fromHeader(null));
        assertSame(Credentials.ANONYMOUS, Credentials.fromHeader(""));
        assertSame(Credentials.ANONYMOUS, Credentials.fromHeader("!!not base64!!"));
        assertSame(Credentials.ANONYMOUS, Credentials.fromHeader(url("not json")));
        assertTrue(Credentials.fromHeader("e30=").anonymous());
        assertTrue(Credentials.fromHeader("e30").anonymous());
    }

    @Test
    void fieldsAndTheAuthPair() {
        Credentials c = Credentials.fromHeader(url("{\"username\":\"u\",\"password\":\"p\",\"serveraddress\":\"r:5000\"}"));
        assertEquals(new Credentials("u", "p", null, null, "r:5000"), c);
        String auth = Base64.getEncoder().encodeToString("user:pa:ss".getBytes(StandardCharsets.UTF_8));
        Credentials fromAuth = Credentials.fromHeader(url("{\"auth\":\"" + auth + "\"}"));
        assertEquals("user", fromAuth.username());
        assertEquals("pa:ss", fromAuth.password());
        Credentials tokens = Credentials.fromHeader(url("{\"identitytoken\":\"id\",\"registrytoken\":\"rt\"}"));
        assertEquals("id", tokens.identityToken());
        assertEquals("rt", tokens.registryToken());
        assertFalse(tokens.anonymous());
    }

    @Test
    void standardBase64PaddedOrNotAndGoStyleFieldNames() {
        // "?>" encodes to characters that differ between the two alphabets.
        String json = "{\"Username\":\"a?>\",\"Password\":\"b\"}";
        String std = Base64.getEncoder().encodeToString(json.getBytes(StandardCharsets.UTF_8));
        assertEquals("a?>", Credentials.fromHeader(std).username());
        assertEquals("a?>", Credentials.fromHeader(std.replace("=", "")).username());
        assertEquals("a?>", Credentials.fromHeader(url(json)).username());
    }

    @Test
    void toStringHidesSecrets() {
        assertFalse(new Credentials("u", "secret", "tok", null, null).toString().contains("secret"));
    }
}
